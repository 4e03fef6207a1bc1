"""Demo data for the standards app: the catalogue itself (run by `defensor demo`)."""

from __future__ import annotations

from typing import Any

from defensor.standards.loader import load


def build(demo: Any) -> None:
    # Loading is idempotent: on a migrated database it finds nothing to change.
    report = load()
    demo.objects["standards:load_report"] = report
