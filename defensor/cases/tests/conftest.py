from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from defensor.cases import services
from defensor.cases.models import Case
from defensor.core.models import Sensitivity
from defensor.core.testing import Personas
from defensor.directory.models import Institution, Person
from defensor.standards.models import Instrument, Provision, Term, Vocabulary


@dataclass
class World:
    personas: Personas
    person: Person
    court: Institution
    provision: Provision
    sibling: Provision
    reprisal: Term
    internal_case: Case
    confidential_case: Case

    @property
    def organisation(self) -> Any:
        return self.personas.organisation

    def user(self, name: str) -> Any:
        return self.personas.users[name]


def make_standards() -> tuple[Provision, Provision, Term]:
    iccpr = Instrument.objects.create(
        code="ICCPR",
        short_title_en="ICCPR",
        short_title_ru="МПГПП",
        title_en="International Covenant on Civil and Political Rights",
        title_ru="Международный пакт о гражданских и политических правах",
        kind="treaty",
        system="un",
        year=1966,
        binding=True,
    )
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
    provision = Provision.objects.create(
        code="ICCPR-14.1",
        instrument=iccpr,
        kind="paragraph",
        number="14(1)",
        title_en="Fair and public hearing",
        title_ru="Справедливое и публичное разбирательство",
        paraphrase_en="Everyone is entitled to a fair and public hearing by an independent tribunal.",
        paraphrase_ru="Каждый имеет право на справедливое и публичное разбирательство независимым судом.",
    )
    sibling = Provision.objects.create(
        code="BPRL-16",
        instrument=bprl,
        kind="principle",
        number="16",
        title_en="Lawyers work without intimidation",
        title_ru="Юристы работают без запугивания",
        paraphrase_en="Governments ensure that lawyers can work without intimidation or improper interference.",
        paraphrase_ru="Правительства обеспечивают, чтобы юристы работали без запугивания и вмешательства.",
    )
    vocabulary = Vocabulary.objects.create(code="reprisal_type", name_en="Reprisal types", name_ru="Виды репрессий")
    liberty = Term.objects.create(
        vocabulary=vocabulary, code="rep.lib", label_en="Deprivation of liberty", label_ru="Лишение свободы"
    )
    reprisal = Term.objects.create(
        vocabulary=vocabulary, code="rep.lib.arrest", parent=liberty, label_en="Arrest", label_ru="Арест"
    )
    return provision, sibling, reprisal


@pytest.fixture
def world(personas: Personas) -> World:
    organisation = personas.organisation
    officer = personas.users["case_officer"]
    person = Person.objects.create(organisation=organisation, name="Гаспар Маталаев", name_latin="Gaspar Matalaev")
    court = Institution.objects.create(organisation=organisation, name="Charjew City Court", kind="court", country="TM")
    provision, sibling, reprisal = make_standards()
    internal_case = services.case_open(
        actor=officer,
        organisation=organisation,
        title="Detention of a cotton-labour monitor",
        summary="Arrested after reporting on forced labour in the cotton harvest.",
        country="TM",
        lead=officer,
        opened_on=datetime.date(2016, 10, 5),
        subjects=[(person, "defender_at_risk")],
    )
    confidential_case = services.case_open(
        actor=officer,
        organisation=organisation,
        title="Threats against a lawyer representing Ukrainians",
        country="RU",
        lead=officer,
        sensitivity=Sensitivity.CONFIDENTIAL,
        opened_on=datetime.date(2017, 3, 1),
    )
    return World(personas, person, court, provision, sibling, reprisal, internal_case, confidential_case)
