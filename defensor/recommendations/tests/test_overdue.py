"""The definition of overdue: past its due date, open, and nothing recorded since it was made."""

from __future__ import annotations

import datetime

import time_machine

from defensor.recommendations import services
from defensor.recommendations.models import ImplementationStatus, Recommendation

D = datetime.date


def _overdue_ids(today: datetime.date) -> set[int]:
    return set(Recommendation.objects.overdue(today).values_list("pk", flat=True))


def test_past_due_without_followup_is_overdue(world):
    recommendation = world.recommend(due_on=D(2024, 2, 10))
    assert recommendation.is_overdue(D(2024, 2, 11))
    assert _overdue_ids(D(2024, 2, 11)) == {recommendation.pk}


def test_not_overdue_on_the_due_date_itself(world):
    recommendation = world.recommend(due_on=D(2024, 2, 10))
    assert not recommendation.is_overdue(D(2024, 2, 10))
    assert _overdue_ids(D(2024, 2, 10)) == set()


def test_without_due_date_never_overdue(world):
    recommendation = world.recommend(due_on=None)
    assert not recommendation.is_overdue(D(2030, 1, 1))
    assert _overdue_ids(D(2030, 1, 1)) == set()


@time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_any_followup_takes_it_off_the_overdue_list(world):
    recommendation = world.recommend(due_on=D(2024, 2, 10))
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        occurred_on=D(2024, 2, 20),
        action="letter",
        implementation_status=ImplementationStatus.NOT_IMPLEMENTED,
    )
    recommendation.refresh_from_db()
    assert not recommendation.is_overdue(D(2024, 3, 1))
    assert _overdue_ids(D(2024, 3, 1)) == set()


def test_annotated_followups_answer_without_a_query(world, django_assert_num_queries):
    world.recommend(due_on=D(2024, 2, 10))
    recommendation = Recommendation.objects.with_followups().get()
    with django_assert_num_queries(0):
        assert recommendation.is_overdue(D(2024, 2, 11))
