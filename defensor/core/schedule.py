"""Periodic tasks: what runs when. `defensor scheduler` enqueues them; the task worker runs them.

The database task backend (django-tasks-db) runs what is queued but has no schedules of
its own. Apps register their periodic tasks in `AppConfig.ready()`::

    from defensor.core import schedule

    schedule.register("recommendations.reminders", send_reminders, every=timedelta(days=1), at=time(7, 0))

A task is a `django.tasks` task that takes no arguments, or a `today` argument: then it
receives the date (ISO, in settings.TIME_ZONE) of the run it was enqueued for, so that a
run the worker reaches after midnight still works on the day it was meant for.

When runs fall due: with `at`, at that wall-clock time in settings.TIME_ZONE, every
`every` (whole days: daily, or every N days counted from a fixed origin); without `at`,
every `every` counted from the Unix epoch (every hour on the hour, every 15 minutes on the
quarter…). A pass of the scheduler enqueues a task when its latest due run is newer than
the last one enqueued. A run missed while the scheduler was down is enqueued once when it
comes back, not once per missed run.

The last run of each task is kept in the cache (the database cache by default, shared by
every process), and `cache.add` on a key per run is the lock: two schedulers running side
by side never both enqueue the same run. A cache emptied by hand can at worst let the
current run be enqueued again, so scheduled tasks must be idempotent (as every task is,
by house style).
"""

from __future__ import annotations

import datetime
import inspect
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
ONE_DAY = datetime.timedelta(days=1)
KEY_PREFIX = "defensor:schedule"


@dataclass(frozen=True)
class Scheduled:
    name: str
    task: Any
    every: datetime.timedelta
    at: datetime.time | None = None

    @property
    def takes_today(self) -> bool:
        return "today" in inspect.signature(self.task.func).parameters

    def due_run(self, now: datetime.datetime) -> datetime.datetime:
        """The latest moment at or before `now` when this task is due."""
        if self.at is None:
            return EPOCH + ((now - EPOCH) // self.every) * self.every
        zone = timezone.get_default_timezone()
        days = self.every.days
        day = now.astimezone(zone).date()
        day -= datetime.timedelta(days=day.toordinal() % days)
        run = datetime.datetime.combine(day, self.at, tzinfo=zone)
        if run > now:
            run = datetime.datetime.combine(day - self.every, self.at, tzinfo=zone)
        return run

    def next_run(self, now: datetime.datetime) -> datetime.datetime:
        due = self.due_run(now)
        if self.at is None:
            return due + self.every
        return datetime.datetime.combine(due.date() + self.every, self.at, tzinfo=due.tzinfo)

    def run_date(self, run: datetime.datetime) -> str:
        return run.astimezone(timezone.get_default_timezone()).date().isoformat()


_registry: dict[str, Scheduled] = {}


def register(name: str, task: Any, *, every: datetime.timedelta, at: datetime.time | None = None) -> None:
    """Run `task` every `every` (at the time of day `at`, if given); registering a name again replaces it."""
    if every <= datetime.timedelta(0):
        raise ValueError(f"schedule {name!r}: `every` must be positive")
    if at is not None and (every % ONE_DAY or at.tzinfo is not None):
        raise ValueError(f"schedule {name!r}: with `at` (a local time without zone), `every` must be whole days")
    _registry[name] = Scheduled(name, task, every, at)


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> list[Scheduled]:
    return sorted(_registry.values(), key=lambda s: s.name)


def _last_key(name: str) -> str:
    return f"{KEY_PREFIX}:{name}:last"


def _run_key(name: str, run: datetime.datetime) -> str:
    return f"{KEY_PREFIX}:{name}:run:{run.astimezone(datetime.UTC):%Y%m%dT%H%M%S}"


def last_run(name: str) -> datetime.datetime | None:
    """The due time of the last run enqueued for `name`, if the cache remembers it."""
    value = cache.get(_last_key(name))
    return datetime.datetime.fromisoformat(value) if value else None


def run_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every registered task whose due run has not been enqueued yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for scheduled in registered():
        run = scheduled.due_run(now)
        last = last_run(scheduled.name)
        if last is not None and last >= run:
            continue
        lock = _run_key(scheduled.name, run)
        # The lock outlives the run's period, so a late scheduler cannot take the same run again.
        if not cache.add(lock, now.isoformat(), timeout=int((scheduled.every + ONE_DAY).total_seconds())):
            continue
        kwargs = {"today": scheduled.run_date(run)} if scheduled.takes_today else {}
        try:
            scheduled.task.enqueue(**kwargs)
        except Exception:
            cache.delete(lock)
            logger.exception("scheduled task %s could not be enqueued; the next pass tries again", scheduled.name)
            continue
        cache.set(_last_key(scheduled.name), run.isoformat(), timeout=None)
        logger.info("scheduled task %s enqueued for %s", scheduled.name, run.isoformat())
        enqueued.append(scheduled.name)
    return enqueued
