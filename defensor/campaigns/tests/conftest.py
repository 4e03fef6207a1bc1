from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from defensor.campaigns import services
from defensor.campaigns.models import Campaign, Signature, Target
from defensor.cases import services as case_services
from defensor.cases.models import Case, CasePublication
from defensor.core.testing import Personas
from defensor.directory.models import Institution

LETTER_BODY = (
    "{{ salutation }}\n\nWe write about {{ case_facts }}.\n\n"
    "We ask you to release him.\n\nYours sincerely,\n{{ co_signing_organisations }}"
)


@dataclass
class World:
    personas: Personas
    prosecutor: Institution
    ministry: Institution
    case: Case
    campaign: Campaign

    @property
    def organisation(self) -> Any:
        return self.personas.organisation

    def user(self, name: str) -> Any:
        return self.personas.users[name]

    def target(self, **values: Any) -> Target:
        fields: dict[str, Any] = {"institution": self.prosecutor, "position": "Prosecutor General"}
        fields.update(values)
        return services.target_add(actor=self.user("case_officer"), campaign=self.campaign, **fields)

    def letter(self, body: str = LETTER_BODY, language: str = "en", kind: str = "letter") -> Any:
        return services.template_save(
            actor=self.user("case_officer"),
            campaign=self.campaign,
            language=language,
            kind=kind,
            subject="Release {{ target }}'s prisoner",
            body=body,
        )

    def sign(self, name: str, email: str, **values: Any) -> Signature:
        fields: dict[str, Any] = {
            "organisation": self.organisation,
            "campaign": self.campaign,
            "name": name,
            "email": email,
            "profession": "lawyer",
            "bar_association": "Amsterdam Bar",
            "country": "NL",
            "status": Signature.Status.CONFIRMED,
            "consent_letter": True,
            "confirmed_at": timezone.now(),
        }
        fields.update(values)
        return Signature.objects.create(**fields)


@pytest.fixture
def world(personas: Personas) -> World:
    organisation = personas.organisation
    officer = personas.users["case_officer"]
    prosecutor = Institution.objects.create(
        organisation=organisation,
        name="Генеральная прокуратура Туркменистана",
        name_latin="Prosecutor General's Office of Turkmenistan",
        kind="prosecutor",
        country="TM",
        email="office@prosecutor.example",
        postal_address="Ashgabat, Turkmenistan",
        salutations={"en": "Dear Prosecutor General,", "ru": "Уважаемый Генеральный прокурор!"},
    )
    ministry = Institution.objects.create(
        organisation=organisation,
        name="Министерство юстиции",
        name_latin="Ministry of Justice of Turkmenistan",
        kind="ministry",
        country="TM",
        email="minister@justice.example",
        salutations={"en": "Dear Minister,"},
    )
    case = case_services.case_open(
        actor=officer,
        organisation=organisation,
        title="Imprisonment of a cotton-harvest monitor",
        summary="Private notes: his family's address is 12 Secret Street.",
        country="TM",
        lead=officer,
        opened_on=datetime.date(2016, 10, 5),
    )
    CasePublication.objects.create(
        case=case,
        pseudonym="a Turkmen labour-rights monitor",
        use_real_name=False,
        fields=["country"],
        public_summary="Detained in 2016 for documenting forced labour",
        updated_by=officer,
    )
    campaign = services.campaign_create(
        actor=officer,
        organisation=organisation,
        slug="free-the-monitor",
        title_en="Free the cotton-harvest monitor",
        ask_en="Release him now.",
        cases=[case],
        co_signing_organisations=["Freedom United"],
    )
    return World(personas, prosecutor, ministry, case, campaign)
