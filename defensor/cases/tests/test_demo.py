"""The demo builder of the cases: enough cases for every list and filter, nothing new on a second run."""

from __future__ import annotations

from typing import Any

import pytest

from defensor.accounts import demo as accounts_demo
from defensor.accounts.models import User
from defensor.cases import demo as cases_demo
from defensor.cases.models import (
    OPEN_LEVELS,
    Case,
    CaseAccess,
    CaseShare,
    CaseSubject,
    Charge,
    Document,
    Event,
    Perpetrator,
    Proceeding,
    RiskAssessment,
    Source,
)
from defensor.core.management.commands.demo import Demo
from defensor.core.models import Activity, ActivityLink
from defensor.directory import demo as directory_demo
from defensor.directory.models import Person
from defensor.standards import demo as standards_demo

pytestmark = pytest.mark.django_db

COUNTED = (
    Case,
    CaseSubject,
    CaseAccess,
    CaseShare,
    Event,
    Perpetrator,
    Source,
    Proceeding,
    Charge,
    Document,
    RiskAssessment,
    Activity,
    ActivityLink,
    Person,
)


def _build() -> Demo:
    demo = Demo()
    for builder in (accounts_demo, standards_demo, directory_demo, cases_demo):
        builder.build(demo)
    return demo


@pytest.fixture
def demo() -> Demo:
    return _build()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _user(email: str) -> Any:
    return User.objects.get(email=email)  # a fresh object: grants are cached on the instance


def test_the_demo_has_at_least_forty_cases_in_at_least_eight_countries(demo: Demo) -> None:
    assert Case.objects.count() >= 40
    assert Case.objects.values("country").distinct().count() >= 8


def test_running_the_demo_twice_creates_nothing_new(demo: Demo) -> None:
    first = _counts()
    _build()
    assert _counts() == first


def test_the_volunteer_sees_no_confidential_case_but_the_one_they_are_on_the_list_of(demo: Demo) -> None:
    visible = Case.objects.visible_to(_user("volunteer@ji.example"))
    restricted = visible.exclude(sensitivity__in=OPEN_LEVELS)
    assert list(restricted.values_list("reference", flat=True)) == ["JI-2017-002"]
    assert Case.objects.exclude(sensitivity__in=OPEN_LEVELS).filter(organisation=demo.objects["org:ji"]).count() > 5


def test_the_cases_use_the_catalogue_and_vary_in_status_risk_and_sensitivity(demo: Demo) -> None:
    assert Event.objects.filter(event_type__vocabulary__code="reprisal_type").count() >= 40
    assert Event.objects.filter(provisions__isnull=False).distinct().count() >= 40
    assert Source.objects.filter(reliability__vocabulary__code="source_reliability").exists()
    assert Perpetrator.objects.filter(perpetrator_type__vocabulary__code="perpetrator_type").exists()
    assert Charge.objects.exists() and Document.objects.exists()
    assert Case.objects.values("status").distinct().count() >= 6
    assert Case.objects.values("risk_level").distinct().count() >= 4
    assert set(Case.objects.values_list("sensitivity", flat=True)) == {"public", "internal", "confidential", "secret"}
    assert set(Case.objects.values_list("lead__email", flat=True)) >= {"officer@ji.example", "director@ji.example"}


def test_the_turkmen_defender_has_the_petition_and_the_opinion_in_the_ledger(demo: Demo) -> None:
    case = Case.objects.get(reference="JI-2017-001")
    assert case.subjects.get().person == demo.objects["person:matalaev"]
    kinds = set(
        Activity.objects.filter(
            pk__in=ActivityLink.objects.filter(object_id=str(case.pk)).values("activity_id")
        ).values_list("kind", flat=True)
    )
    assert {"submission_filed", "decision_received", "event_held"} <= kinds


def test_lawyers_for_lawyers_has_its_own_cases_and_shares_one_with_justice_international(demo: Demo) -> None:
    l4l, ji = demo.objects["org:l4l"], demo.objects["org:ji"]
    own = Case.objects.filter(organisation=l4l)
    assert set(own.values_list("country", flat=True)) >= {"TR", "KZ", "SY"}
    shared = CaseShare.objects.get(case__organisation=l4l, partner=ji)
    assert Case.objects.visible_to(_user("director@ji.example")).filter(pk=shared.case_id).exists()
    assert not Case.objects.visible_to(_user("director@ji.example")).filter(reference="L4L-2017-001").exists()
