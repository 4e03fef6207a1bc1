from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from defensor.cases import services as case_services
from defensor.cases.models import Case
from defensor.core.models import Sensitivity
from defensor.core.testing import Personas
from defensor.directory.models import Institution
from defensor.recommendations import services
from defensor.recommendations.models import Recommendation
from defensor.standards.models import Instrument, Provision

TODAY = datetime.date(2024, 3, 1)


@dataclass
class World:
    personas: Personas
    prosecutor: Institution
    ministry: Institution
    provision: Provision
    case: Case
    confidential_case: Case

    @property
    def organisation(self) -> Any:
        return self.personas.organisation

    def user(self, name: str) -> Any:
        return self.personas.users[name]

    def recommend(self, **fields: Any) -> Recommendation:
        """A recommendation recorded by the case officer, with defaults for what a test does not care about."""
        values: dict[str, Any] = {
            "text": "Release the lawyer and drop the charges.",
            "addressee": self.prosecutor,
            "made_on": datetime.date(2024, 1, 10),
            "due_on": datetime.date(2024, 2, 10),
            "owner": self.user("case_officer"),
        }
        values.update(fields)
        return services.recommendation_add(actor=self.user("case_officer"), organisation=self.organisation, **values)


def make_provision() -> Provision:
    bprl = Instrument.objects.create(
        code="BPRL",
        short_title_en="Basic Principles",
        short_title_ru="Основные принципы",
        title_en="Basic Principles on the Role of Lawyers",
        title_ru="Основные принципы, касающиеся роли юристов",
        kind="principles",
        system="un",
        year=1990,
    )
    return Provision.objects.create(
        code="BPRL-16",
        instrument=bprl,
        kind="principle",
        number="16",
        title_en="Lawyers work without intimidation",
        title_ru="Юристы работают без запугивания",
        paraphrase_en="Governments ensure that lawyers can work without intimidation or improper interference.",
        paraphrase_ru="Правительства обеспечивают, чтобы юристы работали без запугивания и вмешательства.",
    )


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
    )
    ministry = Institution.objects.create(
        organisation=organisation,
        name="Министерство юстиции Республики Казахстан",
        name_latin="Ministry of Justice of the Republic of Kazakhstan",
        kind="ministry",
        country="KZ",
    )
    case = case_services.case_open(
        actor=officer,
        organisation=organisation,
        title="Detention of a cotton-labour monitor",
        country="TM",
        lead=officer,
        opened_on=datetime.date(2016, 10, 5),
    )
    confidential_case = case_services.case_open(
        actor=officer,
        organisation=organisation,
        title="Threats against a lawyer representing Ukrainians",
        country="RU",
        lead=officer,
        sensitivity=Sensitivity.CONFIDENTIAL,
        opened_on=datetime.date(2017, 3, 1),
    )
    return World(personas, prosecutor, ministry, make_provision(), case, confidential_case)
