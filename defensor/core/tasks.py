"""Helpers around Django's tasks API: enqueue after commit, retry with backoff.

The default backend (django-tasks-db) has no retries of its own, so tasks that talk
to the outside world call `retry_later` when they fail transiently.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue a task only once the current transaction has committed (never for rolled-back work)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def backoff_seconds(attempt: int, *, base: int = 30, cap: int = 3600) -> int:
    return int(min(cap, base * (2 ** max(0, attempt - 1))))


def retry_later(task: Any, *args: Any, attempt: int, max_attempts: int = 6, **kwargs: Any) -> bool:
    """Re-enqueue `task` with an exponential delay. Returns False once attempts are used up."""
    if attempt >= max_attempts:
        return False
    run_after = timezone.now() + datetime.timedelta(seconds=backoff_seconds(attempt))
    task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
    return True


@task()
def expire_stale_imports(today: str = "") -> int:
    """Erase the staged rows of imports left unfinished for a week; returns how many were cancelled."""
    from defensor.core.imports import import_expire_stale

    return import_expire_stale()


def register_periodic() -> None:
    """Housekeeping that core schedules for itself (see defensor.core.schedule)."""
    from defensor.core import schedule

    schedule.register(
        "core.imports.expire_stale", expire_stale_imports, every=datetime.timedelta(days=1), at=datetime.time(3, 0)
    )
