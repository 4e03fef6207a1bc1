"""Demo campaigns: a live one for Gaspar Matalaev with a few hundred confirmed signatures, a closed one
with its letters sent and an answer received, and a coalition campaign led by Lawyers for Lawyers
with Justice International as a partner. Idempotent: a campaign that exists is left as it is.

Signers are invented; their emails are on example.org.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from defensor.campaigns import delivery, services
from defensor.campaigns.models import Campaign, Signature
from defensor.core import crypto
from defensor.directory.models import Institution

LIVE_SLUG = "free-gaspar-matalaev"
CLOSED_SLUG = "matalaev-wgad-opinion"
COALITION_SLUG = "istanbul-lawyers-trial"
LIVE_SIGNATURES = 320

FIRST = [
    "Anna",
    "Pieter",
    "Marta",
    "Ahmet",
    "Chloé",
    "Ivan",
    "Nasrin",
    "Olena",
    "Pedro",
    "Zeynep",
    "Jan",
    "Amira",
    "Sofia",
    "Lukas",
    "Fatima",
    "Tomasz",
    "Elif",
    "Hugo",
    "Ingrid",
    "Kofi",
    "Mariam",
    "Dmitri",
    "Lea",
    "Rashid",
]
LAST = [
    "de Vries",
    "Jansen",
    "Kowalska",
    "Yılmaz",
    "Dubois",
    "Petrov",
    "Sotoudeh",
    "Kovalenko",
    "Alves",
    "Kaya",
    "Bakker",
    "Haddad",
    "Rossi",
    "Müller",
    "Benali",
    "Nowak",
    "Demir",
    "Laurent",
    "Lindqvist",
    "Mensah",
]
COUNTRIES = ["NL", "FR", "DE", "GB", "PL", "TR", "UA", "IT", "ES", "BE", "SE", "GH", "KZ", "CA", "US"]
BARS = {
    "NL": "Netherlands Bar",
    "FR": "Paris Bar",
    "DE": "Berlin Bar",
    "GB": "Law Society of England and Wales",
    "PL": "Warsaw Bar",
    "TR": "Istanbul Bar",
    "UA": "Kyiv Bar",
    "IT": "Rome Bar",
    "ES": "Madrid Bar",
    "BE": "Brussels Bar",
    "SE": "Swedish Bar Association",
    "GH": "Ghana Bar Association",
    "KZ": "Almaty City Bar",
    "CA": "Law Society of Ontario",
    "US": "New York State Bar",
}

LETTER_EN = (
    "{{ salutation }}\n\n"
    "We write to you about {{ case_facts }}.\n\n"
    "The UN Working Group on Arbitrary Detention has found his detention arbitrary. The UN Declaration on "
    "Human Rights Defenders protects those who document abuses, and reporting on forced labour is not a crime.\n\n"
    "We respectfully urge you to release him immediately and unconditionally, to guarantee his physical and "
    "psychological integrity, and to ensure that human rights defenders in Turkmenistan can work without "
    "fear of reprisals.\n\n"
    "Yours sincerely,\n{{ co_signing_organisations }}\n{{ date }}"
)
LETTER_RU = (
    "{{ salutation }}\n\n"
    "Мы обращаемся к Вам по делу: {{ case_facts }}.\n\n"
    "Рабочая группа ООН по произвольным задержаниям признала его задержание произвольным. Декларация ООН "
    "о правозащитниках защищает тех, кто документирует нарушения; "
    "сообщать о принудительном труде — не преступление.\n\n"
    "Мы настоятельно призываем Вас немедленно и безоговорочно освободить его и гарантировать, что "
    "правозащитники в Туркменистане могут работать без страха преследований.\n\n"
    "С уважением,\n{{ co_signing_organisations }}\n{{ date }}"
)


def _publication(demo: Any, case: Any) -> None:
    """Matalaev consented to publishing his name: give the campaign's letter publishable facts."""
    from defensor.cases.models import CasePublication
    from defensor.cases.services import publication_update

    if CasePublication.objects.filter(case=case).exists():
        return
    try:
        publication_update(
            actor=demo.objects["user:director@ji.example"],
            case=case,
            pseudonym="a Turkmen human rights defender",
            use_real_name=True,
            fields=["country", "summary"],
            public_summary="Detained in October 2016 after reporting on forced labour in the cotton harvest",
        )
    except ValidationError:
        return


