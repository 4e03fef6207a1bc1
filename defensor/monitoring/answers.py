"""Reading observers' answers: one function per answer type turns typed text into the stored value."""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from django.utils.translation import gettext as _

BOOL3 = ("yes", "no", "unknown")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_TEXT = 20000


class AnswerError(ValueError):
    """The text typed does not fit the question's answer type; the message says why."""


def clean_answer(question: Any, raw: Any) -> Any:
    """The value to store for `raw`, or None when the answer is empty (the question is unanswered)."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None
    kind = question.answer_type
    if kind == "bool3":
        if text not in BOOL3:
            raise AnswerError(_("Choose yes, no or unknown."))
        return text
    if kind == "choice":
        codes = [c["code"] for c in question.choices or []]
        if text not in codes:
            raise AnswerError(_("Choose one of the options."))
        return text
    if kind == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError as exc:
            raise AnswerError(_("Enter a number.")) from exc
        if not math.isfinite(number):
            raise AnswerError(_("Enter a number."))
        return int(number) if number.is_integer() else number
    if kind == "time":
        if not TIME.match(text):
            raise AnswerError(_("Enter a time as hours and minutes, for example 09:30."))
        return text
    if kind == "date":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise AnswerError(_("Enter a date as year-month-day, for example 2025-03-14.")) from exc
    if len(text) > MAX_TEXT:
        raise AnswerError(_("This answer is too long (at most %(max)s characters).") % {"max": MAX_TEXT})
    return text


def display_answer(question: Any, value: Any) -> str:
    """An answer as a person reads it: the label of a choice, the translated yes/no/unknown."""
    if value is None or value == "":
        return ""
    if question.answer_type == "bool3":
        labels = {"yes": _("Yes"), "no": _("No"), "unknown": _("Unknown")}
        return str(labels.get(value, value))
    if question.answer_type == "choice":
        return dict(question.choice_options()).get(value, str(value))
    return str(value)
