"""`defensor scheduler`: enqueue the periodic tasks the apps registered, when they fall due."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from defensor.core import schedule


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (reminders and the like) when they fall due. The database task backend "
        "(django-tasks-db) runs queued tasks but has no schedules of its own: this command is the schedule, and the "
        "task worker (db_worker) runs what it enqueues. It checks every 30 seconds until stopped; `--once` makes one "
        "pass and exits (for tests, or cron). Several schedulers may run at once: each run is enqueued only once. "
        "`defensor run` starts one next to the web server and the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Make one pass and exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between passes (default 30).")
        parser.add_argument(
            "--list", action="store_true", dest="show_list", help="Show the registered tasks and when they run next."
        )

    def handle(self, *args: Any, once: bool, interval: float, show_list: bool, **options: Any) -> None:
        if show_list:
            self._list()
            return
        if once:
            self._pass(raise_errors=True)
            return
        stopping = False

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        names = ", ".join(s.name for s in schedule.registered()) or "none"
        self.stdout.write(f"Scheduler started (every {interval:g} s); tasks: {names}.")
        while not stopping:
            self._pass(raise_errors=False)
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
        self.stdout.write("Scheduler stopped.")

    def _pass(self, *, raise_errors: bool) -> None:
        close_old_connections()
        try:
            enqueued = schedule.run_due()
        except Exception as exc:
            # A database or cache that is briefly unavailable must not end the loop.
            if raise_errors:
                raise CommandError(f"the scheduler pass failed: {exc}") from exc
            self.stderr.write(f"The scheduler pass failed, retrying at the next one: {exc}")
            return
        for name in enqueued:
            self.stdout.write(f"Enqueued {name}.")

    def _list(self) -> None:
        now = timezone.now()
        zone = timezone.get_default_timezone()
        for scheduled in schedule.registered():
            last = schedule.last_run(scheduled.name)
            when = f" at {scheduled.at:%H:%M}" if scheduled.at else ""
            last_text = f"{last.astimezone(zone):%Y-%m-%d %H:%M %Z}" if last else "never"
            next_text = f"{scheduled.next_run(now).astimezone(zone):%Y-%m-%d %H:%M %Z}"
            self.stdout.write(
                f"{scheduled.name}: every {scheduled.every}{when}; last run enqueued: {last_text}; next: {next_text}"
            )
