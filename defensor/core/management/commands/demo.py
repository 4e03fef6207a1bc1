"""`defensor demo`: create the demo organisations, users and data (idempotent).

Each app may have a `demo.py` with `build(demo)`; they run in the order of
INSTALLED_APPS, so later areas extend what earlier ones created.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Demo:
    """What the builders share: the demo password, and what each builder created."""

    password = "defensor-demo-2017"  # noqa: S105 - printed for demo logins; demo only

    def __init__(self) -> None:
        self.objects: dict[str, Any] = {}
        self.logins: list[tuple[str, str, str]] = []


class Command(BaseCommand):
    help = "Create the demo organisations, users and data. Running it again changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = Demo()
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name.startswith("defensor.") and find_spec(module_name):
                    import_module(module_name).build(demo)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {demo.password})"))
        for email, role, organisation in demo.logins:
            self.stdout.write(f"  {email:<38} {role:<22} {organisation}")
        if not settings.DEMO:
            self.stdout.write(
                self.style.WARNING(
                    "DEFENSOR_DEMO is off: demo accounts must set up two-factor authentication at sign-in."
                )
            )
