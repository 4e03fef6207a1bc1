"""`defensor standards check` validates the data files; `defensor standards load` loads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from defensor.standards.loader import DATA_DIR, DatasetError, load, read_dataset


class Command(BaseCommand):
    help = "The standards catalogue: check the data files, or load them into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,load}")
        for name, text in (
            ("check", "Validate the data files: unique codes, parents, siblings, both languages."),
            ("load", "Load the data files (idempotent; items removed from the files become inactive)."),
        ):
            sub = actions.add_parser(name, help=text, description=text)
            sub.add_argument(
                "--data-dir",
                type=Path,
                default=DATA_DIR,
                help="Directory holding instruments/, vocabularies/ and siblings.toml (default: the shipped data).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data_dir"]
        try:
            if options["action"] == "check":
                dataset = read_dataset(data_dir)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The data files are valid: {len(dataset.files)} files, {len(dataset.instruments)} "
                        f"instruments, {dataset.provision_count} provisions, {len(dataset.sibling_pairs)} sibling "
                        f"links, {len(dataset.vocabularies)} vocabularies, {dataset.term_count} terms."
                    )
                )
                return
            report = load(data_dir=data_dir)
        except DatasetError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"The data files have {len(exc.problems)} problem(s); nothing was loaded.") from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Standards catalogue loaded. {report.summary()}"))
        else:
            self.stdout.write("The standards catalogue is already up to date; nothing changed.")
