"""The words and dates documents print, in the document's language.

Typst and Word templates receive them already translated (through gettext, like every other
string of the application) and already formatted, so a template never formats a date itself.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext


def _language(language: str | None) -> Any:
    return translation.override(language) if language else nullcontext()


def document_labels(language: str | None = None) -> dict[str, str]:
    """The library's words in `language` (the active language when None)."""
    with _language(language):
        return {
            # Translators: {page} and {pages} are numbers; keep the braces.
            "page-of": gettext("Page {page} of {pages}"),
            "reference": gettext("Our reference"),
            "subject": gettext("Subject"),
            "annexes": gettext("Annexes"),
            "contents": gettext("Contents"),
            "notes": gettext("Notes"),
        }


def document_date(value: datetime.date | None, language: str | None = None) -> str:
    """A date written out for a document ("3 March 2025", "3 марта 2025 г."); "" for None."""
    if value is None:
        return ""
    with _language(language):
        return formats.date_format(value, "DATE_FORMAT")
