"""The scheduler of periodic tasks: when runs fall due, and that each run is enqueued exactly once."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import task
from django.tasks.signals import task_enqueued

from defensor.core import schedule

UTC = datetime.UTC

# The command closes stale database connections before each pass.
pytestmark = pytest.mark.django_db


@task()
def ping() -> None:
    """A task that takes no arguments."""


@task()
def daily_report(today: str) -> str:
    """A task that wants the day of its run."""
    return today


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test: the apps' own schedules stay out of the counts."""
    monkeypatch.setattr(schedule, "_registry", {})
    return schedule


@pytest.fixture
def enqueued():
    """(task name, kwargs) of every task enqueued during the test."""
    seen: list[tuple[str, dict]] = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, dict(task_result.kwargs)))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def _at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def test_once_enqueues_a_due_task_exactly_once_even_when_called_twice(registry, enqueued):
    registry.register("test.ping", ping, every=datetime.timedelta(hours=1))
    with time_machine.travel(_at(2024, 3, 1, 10, 30), tick=False):
        call_command("scheduler", "--once", stdout=io.StringIO())
        call_command("scheduler", "--once", stdout=io.StringIO())
    assert enqueued == [("ping", {})]


def test_once_says_what_it_enqueued(registry):
    registry.register("test.ping", ping, every=datetime.timedelta(hours=1))
    out = io.StringIO()
    with time_machine.travel(_at(2024, 3, 1, 10, 30), tick=False):
        call_command("scheduler", "--once", stdout=out)
    assert "Enqueued test.ping." in out.getvalue()


def test_an_hourly_task_runs_again_in_the_next_hour_only(registry, enqueued):
    registry.register("test.ping", ping, every=datetime.timedelta(hours=1))
    registry.run_due(now=_at(2024, 3, 1, 10, 30))
    registry.run_due(now=_at(2024, 3, 1, 10, 59))
    registry.run_due(now=_at(2024, 3, 1, 11, 0))
    assert len(enqueued) == 2


def test_a_daily_task_waits_for_its_time_of_day(registry, enqueued, settings):
    settings.TIME_ZONE = "UTC"
    registry.register("test.daily", daily_report, every=datetime.timedelta(days=1), at=datetime.time(7, 0))
    registry.run_due(now=_at(2024, 3, 1, 8, 0))  # first pass: today's 07:00 run
    registry.run_due(now=_at(2024, 3, 2, 6, 59))  # tomorrow, too early
    registry.run_due(now=_at(2024, 3, 2, 7, 0))
    assert enqueued == [("daily_report", {"today": "2024-03-01"}), ("daily_report", {"today": "2024-03-02"})]


def test_the_time_of_day_is_in_the_configured_time_zone(registry, enqueued, settings):
    settings.TIME_ZONE = "Asia/Ashgabat"  # UTC+5
    registry.register("test.daily", daily_report, every=datetime.timedelta(days=1), at=datetime.time(7, 0))
    registry.run_due(now=_at(2024, 3, 1, 1, 59))  # 06:59 in Ashgabat: the run of 29 February
    registry.run_due(now=_at(2024, 3, 1, 2, 0))  # 07:00 in Ashgabat
    assert [kwargs["today"] for _name, kwargs in enqueued] == ["2024-02-29", "2024-03-01"]


def test_missed_runs_are_caught_up_once(registry, enqueued):
    registry.register("test.daily", daily_report, every=datetime.timedelta(days=1), at=datetime.time(7, 0))
    registry.run_due(now=_at(2024, 3, 1, 8, 0))
    registry.run_due(now=_at(2024, 3, 5, 9, 0))  # the scheduler was down for four days
    assert [kwargs["today"] for _name, kwargs in enqueued] == ["2024-03-01", "2024-03-05"]


def test_a_second_scheduler_does_not_enqueue_a_run_already_taken(registry, enqueued):
    registry.register("test.ping", ping, every=datetime.timedelta(hours=1))
    registry.run_due(now=_at(2024, 3, 1, 10, 30))
    # Another scheduler that took the run but has not yet recorded it as the last one.
    cache.delete(schedule._last_key("test.ping"))
    assert registry.run_due(now=_at(2024, 3, 1, 10, 31)) == []
    assert len(enqueued) == 1


def test_a_failed_enqueue_is_tried_again_at_the_next_pass(registry, enqueued, monkeypatch):
    registry.register("test.ping", ping, every=datetime.timedelta(hours=1))
    calls = []

    class Unavailable:
        func = staticmethod(ping.func)

        def enqueue(self, **kwargs):
            calls.append(kwargs)
            raise ConnectionError("queue unavailable")

    registry.register("test.broken", Unavailable(), every=datetime.timedelta(hours=1))
    assert registry.run_due(now=_at(2024, 3, 1, 10, 30)) == ["test.ping"]
    registry.register("test.broken", ping, every=datetime.timedelta(hours=1))
    assert registry.run_due(now=_at(2024, 3, 1, 10, 31)) == ["test.broken"]
    assert len(calls) == 1


def test_last_run_is_remembered(registry):
    registry.register("test.ping", ping, every=datetime.timedelta(minutes=15))
    registry.run_due(now=_at(2024, 3, 1, 10, 20))
    assert registry.last_run("test.ping") == _at(2024, 3, 1, 10, 15)


@pytest.mark.parametrize(
    ("every", "at"),
    [
        (datetime.timedelta(0), None),
        (datetime.timedelta(hours=-1), None),
        (datetime.timedelta(hours=12), datetime.time(7, 0)),
    ],
)
def test_register_refuses_a_schedule_that_makes_no_sense(registry, every, at):
    with pytest.raises(ValueError):
        registry.register("test.bad", ping, every=every, at=at)


def test_every_few_days_keeps_its_rhythm(registry, enqueued):
    registry.register("test.weekly", daily_report, every=datetime.timedelta(days=7), at=datetime.time(6, 0))
    registry.run_due(now=_at(2024, 3, 1, 12, 0))
    registry.run_due(now=_at(2024, 3, 6, 12, 0))
    registry.run_due(now=_at(2024, 3, 9, 12, 0))
    days = [datetime.date.fromisoformat(kwargs["today"]) for _name, kwargs in enqueued]
    assert len(days) == 2 and (days[1] - days[0]).days == 7


def test_list_shows_the_registered_tasks_and_their_next_run(registry, settings):
    settings.TIME_ZONE = "UTC"
    registry.register("test.daily", daily_report, every=datetime.timedelta(days=1), at=datetime.time(7, 0))
    out = io.StringIO()
    with time_machine.travel(_at(2024, 3, 1, 8, 0), tick=False):
        call_command("scheduler", "--list", stdout=out)
    assert "test.daily" in out.getvalue() and "next: 2024-03-02 07:00" in out.getvalue()


def test_help_says_the_database_backend_has_no_schedules_of_its_own():
    from defensor.core.management.commands.scheduler import Command

    assert "has no schedules of its own" in Command.help


def test_stale_imports_are_expired_daily_by_the_scheduler():
    from defensor.core import schedule

    entry = next(s for s in schedule.registered() if s.name == "core.imports.expire_stale")
    assert entry.every.days == 1
