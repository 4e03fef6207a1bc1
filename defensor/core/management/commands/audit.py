from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from defensor.core import audit


class Command(BaseCommand):
    help = "Audit log: `verify` walks the hash chain and reports any tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify the hash chain.")
        verify.add_argument("--expect-head", help="The head hash recorded outside the database earlier.")

    def handle(self, *args: Any, action: str, expect_head: str | None = None, **options: Any) -> None:
        result = audit.verify(expect_head=expect_head)
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(f"audit chain is broken: {len(result.problems)} problem(s) in {result.checked} entries")
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact: {result.checked} entries; head #{result.head_seq} {result.head_hash}"
            )
        )
