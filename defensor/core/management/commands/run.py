"""`defensor run`: the web server (gunicorn), the task worker and the scheduler together, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server, the task worker and the scheduler of periodic tasks; Ctrl-C stops all three."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("DEFENSOR_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("DEFENSOR_WEB_WORKERS", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        web = subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "defensor.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        )
        worker = subprocess.Popen([sys.executable, "-m", "defensor.cli", "db_worker", "--interval", "0.5"])
        scheduler = subprocess.Popen([sys.executable, "-m", "defensor.cli", "scheduler"])
        children = [web, worker, scheduler]
        stopping = False

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            self.style.SUCCESS(
                f"Defensor is running at http://{bind}/ (web pid {web.pid}, worker pid {worker.pid}, "
                f"scheduler pid {scheduler.pid}). Ctrl-C stops all three."
            )
        )
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.time() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Stopped the web server, the worker and the scheduler.")
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)] if not stopping else []
        if failed:
            sys.exit(1)
