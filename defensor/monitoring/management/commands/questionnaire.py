"""`defensor questionnaire check <file>` validates a questionnaire file; `defensor questionnaire load
<file>` loads it as a new version (shipped, or of an organisation), optionally publishing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from defensor.monitoring import questionnaire_file


class Command(BaseCommand):
    help = "The observation questionnaire: check a data file, or load it as a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,load}")
        check = actions.add_parser("check", help="Validate a questionnaire file against the standards catalogue.")
        check.add_argument("file", type=Path)
        load = actions.add_parser("load", help="Load a questionnaire file as a new draft version.")
        load.add_argument("file", type=Path)
        load.add_argument("--publish", action="store_true", help="Publish the version once loaded (it is frozen).")
        load.add_argument("--organisation", default="", help="Slug of the organisation (default: shipped version).")
        load.add_argument("--label", default="", help="Label of the version (default: the one in the file).")

    def handle(self, *args: Any, **options: Any) -> None:
        from defensor.accounts.models import Organisation
        from defensor.monitoring.services import questionnaire_load
        from defensor.standards.models import Provision

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        content = path.read_bytes()
        if options["action"] == "check":
            known = set(Provision.objects.values_list("code", flat=True))
            try:
                spec = questionnaire_file.parse(content, known_provisions=known, name=path.name)
            except questionnaire_file.QuestionnaireFileError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                raise CommandError(f"The file has {len(exc.problems)} problem(s).") from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path.name} is valid: {len(spec.sections)} sections, {spec.question_count} questions."
                )
            )
            return
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        try:
            questionnaire = questionnaire_load(
                actor=None,
                content=content,
                source=path.name,
                organisation=organisation,
                publish=options["publish"],
                label=options["label"] or None,
            )
        except ValidationError as exc:
            for problem in exc.messages:
                self.stderr.write(f"  {problem}")
            raise CommandError("Nothing was loaded.") from exc
        state = "published" if options["publish"] else "loaded as a draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"Questionnaire {questionnaire.label} {state}: {questionnaire.questions.count()} questions."
            )
        )
