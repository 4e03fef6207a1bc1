"""The do-no-harm and security checklist of a plan: items are data (`data/checklist.toml`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from defensor.core.languages import active_language

CHECKLIST_FILE = Path(__file__).resolve().parent / "data" / "checklist.toml"


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    concerns: str  # "observer" or "defendant"
    text_en: str
    text_ru: str

    @property
    def text(self) -> str:
        return self.text_ru if active_language() == "ru" and self.text_ru else self.text_en


@cache
def checklist_items() -> tuple[ChecklistItem, ...]:
    content = tomllib.loads(CHECKLIST_FILE.read_text(encoding="utf-8"))
    return tuple(
        ChecklistItem(code=item["code"], concerns=item["for"], text_en=item["text_en"], text_ru=item["text_ru"])
        for item in content["items"]
    )


def checklist_codes() -> set[str]:
    return {item.code for item in checklist_items()}
