"""Reads of core data that depend on who is asking."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from defensor.core.models import Activity, AuditEntry
from defensor.core.permissions import Capability, has_capability


def audit_entries_visible_to(
    *,
    user: Any,
    organisation: Any,
    action: str = "",
    actor: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """An organisation's audit entries, for its administrators only."""
    if not has_capability(user, organisation.pk, Capability.ADMINISTER):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.filter(organisation_id=organisation.pk)
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries.order_by("-seq")


def activity_recent(*, user: Any, organisation: Any, limit: int = 20) -> list[Activity]:
    return list(
        Activity.objects.visible_to(user, organisation=organisation)
        .select_related("actor")
        .order_by("-occurred_on", "-id")[:limit]
    )


def activity_counts_by_year(*, user: Any, organisation: Any, years: int = 3) -> list[dict[str, Any]]:
    """Counts of interventions per kind, for the latest years that have any."""
    rows = (
        Activity.objects.visible_to(user, organisation=organisation)
        .annotate(year=ExtractYear("occurred_on"))
        .values("year", "kind")
        .annotate(count=Count("id"))
        .order_by("-year", "-count", "kind")
    )
    latest = sorted({row["year"] for row in rows}, reverse=True)[:years]
    return [row for row in rows if row["year"] in latest]
