"""What the dossier adds to pages of lower apps: a person's and an institution's cases,
and the cases and events that engage a provision of the standards catalogue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from defensor.cases import selectors

LIMIT = 20


def person_cases(user: Any, person: Any) -> Any:
    from defensor.directory import sections

    cases = list(selectors.cases_of_person(user=user, person=person)[:LIMIT])
    rows = [
        sections.Row(
            f"{case.reference} · {case.title}", reverse("cases:detail", args=[case.pk]), case.get_status_display()
        )
        for case in cases
    ]
    return sections.Section(_("Cases"), rows, empty_text=_("Appears in no case you can see."))


def institution_cases(user: Any, institution: Any) -> Any:
    from defensor.directory import sections

    cases = list(selectors.cases_of_institution(user=user, institution=institution)[:LIMIT])
    rows = [
        sections.Row(
            f"{case.reference} · {case.title}", reverse("cases:detail", args=[case.pk]), case.get_status_display()
        )
        for case in cases
    ]
    return sections.Section(_("Cases"), rows, empty_text=_("Appears in no case you can see."))


def _events_engaging(user: Any, provision: Any) -> Any:
    from defensor.cases.models import Event
    from defensor.standards.selectors import provision_subtree_ids

    cases = selectors.Case.objects.visible_to(user)
    return (
        Event.objects.filter(
            provisions__in=provision_subtree_ids(provision), case__in=cases, sensitivity__in=selectors.OPEN_LEVELS
        )
        .select_related("case")
        .distinct()
        .order_by("-occurred_on")
    )


def provision_cases(user: Any, provision: Any) -> Any:
    from defensor.standards import engagements

    case_ids = list(_events_engaging(user, provision).values_list("case_id", flat=True).distinct())
    cases = selectors.Case.objects.visible_to(user).filter(pk__in=case_ids).order_by("-opened_on")
    rows = [
        engagements.EngagementRow(f"{case.reference} · {case.title}", reverse("cases:detail", args=[case.pk]))
        for case in cases[: engagements.ROW_LIMIT]
    ]
    return engagements.Engagement(_("Cases"), count=len(set(case_ids)), rows=rows)


def provision_events(user: Any, provision: Any) -> Any:
    from defensor.standards import engagements

    events = _events_engaging(user, provision)
    rows = [
        engagements.EngagementRow(
            f"{event.occurred_on:%Y-%m-%d} · {event.case.reference} · {event.title}",
            reverse("cases:event", args=[event.pk]),
        )
        for event in events[: engagements.ROW_LIMIT]
    ]
    return engagements.Engagement(_("Events"), count=events.count(), rows=rows)


def register_all() -> None:
    from defensor.directory import sections
    from defensor.standards import engagements

    sections.register("cases", person_cases, target="person", order=10)
    sections.register("cases", institution_cases, target="institution", order=10)
    engagements.register("cases", provision_cases)
    engagements.register("events", provision_events)
