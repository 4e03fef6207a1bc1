"""Reads of recommendations, always through `visible_to`: what the user may not see does not exist."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as Conditional
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404

from defensor.directory.models import Institution
from defensor.recommendations import sources
from defensor.recommendations.models import FollowUp, ImplementationStatus, Recommendation


@dataclass(frozen=True)
class BoardFilters:
    country: str = ""
    addressee: int | None = None
    status: str = ""
    priority: str = ""
    owner: int | None = None
    overdue_only: bool = False


def _visible(user: Any, organisation: Any) -> QuerySet[Recommendation]:
    return Recommendation.objects.visible_to(user, organisation=organisation)


def _filtered(
    queryset: QuerySet[Recommendation], filters: BoardFilters, today: datetime.date, *, with_status: bool = True
) -> QuerySet[Recommendation]:
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    if filters.addressee:
        queryset = queryset.filter(addressee_id=filters.addressee)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.overdue_only:
        queryset = queryset.filter(Recommendation.overdue_condition(today))
    if with_status and filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset


def board(
    *, user: Any, organisation: Any, today: datetime.date, filters: BoardFilters | None = None
) -> QuerySet[Recommendation]:
    """The follow-up board: overdue first, then by due date (none last), each with its latest follow-up."""
    filters = filters or BoardFilters()
    latest = FollowUp.objects.filter(recommendation=OuterRef("pk")).order_by("-occurred_on", "-id")
    overdue_rank = Conditional(
        When(Recommendation.overdue_condition(today), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        _filtered(_visible(user, organisation), filters, today)
        .annotate(
            overdue_rank=overdue_rank,
            last_followup_on=Subquery(latest.values("occurred_on")[:1]),
            last_followup_action=Subquery(latest.values("action")[:1]),
        )
        .select_related("addressee", "owner", "case")
        .order_by("overdue_rank", F("due_on").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class BoardCounts:
    statuses: list[StatusCount]
    overdue: int
    total: int


def board_counts(
    *, user: Any, organisation: Any, today: datetime.date, filters: BoardFilters | None = None
) -> BoardCounts:
    """How many recommendations per implementation status (and overdue) under every filter but the status."""
    filters = filters or BoardFilters()
    queryset = _filtered(_visible(user, organisation), filters, today, with_status=False)
    by_status = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    statuses = [
        StatusCount(value, str(label), by_status.get(value, 0)) for value, label in ImplementationStatus.choices
    ]
    return BoardCounts(
        statuses=statuses,
        overdue=queryset.filter(Recommendation.overdue_condition(today)).count(),
        total=sum(by_status.values()),
    )


def board_choices(*, user: Any, organisation: Any) -> tuple[list[str], list[Institution]]:
    """The countries and addressees of the recommendations the user may see, for the board's filters."""
    visible = _visible(user, organisation)
    countries = sorted(set(visible.order_by().values_list("country", flat=True)))
    addressees = list(
        Institution.objects.filter(pk__in=visible.order_by().values("addressee_id")).order_by("name_latin", "name")
    )
    return countries, addressees


def recommendation_get(*, user: Any, pk: int) -> Recommendation:
    recommendation = (
        Recommendation.objects.visible_to(user)
        .select_related("addressee", "owner", "case", "organisation", "source_type")
        .filter(pk=pk)
        .first()
    )
    if recommendation is None:
        raise Http404
    return recommendation


@dataclass(frozen=True)
class TimelineEntry:
    followup: FollowUp
    link: sources.Described | None


def followup_timeline(*, user: Any, recommendation: Recommendation) -> list[TimelineEntry]:
    """The follow-ups of a recommendation the user may see, newest first, each with its linked record described."""
    followups = recommendation.followups.select_related("recorded_by", "link_type").order_by("-occurred_on", "-id")
    return [TimelineEntry(f, sources.describe(user, f.link_type, f.link_id)) for f in followups]


def source_of(*, user: Any, recommendation: Recommendation) -> sources.Described | None:
    return sources.describe(user, recommendation.source_type, recommendation.source_id)


def recommendations_of_source(*, user: Any, source: Any) -> QuerySet[Recommendation]:
    """The recommendations a report (or any source record) made that the user may see."""
    content_type = ContentType.objects.get_for_model(source)
    return (
        Recommendation.objects.visible_to(user)
        .filter(source_type=content_type, source_id=str(source.pk))
        .select_related("addressee")
        .order_by("id")
    )


def recommendations_of_case(*, user: Any, case: Any) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.visible_to(user)
        .filter(case=case)
        .select_related("addressee")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def recommendations_to(*, user: Any, institution: Institution) -> QuerySet[Recommendation]:
    """The recommendations addressed to an institution that the user may see, newest first."""
    return Recommendation.objects.visible_to(user).filter(addressee=institution).order_by("-made_on", "-id")


def recommendations_citing(*, user: Any, provision_ids: list[int]) -> QuerySet[Recommendation]:
    """The recommendations citing any of these provisions that the user may see, newest first."""
    citing = Recommendation.objects.filter(provisions__in=provision_ids).values("pk")
    return (
        Recommendation.objects.visible_to(user)
        .filter(pk__in=citing)
        .select_related("addressee")
        .order_by("-made_on", "-id")
    )


def overdue_count(*, user: Any, organisation: Any, today: datetime.date) -> int:
    """How many visible recommendations are overdue (for dashboards)."""
    return _visible(user, organisation).filter(Recommendation.overdue_condition(today)).count()
