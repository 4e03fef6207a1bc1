"""The demo builder: a monitored trial in Turkey, its published report and followed-up recommendations."""

from __future__ import annotations

import pytest
from django.utils import timezone

from defensor.accounts import demo as accounts_demo
from defensor.cases import demo as cases_demo
from defensor.core.management.commands.demo import Demo
from defensor.directory import demo as directory_demo
from defensor.monitoring import demo as monitoring_demo
from defensor.monitoring import questionnaire_file, services
from defensor.monitoring.models import Finding, Hearing, Observation, TrialGrade, TrialReport
from defensor.recommendations import demo as recommendations_demo
from defensor.recommendations.models import FollowUp, ImplementationStatus, Recommendation
from defensor.standards.loader import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Demo:
    load()
    services.questionnaire_load(
        actor=None, content=questionnaire_file.SHIPPED_V1.read_bytes(), source="questionnaire-v1.toml", publish=True
    )
    demo = Demo()
    for builder in (accounts_demo, directory_demo, cases_demo, recommendations_demo, monitoring_demo):
        builder.build(demo)
    return demo


def _counts() -> tuple[int, ...]:
    return (
        Hearing.objects.count(),
        Observation.objects.count(),
        Finding.objects.count(),
        TrialGrade.objects.count(),
        TrialReport.objects.count(),
        Recommendation.objects.count(),
        FollowUp.objects.count(),
    )


def test_the_trial_of_the_istanbul_lawyer_is_monitored(demo):
    plan = demo.objects["monitoring:plan:tr"]
    assert plan.proceeding.case.country == "TR"
    hearings = list(plan.hearings.all())
    assert len(hearings) == 3
    assert all(2017 <= h.scheduled_start.year <= 2018 for h in hearings)
    assert all(h.observations.filter(status="submitted").exists() for h in hearings)
    assert plan.assignments.filter(user__email="observer@ji.example", role="observer").exists()
    assert plan.assignments.filter(user__email="expert@ji.example", role="expert").exists()


def test_findings_are_confirmed_by_the_expert_and_the_trial_graded(demo):
    plan = demo.objects["monitoring:plan:tr"]
    assert plan.findings.filter(confirmed_by__email="expert@ji.example").count() >= 3
    assert plan.findings.filter(confirmed_value="violation").exists()
    grade = plan.grades.get()
    assert grade.grade == "C" and grade.affected_outcome == "yes"


def test_the_report_is_published_in_english(demo):
    report = demo.objects["monitoring:report:tr"]
    assert (report.status, report.language) == ("published", "en")
    assert "Grade: C." in report.section("summary")["text"]


def test_the_recommendations_are_followed_up_at_different_stages(demo):
    report = demo.objects["monitoring:report:tr"]
    made = Recommendation.objects.filter(source_id=str(report.pk), source_type__model="trialreport")
    assert made.count() == 3
    statuses = set(made.values_list("status", flat=True))
    assert {ImplementationStatus.FULLY, ImplementationStatus.PARTIALLY} <= statuses
    assert made.overdue(timezone.localdate()).count() == 1


def test_second_run_adds_nothing(demo):
    before = _counts()
    monitoring_demo.build(demo)
    assert _counts() == before
