"""The notification of a trial observation to the court and the ministry: a letter from a
per-language template with merge fields, which staff edit before recording it as sent."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from defensor.core.languages import LANGUAGES


def notification_context(plan: Any) -> dict[str, Any]:
    proceeding = plan.proceeding
    court = plan.notify_court or proceeding.body
    now = timezone.now()
    hearings = [h for h in plan.hearings.order_by("scheduled_start") if h.scheduled_start >= now] or list(
        plan.hearings.order_by("scheduled_start")
    )
    observers = [
        a.user.get_full_name()
        for a in plan.assignments.filter(ended_at__isnull=True, role="observer").select_related("user")
    ]
    return {
        "organisation": plan.organisation.name,
        "court": court.display_name if court else "",
        "court_salutation": court.salutation(plan.notification_language) if court else "",
        "ministry": plan.notify_ministry.display_name if plan.notify_ministry else "",
        "case_number": proceeding.case_number,
        "observers": observers,
        "dates": [timezone.localtime(h.scheduled_start).date() for h in hearings],
        "today": timezone.localdate(),
    }


def notification_draft(plan: Any, *, language: str | None = None) -> str:
    """The letter in `language` (or the plan's), filled in from the plan; plain text."""
    language = language if language in LANGUAGES else plan.notification_language
    if language not in LANGUAGES:
        language = "en"
    with translation.override(language):
        text = render_to_string(f"monitoring/letters/notification_{language}.txt", notification_context(plan))
    return text.strip() + "\n"