def _signatures(campaign: Campaign, count: int, *, seed: int) -> None:
    """Confirmed signatures as the public page would have stored them (name and email encrypted, blind index)."""
    if campaign.signatures.exists():
        return
    rng = random.Random(seed)
    context = f"campaigns.signature.email:{campaign.pk}"
    now = timezone.now()
    rows = []
    for number in range(count):
        country = rng.choice(COUNTRIES)
        lawyer = rng.random() < 0.75
        email = f"{FIRST[number % len(FIRST)].lower()}{number:03d}@example.org".replace("é", "e").replace("ı", "i")
        rows.append(
            Signature(
                organisation_id=campaign.organisation_id,
                campaign=campaign,
                name=f"{FIRST[number % len(FIRST)]} {LAST[(number * 7 + seed) % len(LAST)]}",
                email=email,
                email_index=crypto.blind_index(
                    email.strip().lower(), organisation_id=campaign.organisation_id, context=context
                ),
                profession=Signature.Profession.LAWYER if lawyer else Signature.Profession.OTHER,
                bar_association=BARS[country] if lawyer else "",
                country=country,
                language="ru" if country in ("UA", "KZ") else "en",
                consent_letter=rng.random() < 0.92,
                consent_updates=rng.random() < 0.6,
                status=Signature.Status.CONFIRMED,
                confirmed_at=now - datetime.timedelta(minutes=number * 17),
            )
        )
    Signature.objects.bulk_create(rows, batch_size=500)


def _campaign(demo: Any, *, actor: Any, organisation: Any, slug: str, **values: Any) -> tuple[Campaign, bool]:
    existing = Campaign.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    return services.campaign_create(actor=actor, organisation=organisation, slug=slug, **values), True


def _live(demo: Any) -> None:
    director = demo.objects["user:director@ji.example"]
    officer = demo.objects["user:officer@ji.example"]
    case = demo.objects.get("case:JI-2017-001")
    if case is not None:
        _publication(demo, case)
    campaign, created = _campaign(
        demo,
        actor=officer,
        organisation=demo.objects["org:ji"],
        slug=LIVE_SLUG,
        title_en="Free Gaspar Matalaev",
        title_ru="Свободу Гаспару Маталаеву",
        ask_en="Release Gaspar Matalaev immediately and unconditionally.",
        ask_ru="Немедленно и безоговорочно освободить Гаспара Маталаева.",
        background_en="Gaspar Matalaev reported on forced labour in Turkmenistan's cotton harvest and was detained.",
        background_ru="Гаспар Маталаев сообщал о принудительном труде на хлопковых полях Туркменистана и был задержан.",
        cases=[case] if case is not None else [],
        co_signing_organisations=["Freedom United"],
        deadline=timezone.localdate() + datetime.timedelta(days=60),
    )
    demo.objects["campaign:live"] = campaign
    if not created:
        return
    services.target_add(
        actor=officer,
        campaign=campaign,
        institution=demo.objects["institution:pg-turkmenistan"],
        position="Prosecutor General",
        language="en",
    )
    services.target_add(
        actor=officer, campaign=campaign, institution=demo.objects["institution:moj-turkmenistan"], language="ru"
    )
    services.template_save(
        actor=officer, campaign=campaign, language="en", subject="Release Gaspar Matalaev", body=LETTER_EN
    )
    services.template_save(
        actor=officer, campaign=campaign, language="ru", subject="Освободите Гаспара Маталаева", body=LETTER_RU
    )
    services.campaign_launch(actor=director, campaign=campaign)
    _signatures(campaign, LIVE_SIGNATURES, seed=1)


