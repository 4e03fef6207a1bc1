"""`defensor translations check`: is every string of the interface in the Russian catalogue, translated?

It extracts the strings again (Django's makemessages, which needs GNU gettext), compares them with
the committed catalogue, puts the committed file back, and fails when a string is missing, left
untranslated or marked fuzzy. `defensor translations update` keeps the freshly extracted file so
that the new strings can be translated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

IGNORE = [".venv/*", ".tools/*", "var/*", "test-results/*", "bench/*", "docs/*"]


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def _ids(path: Path) -> tuple[set[str], list[str], list[str]]:
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    ids: set[str] = set()
    untranslated: list[str] = []
    fuzzy: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        ids.add(key)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            untranslated.append(key)
        if message.fuzzy:
            fuzzy.append(key)
    return ids, untranslated, fuzzy


class Command(BaseCommand):
    help = "Check (or update) the Russian catalogue against the strings in the code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "update"])
        parser.add_argument("--language", default="ru")

    def handle(self, *args: Any, action: str, language: str, **options: Any) -> None:
        path = catalogue_path(language)
        committed = path.read_bytes()
        before, _untranslated, _fuzzy = _ids(path)
        call_command(
            "makemessages", locale=[language], no_obsolete=True, no_location=True, ignore_patterns=IGNORE, verbosity=0
        )
        after, untranslated, fuzzy = _ids(path)
        if action == "update":
            self.stdout.write(f"{len(after - before)} new strings, {len(untranslated)} to translate.")
            return
        path.write_bytes(committed)
        missing = sorted(after - before)
        problems = []
        if missing:
            problems.append(f"{len(missing)} strings are not in the catalogue, e.g. {missing[:5]}")
        if untranslated:
            problems.append(f"{len(untranslated)} strings are not translated, e.g. {untranslated[:5]}")
        if fuzzy:
            problems.append(f"{len(fuzzy)} translations are marked fuzzy, e.g. {fuzzy[:5]}")
        if problems:
            raise CommandError(
                "The Russian catalogue is out of date: " + "; ".join(problems) + ". Run `defensor translations update`."
            )
        self.stdout.write(self.style.SUCCESS(f"All {len(after)} strings are translated."))
