from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from defensor.campaigns import letters, selectors, services
from defensor.campaigns.models import Campaign, CampaignPartner, Signature
from defensor.campaigns.signatures import signature_unsign
from defensor.core.models import Activity, ActivityLink, AuditEntry
from defensor.core.testing import make_member
from defensor.directory.models import Affiliation, Person


def blank_pdf() -> bytes:
    buffer = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def test_a_new_campaign_is_a_draft_and_audited(world):
    assert world.campaign.status == Campaign.Status.DRAFT
    assert list(world.campaign.cases.all()) == [world.case]
    assert AuditEntry.objects.filter(action="campaigns.campaign.created", object_id=str(world.campaign.pk)).exists()


def test_volunteer_cannot_create_a_campaign(world):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=world.user("volunteer"), organisation=world.organisation, slug="x", title_en="X", ask_en="Y"
        )


def test_update_records_the_changed_fields(world):
    services.campaign_update(
        actor=world.user("case_officer"), campaign=world.campaign, deadline=datetime.date(2030, 1, 1)
    )
    entry = AuditEntry.objects.filter(action="campaigns.campaign.updated").get()
    assert entry.changes["deadline"]["to"] == "2030-01-01"


def test_launch_needs_the_publish_capability(world):
    world.letter()
    with pytest.raises(PermissionDenied):
        services.campaign_launch(actor=world.user("case_officer"), campaign=world.campaign)


def test_launch_without_a_letter_is_refused(world):
    with pytest.raises(ValidationError):
        services.campaign_launch(actor=world.user("director"), campaign=world.campaign)


def test_launch_puts_the_campaign_on_the_case_timeline(world):
    world.letter()
    campaign = services.campaign_launch(actor=world.user("director"), campaign=world.campaign)
    assert campaign.status == Campaign.Status.LIVE
    assert campaign.launched_at is not None
    activity = Activity.objects.get(kind="campaign_launched")
    assert ActivityLink.objects.filter(activity=activity, object_id=str(world.case.pk)).exists()


def test_pause_then_close(world):
    world.letter()
    services.campaign_launch(actor=world.user("director"), campaign=world.campaign)
    services.campaign_pause(actor=world.user("case_officer"), campaign=world.campaign)
    campaign = services.campaign_close(actor=world.user("case_officer"), campaign=world.campaign)
    assert campaign.status == Campaign.Status.CLOSED
    assert campaign.closed_at is not None


def test_a_partner_asks_and_the_lead_accepts(world):
    outsider = world.user("outsider")
    membership = services.partner_request(
        actor=outsider, campaign=world.campaign, partner=world.personas.other_organisation
    )
    assert membership.status == CampaignPartner.Status.REQUESTED
    assert not selectors.campaigns_visible_to(user=outsider).filter(pk=world.campaign.pk).exists()
    services.partner_decide(actor=world.user("director"), membership=membership, accept=True)
    membership.refresh_from_db()
    assert membership.status == CampaignPartner.Status.ACCEPTED
    assert selectors.campaigns_visible_to(user=outsider).filter(pk=world.campaign.pk).exists()
    assert "Lawyers for Lawyers" in letters.coalition_names(world.campaign)


def test_the_partner_cannot_decide_its_own_request(world):
    membership = services.partner_request(
        actor=world.user("outsider"), campaign=world.campaign, partner=world.personas.other_organisation
    )
    with pytest.raises(PermissionDenied):
        services.partner_decide(actor=world.user("outsider"), membership=membership, accept=True)


def test_a_declined_partner_is_not_a_co_signer(world):
    membership = services.partner_request(
        actor=world.user("outsider"), campaign=world.campaign, partner=world.personas.other_organisation
    )
    services.partner_decide(actor=world.user("director"), membership=membership, accept=False)
    assert "Lawyers for Lawyers" not in letters.coalition_names(world.campaign)


def test_a_member_cannot_ask_to_join_for_an_organisation_they_do_not_edit(world):
    with pytest.raises(PermissionDenied):
        services.partner_request(
            actor=world.user("case_officer"), campaign=world.campaign, partner=world.personas.other_organisation
        )


def test_target_is_whoever_holds_the_office_on_the_day(world):
    officer = world.user("case_officer")
    old = Person.objects.create(organisation=world.organisation, name="Old Prosecutor")
    new = Person.objects.create(organisation=world.organisation, name="Batyr Annayev")
    for person, start, end in (
        (old, datetime.date(2010, 1, 1), datetime.date(2019, 12, 31)),
        (new, datetime.date(2020, 1, 1), None),
    ):
        Affiliation.objects.create(
            organisation=world.organisation,
            person=person,
            institution=world.prosecutor,
            position="Prosecutor General",
            start_date=start,
            end_date=end,
        )
    target = services.target_add(
        actor=officer,
        campaign=world.campaign,
        institution=world.prosecutor,
        position="prosecutor general",
        on=datetime.date(2024, 5, 1),
    )
    assert target.person == new
    assert target.position == "Prosecutor General"
    assert target.salutation == "Dear Prosecutor General,"
    assert target.email == "office@prosecutor.example"
    assert target.postal_address == "Ashgabat, Turkmenistan"


def test_target_salutation_follows_the_language_unless_overridden(world):
    russian = world.target(language="ru")
    assert russian.salutation == "Уважаемый Генеральный прокурор!"
    overridden = world.target(salutation="Your Excellency,", email="pg@other.example")
    assert overridden.salutation == "Your Excellency,"
    assert overridden.email == "pg@other.example"


