"""The demo builder: recommendations at every stage for the demo cases, and nothing new on a second run."""

from __future__ import annotations

import pytest
from django.utils import timezone

from defensor.accounts import demo as accounts_demo
from defensor.cases import demo as cases_demo
from defensor.core.management.commands.demo import Demo
from defensor.directory import demo as directory_demo
from defensor.recommendations import demo as recommendations_demo
from defensor.recommendations.models import FollowUp, ImplementationStatus, Recommendation
from defensor.standards.loader import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Demo:
    load()
    demo = Demo()
    for builder in (accounts_demo, directory_demo, cases_demo, recommendations_demo):
        builder.build(demo)
    return demo


def test_demo_has_one_recommendation_at_each_stage(demo):
    today = timezone.localdate()
    statuses = set(Recommendation.objects.values_list("status", flat=True))
    assert {ImplementationStatus.PARTIALLY, ImplementationStatus.FULLY} <= statuses
    assert Recommendation.objects.overdue(today).count() == 1
    assert demo.objects["recommendation:turkmenistan-access-to-clients"].is_overdue(today)


def test_demo_ties_recommendations_to_the_demo_cases(demo):
    recommendation = demo.objects["recommendation:matalaev-release"]
    assert recommendation.case.reference == "JI-2017-001"
    assert recommendation.addressee == demo.objects["institution:pg-turkmenistan"]
    assert recommendation.source_type is not None  # the Working Group's opinion, in the ledger


def test_demo_links_a_followup_to_the_letter_in_the_ledger(demo):
    assert FollowUp.objects.filter(link_type__model="activity").exists()


def test_second_run_adds_nothing(demo):
    counts = (Recommendation.objects.count(), FollowUp.objects.count())
    recommendations_demo.build(demo)
    assert (Recommendation.objects.count(), FollowUp.objects.count()) == counts


def test_without_the_cases_the_demo_still_builds(db):
    load()
    demo = Demo()
    for builder in (accounts_demo, directory_demo, recommendations_demo):
        builder.build(demo)
    assert Recommendation.objects.count() == len(recommendations_demo.RECOMMENDATIONS)
    assert not Recommendation.objects.filter(case__isnull=False).exists()