def _closed(demo: Any) -> None:
    director = demo.objects["user:director@ji.example"]
    officer = demo.objects["user:officer@ji.example"]
    case = demo.objects.get("case:JI-2017-001")
    campaign, created = _campaign(
        demo,
        actor=officer,
        organisation=demo.objects["org:ji"],
        slug=CLOSED_SLUG,
        title_en="Implement the UN opinion on Gaspar Matalaev",
        title_ru="Выполните мнение ООН по делу Гаспара Маталаева",
        ask_en="Implement the opinion of the UN Working Group on Arbitrary Detention.",
        ask_ru="Выполнить мнение Рабочей группы ООН по произвольным задержаниям.",
        cases=[case] if case is not None else [],
    )
    demo.objects["campaign:closed"] = campaign
    if not created:
        return
    target = services.target_add(
        actor=officer,
        campaign=campaign,
        institution=demo.objects["institution:pg-turkmenistan"],
        position="Prosecutor General",
    )
    services.template_save(
        actor=officer, campaign=campaign, language="en", subject="The UN opinion on Gaspar Matalaev", body=LETTER_EN
    )
    services.campaign_launch(actor=director, campaign=campaign)
    _signatures(campaign, 140, seed=2)
    today = timezone.localdate()
    delivery.delivery_record(
        actor=officer, campaign=campaign, target=target, channel="post", sent_on=today - datetime.timedelta(days=40)
    )
    delivery.delivery_record(
        actor=officer, campaign=campaign, target=target, channel="fax", sent_on=today - datetime.timedelta(days=39)
    )
    services.response_add(
        actor=officer,
        campaign=campaign,
        institution=target.institution,
        target=target,
        received_on=today - datetime.timedelta(days=12),
        summary="The Prosecutor General's Office acknowledged the letter and said the sentence was lawful.",
    )
    services.campaign_close(actor=officer, campaign=campaign)


def _coalition(demo: Any) -> None:
    l4l = demo.objects["org:l4l"]
    l4l_director = demo.objects["user:director@l4l.example"]
    l4l_officer = demo.objects["user:officer@l4l.example"]
    ji_director = demo.objects["user:director@ji.example"]
    case = demo.objects.get("case:L4L-2017-001")
    campaign, created = _campaign(
        demo,
        actor=l4l_officer,
        organisation=l4l,
        slug=COALITION_SLUG,
        title_en="Fair trial for the Istanbul lawyers",
        title_ru="Справедливый суд для стамбульских адвокатов",
        ask_en="Drop the charges against lawyers prosecuted for representing their clients.",
        ask_ru="Снять обвинения с адвокатов, преследуемых за защиту своих клиентов.",
        cases=[case] if case is not None else [],
        mode=Campaign.Mode.PER_SIGNATORY,
    )
    demo.objects["campaign:coalition"] = campaign
    if not created:
        return
    from defensor.directory.services import institution_create

    ministry = Institution.objects.filter(organisation=l4l, name_latin="Ministry of Justice of Türkiye").first()
    if ministry is None:
        ministry = institution_create(
            actor=l4l_director,
            organisation=l4l,
            name="Adalet Bakanlığı",
            name_latin="Ministry of Justice of Türkiye",
            kind="ministry",
            country="TR",
            postal_address="Adalet Bakanlığı\n06659 Kızılay, Ankara\nTürkiye",
            salutations={"en": "Dear Minister,", "ru": "Уважаемый господин министр!"},
        )
    services.target_add(actor=l4l_officer, campaign=campaign, institution=ministry, position="Minister of Justice")
    services.template_save(
        actor=l4l_officer,
        campaign=campaign,
        language="en",
        subject="Lawyers must not be prosecuted for representing their clients",
        body=(
            "{{ salutation }}\n\nAs a lawyer, I am concerned about {{ case_facts }}. Lawyers must not be identified "
            "with their clients or their clients' causes.\n\nI urge you to drop the charges.\n\n"
            "Yours sincerely,\n{{ signatory }}\n{{ date }}"
        ),
    )
    services.campaign_launch(actor=l4l_director, campaign=campaign)
    membership = services.partner_request(actor=ji_director, campaign=campaign, partner=demo.objects["org:ji"])
    services.partner_decide(actor=l4l_director, membership=membership, accept=True)
    _signatures(campaign, 60, seed=3)


def build(demo: Any) -> None:
    _live(demo)
    _closed(demo)
    _coalition(demo)
    for key in ("campaign:live", "campaign:closed", "campaign:coalition"):
        demo.objects[key].refresh_from_db()