def test_target_from_another_organisations_directory_is_refused(world):
    from defensor.directory.models import Institution

    foreign = Institution.objects.create(
        organisation=world.personas.other_organisation, name="Foreign", kind="ministry", country="NL"
    )
    with pytest.raises(ValidationError):
        world.target(institution=foreign)


def test_template_with_an_unknown_merge_field_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        world.letter(body="{{ salutation }} {{ __class__ }}")
    assert "__class__" in str(caught.value.message_dict["body"])


def test_template_with_an_unclosed_merge_field_is_refused(world):
    with pytest.raises(ValidationError):
        world.letter(body="{{ salutation }} {{ target")


def test_merge_replaces_fields_and_never_reads_values_as_fields():
    merged = letters.merge("{{ salutation }} {{target}}", {"salutation": "{{ target }}", "target": "T"})
    assert merged == "{{ target }} T"


def test_case_facts_hold_only_what_may_be_published(world):
    facts = letters.case_facts(world.campaign)
    assert "a Turkmen labour-rights monitor" in facts
    assert "Turkmenistan" in facts
    assert "Detained in 2016" in facts
    assert "Secret Street" not in facts


def test_preview_uses_the_first_target(world):
    world.target()
    preview = letters.preview(
        campaign=world.campaign, subject="To {{ target }}", body="{{ salutation }} {{ date }}", language="en"
    )
    assert preview["body"].startswith("Dear Prosecutor General,")
    assert "Prosecutor General's Office of Turkmenistan" in preview["subject"]
    assert preview["errors"] == []


def test_preview_reports_unknown_fields(world):
    preview = letters.preview(campaign=world.campaign, subject="x", body="{{ nope }}", language="en")
    assert preview["errors"]


def test_response_is_on_the_case_timeline_with_its_document(world):
    target = world.target()
    response = services.response_add(
        actor=world.user("case_officer"),
        campaign=world.campaign,
        institution=world.prosecutor,
        target=target,
        received_on=datetime.date(2024, 3, 1),
        summary="The office says the case is under review.",
        document_data=blank_pdf(),
        document_name="answer.pdf",
    )
    assert response.document is not None
    assert response.document.case == world.case
    activity = Activity.objects.get(kind="response_received")
    assert ActivityLink.objects.filter(activity=activity, object_id=str(world.case.pk)).exists()


def test_response_dated_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        services.response_add(
            actor=world.user("case_officer"),
            campaign=world.campaign,
            institution=world.prosecutor,
            received_on=datetime.date(2999, 1, 1),
            summary="x",
        )


def test_the_unsign_link_of_an_update_withdraws_the_signature(world, django_capture_on_commit_callbacks):
    world.sign("Anna de Wit", "anna@example.org", consent_updates=True)
    update = services.update_write(
        actor=world.user("case_officer"), campaign=world.campaign, title_en="He is free", body_en="Released today."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.update_send(actor=world.user("case_officer"), update=update)
    token = re.search(r"/act/free-the-monitor/unsign/([^/\s]+)/", mail.outbox[0].body)
    assert token is not None
    assert signature_unsign(campaign=world.campaign, token=token[1]) is not None
    assert Signature.objects.get().status == Signature.Status.UNSIGNED


def test_update_goes_to_signers_who_asked_in_their_language(world, django_capture_on_commit_callbacks):
    world.sign("Anna de Wit", "anna@example.org", consent_updates=True, language="ru")
    world.sign("Piet Bos", "piet@example.org", consent_updates=False)
    world.sign("Olga K", "olga@example.org", consent_updates=True, status=Signature.Status.PENDING)
    update = services.update_write(
        actor=world.user("case_officer"),
        campaign=world.campaign,
        title_en="He is free",
        body_en="Released today.",
        title_ru="Он на свободе",
        body_ru="Освобождён сегодня.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        update = services.update_send(actor=world.user("case_officer"), update=update)
    assert update.recipients == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Он на свободе"
    assert "/act/free-the-monitor/unsign/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_an_update_is_sent_once(world):
    update = services.update_write(actor=world.user("case_officer"), campaign=world.campaign, title_en="t", body_en="b")
    services.update_send(actor=world.user("case_officer"), update=update)
    with pytest.raises(ValidationError):
        services.update_send(actor=world.user("case_officer"), update=update)


def test_volunteer_cannot_write_an_update(world):
    with pytest.raises(PermissionDenied):
        services.update_write(actor=world.user("volunteer"), campaign=world.campaign, title_en="t", body_en="b")


def test_a_member_of_a_partner_sees_but_cannot_edit(world):
    membership = services.partner_request(
        actor=world.user("outsider"), campaign=world.campaign, partner=world.personas.other_organisation
    )
    services.partner_decide(actor=world.user("director"), membership=membership, accept=True)
    partner_officer = make_member(world.personas.other_organisation, "case_officer", email="co@l4l.test")
    assert selectors.campaign_get(user=partner_officer, pk=world.campaign.pk) == world.campaign
    with pytest.raises(PermissionDenied):
        services.target_add(actor=partner_officer, campaign=world.campaign, institution=world.prosecutor)


def test_preview_without_a_target_names_the_missing_fields(world):
    preview = letters.preview(campaign=world.campaign, subject="s", body="{{ salutation }} {{ date }}", language="en")
    assert preview["body"].startswith("[salutation] ")
    assert preview["target"] is None
