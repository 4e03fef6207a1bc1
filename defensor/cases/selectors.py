"""Reads of the dossier, always through `visible_to`: what the user may not see does not exist."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as When_
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from defensor.cases.access import sees_restricted_records
from defensor.cases.models import (
    OPEN_LEVELS,
    Case,
    CaseAccess,
    CaseProgramme,
    CaseShare,
    CaseSubject,
    Document,
    Event,
    Perpetrator,
    Proceeding,
    RiskAssessment,
    Source,
)
from defensor.core.models import Activity, ActivityLink

SORTS = {
    "opened": ("-opened_on", "-id"),
    "-opened": ("opened_on", "id"),
    "reference": ("reference",),
    "updated": ("-updated_at",),
    "risk": ("risk_rank", "-opened_on"),
    "country": ("country", "-opened_on"),
}


@dataclass(frozen=True)
class CaseFilters:
    country: str = ""
    risk: str = ""
    status: str = ""
    reprisal: str = ""
    programme: str = ""
    lead: int | None = None
    open_only: bool = False
    sort: str = "opened"


def case_list_visible_to(*, user: Any, organisation: Any, filters: CaseFilters | None = None) -> QuerySet[Any]:
    """The cases a user may see in the active organisation (and those partners shared with it)."""
    filters = filters or CaseFilters()
    shared_here = CaseShare.objects.filter(case=OuterRef("pk"), partner_id=organisation.pk, revoked_at__isnull=True)
    cases = Case.objects.visible_to(user).filter(Q(organisation_id=organisation.pk) | Exists(shared_here))
    if filters.country:
        cases = cases.filter(country=filters.country.upper())
    if filters.risk:
        cases = cases.filter(risk_level=filters.risk)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.open_only:
        cases = cases.exclude(status__in=Case.CLOSED)
    if filters.programme:
        cases = cases.filter(Exists(CaseProgramme.objects.filter(case=OuterRef("pk"), programme=filters.programme)))
    if filters.lead:
        cases = cases.filter(lead_id=filters.lead)
    if filters.reprisal:
        reprisal_events = Event.objects.filter(category=Event.Category.REPRISAL, sensitivity__in=OPEN_LEVELS).filter(
            Q(event_type__code=filters.reprisal) | Q(event_type__code__startswith=filters.reprisal + ".")
        )
        cases = cases.filter(pk__in=reprisal_events.values("case_id"))
    risk_rank = When_(
        *[When(risk_level=level, then=Value(rank)) for level, rank in Case.RISK_ORDER.items()],
        output_field=IntegerField(),
    )
    order = SORTS.get(filters.sort, SORTS["opened"])
    return (
        cases.annotate(risk_rank=risk_rank)
        .select_related("lead", "organisation")
        .prefetch_related(
            Prefetch("subjects", queryset=CaseSubject.objects.select_related("person")),
            "programmes",
        )
        .order_by(*order)
    )


def case_get(*, user: Any, pk: int) -> Case:
    case = Case.objects.visible_to(user).select_related("lead", "organisation").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def visible_records(user: Any, case: Case, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Events and documents of a visible case: confidential ones only for the case team or the cleared."""
    if sees_restricted_records(user, case):
        return queryset
    return queryset.filter(sensitivity__in=OPEN_LEVELS)


def event_get(*, user: Any, pk: int) -> Event:
    event = Event.objects.filter(pk=pk).select_related("case").first()
    if event is None or not Case.objects.visible_to(user).filter(pk=event.case_id).exists():
        raise Http404
    if not visible_records(user, event.case, Event.objects.filter(pk=pk)).exists():
        raise Http404
    return event


def document_get(*, user: Any, pk: int) -> Document:
    document = Document.objects.filter(pk=pk).select_related("case", "case__organisation").first()
    if document is None or not Case.objects.visible_to(user).filter(pk=document.case_id).exists():
        raise Http404
    if not visible_records(user, document.case, Document.objects.filter(pk=pk)).exists():
        raise Http404
    return document


def proceeding_get(*, user: Any, pk: int) -> Proceeding:
    proceeding = Proceeding.objects.filter(pk=pk).select_related("case").first()
    if proceeding is None or not Case.objects.visible_to(user).filter(pk=proceeding.case_id).exists():
        raise Http404
    return proceeding


@dataclass
class TimelineItem:
    kind: str  # "event" or "activity"
    date: datetime.date
    obj: Any
    sort_key: tuple[Any, ...] = field(default=())


@dataclass
class Dossier:
    case: Case
    subjects: list[CaseSubject]
    events: list[Event]
    events_total: int
    activities: list[Activity]
    proceedings: list[Proceeding]
    documents: list[Document]
    access: list[CaseAccess]
    shares: list[CaseShare]
    risk_history: list[RiskAssessment]
    related: list[Case]
    timeline: list[TimelineItem]
    provisions_by_instrument: list[tuple[Any, list[Any]]]


TIMELINE_PAGE = 50


def provisions_engaged(*, user: Any, case: Case) -> list[tuple[Any, list[Any]]]:
    """The provisions cited by the visible events of a case, grouped by instrument: one query."""
    from defensor.standards.models import Provision

    events = visible_records(user, case, case.events.all())
    provisions = (
        Provision.objects.filter(case_events__in=events)
        .select_related("instrument")
        .distinct()
        .order_by("instrument__code", "order", "code")
    )
    grouped: dict[str, tuple[Any, list[Any]]] = {}
    for provision in provisions:
        grouped.setdefault(provision.instrument.code, (provision.instrument, []))[1].append(provision)
    return list(grouped.values())


