"""The interface language, for data that carries its own text per language (`title_en`, `title_ru`…)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

LANGUAGES = ("en", "ru")


def active_language() -> str:
    """The two-letter code of the active language if the data carries it, else English."""
    code = (get_language() or "en").split("-")[0].lower()
    return code if code in LANGUAGES else "en"


def localised(obj: Any, field: str) -> str:
    """`obj.<field>_<language>` in the active language, falling back to English when empty."""
    value = getattr(obj, f"{field}_{active_language()}", "") or ""
    return str(value or getattr(obj, f"{field}_en", "") or "")
