from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from defensor.cases import services as case_services
from defensor.cases.models import Case, Proceeding
from defensor.core.testing import Personas, make_member
from defensor.directory.models import Institution, Person
from defensor.monitoring import questionnaire_file, services
from defensor.monitoring.models import Hearing, MonitoringPlan, Questionnaire
from defensor.standards.loader import load


@pytest.fixture
def catalogue(db: None) -> Questionnaire:
    """The standards catalogue and questionnaire v1, as the migrations load them on a new database."""
    load()
    shipped = Questionnaire.objects.filter(organisation__isnull=True, status=Questionnaire.Status.PUBLISHED).first()
    if shipped is not None:  # a browser test's database was migrated, which loaded it already
        return shipped
    return services.questionnaire_load(
        actor=None, content=questionnaire_file.SHIPPED_V1.read_bytes(), source="questionnaire-v1.toml", publish=True
    )


@dataclass
class World:
    personas: Personas
    questionnaire: Questionnaire
    observer: Any
    other_observer: Any
    court: Institution
    judge: Person
    case: Case
    proceeding: Proceeding
    plan: MonitoringPlan
    hearing: Hearing

    @property
    def organisation(self) -> Any:
        return self.personas.organisation

    def user(self, name: str) -> Any:
        return self.personas.users[name]

    def client(self, name: str) -> Any:
        from django.test import Client

        from defensor.core.testing import sign_in

        if name in self.personas.users or name == "anonymous":
            return self.personas.client(name)
        return sign_in(Client(), getattr(self, name))


def soon(days: int = 3, hour: int = 10) -> datetime.datetime:
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(personas: Personas, catalogue: Questionnaire) -> World:
    organisation = personas.organisation
    officer = personas.users["case_officer"]
    observer = make_member(organisation, "trial_observer", email="observer@justice.test")
    other_observer = make_member(organisation, "trial_observer", email="observer2@justice.test")
    court = Institution.objects.create(
        organisation=organisation,
        name="Ашхабадский городской суд",
        name_latin="Ashgabat City Court",
        kind="court",
        country="TM",
    )
    judge = Person.objects.create(organisation=organisation, name="Иван Судьин", name_latin="Ivan Sudin")
    defendant = Person.objects.create(organisation=organisation, name="Гаспар Маталаев", name_latin="Gaspar Matalaev")
    case = case_services.case_open(
        actor=officer,
        organisation=organisation,
        title="Detention of a cotton-labour monitor",
        country="TM",
        lead=officer,
        opened_on=datetime.date(2024, 10, 5),
        subjects=[(defendant, "defender_at_risk")],
    )
    proceeding = case_services.proceeding_add(
        actor=officer, case=case, kind="criminal", body=court, case_number="1-77/2025"
    )
    plan = services.plan_create(actor=officer, proceeding=proceeding, selection_criteria=["risk"])
    hearing = services.hearing_add(actor=officer, plan=plan, kind="trial", scheduled_start=soon(), courtroom="4")
    services.assignment_add(actor=officer, plan=plan, user=observer)
    return World(personas, catalogue, observer, other_observer, court, judge, case, proceeding, plan, hearing)