def dossier(*, user: Any, case: Case, timeline_filter: str = "", show_all: bool = False) -> Dossier:
    """Everything the dossier page shows, in a fixed number of queries whatever the counts.

    The timeline shows the latest TIMELINE_PAGE events unless `show_all`; the standards engaged
    are counted over all of them.
    """
    from defensor.standards.models import Provision

    events_qs = visible_records(user, case, case.events.all())
    if timeline_filter in ("reprisal", "procedural", "other"):
        events_qs = events_qs.filter(category=timeline_filter)
    events_total = events_qs.count() if timeline_filter != "activities" else 0
    events_qs = (
        events_qs.select_related("event_type", "recorded_by")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.select_related("instrument")),
            Prefetch(
                "perpetrators",
                queryset=Perpetrator.objects.select_related("institution", "person", "perpetrator_type"),
            ),
            Prefetch("sources", queryset=Source.objects.select_related("reliability")),
        )
        .order_by("-occurred_on", "-id")
    )
    if timeline_filter == "activities":
        events: list[Event] = []
    else:
        events = list(events_qs if show_all else events_qs[:TIMELINE_PAGE])
    case_type = ContentType.objects.get_for_model(Case)
    activity_ids = ActivityLink.objects.filter(content_type=case_type, object_id=str(case.pk)).values("activity_id")
    activities = list(
        Activity.objects.visible_to(user, organisation=case.organisation_id)
        .filter(pk__in=activity_ids)
        .order_by("-occurred_on", "-id")
    )
    timeline: list[TimelineItem] = [
        TimelineItem("event", event.occurred_on, event, (event.occurred_on, 1, event.pk)) for event in events
    ]
    if timeline_filter in ("", "activities"):
        oldest_shown = events[-1].occurred_on if events and len(events) < events_total else None
        for activity in activities:
            if oldest_shown is not None and activity.occurred_on < oldest_shown:
                continue  # older than the events shown: it comes with "show all"
            timeline.append(
                TimelineItem("activity", activity.occurred_on, activity, (activity.occurred_on, 0, activity.pk))
            )
    timeline.sort(key=lambda item: item.sort_key, reverse=True)
    by_instrument = provisions_engaged(user=user, case=case)
    return Dossier(
        case=case,
        subjects=list(case.subjects.select_related("person")),
        events=events,
        events_total=events_total,
        activities=activities,
        proceedings=list(
            case.proceedings.select_related("body", "stage", "prosecutor").prefetch_related(
                "charges", "judges", "defence_counsel"
            )
        ),
        documents=list(visible_records(user, case, case.documents.all()).defer("text").select_related("uploaded_by")),
        access=list(case.access.select_related("user", "granted_by", "revoked_by").order_by("-granted_at")),
        shares=list(case.shares.select_related("partner", "granted_by").order_by("-granted_at")),
        risk_history=list(case.risk_assessments.select_related("assessed_by")),
        related=list(Case.objects.visible_to(user).filter(related=case)),
        timeline=timeline,
        provisions_by_instrument=by_instrument,
    )


def cases_of_person(*, user: Any, person: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(subjects__person=person).distinct()


def cases_of_institution(*, user: Any, institution: Any) -> QuerySet[Case]:
    ids = set(Proceeding.objects.filter(body=institution).values_list("case_id", flat=True))
    ids |= set(Perpetrator.objects.filter(institution=institution).values_list("event__case_id", flat=True))
    return Case.objects.visible_to(user).filter(pk__in=ids)


def events_engaging(*, user: Any, provision: Any) -> QuerySet[Event]:
    cases = Case.objects.visible_to(user)
    return (
        Event.objects.filter(provisions=provision, case__in=cases, sensitivity__in=OPEN_LEVELS)
        .select_related("case")
        .order_by("-occurred_on")
    )


def next_hearings(*, user: Any, organisation: Any, days: int = 90, limit: int = 10) -> list[Proceeding]:
    """Hearings coming up in the cases the user may see, soonest first."""
    today = datetime.date.today()
    cases = Case.objects.visible_to(user).filter(organisation_id=organisation.pk)
    return list(
        Proceeding.objects.filter(
            case__in=cases, next_hearing_on__gte=today, next_hearing_on__lte=today + datetime.timedelta(days=days)
        )
        .select_related("case", "body")
        .order_by("next_hearing_on")[:limit]
    )


def my_open_cases(*, user: Any, organisation: Any, limit: int = 10) -> list[Case]:
    """Open cases the user leads or is on the access list of, highest risk first."""
    on_list = CaseAccess.objects.filter(case=OuterRef("pk"), user=user, revoked_at__isnull=True)
    risk_rank = When_(
        *[When(risk_level=level, then=Value(rank)) for level, rank in Case.RISK_ORDER.items()],
        output_field=IntegerField(),
    )
    return list(
        Case.objects.visible_to(user)
        .filter(organisation_id=organisation.pk)
        .filter(Q(lead=user) | Exists(on_list))
        .exclude(status__in=Case.CLOSED)
        .annotate(risk_rank=risk_rank)
        .order_by("risk_rank", "-opened_on")[:limit]
    )
