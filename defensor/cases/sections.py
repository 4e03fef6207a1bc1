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
    return sections.Section(_("Cases"), rows, empty_text=_("In no case you can see."))


def institution_cases(user: Any, institution: Any) -> Any:
    from defensor.directory import sections

    cases = list(selectors.cases_of_institution(user=user, institution=institution)[:LIMIT])
    rows = [
        sections.Row(
            f"{case.reference} · {case.title}", reverse("cases:detail", args=[case.pk]), case.get_status_display()
        )
        for case in cases
    ]
    return sections.Section(_("Cases"), rows, empty_text=_("In no case you can see."))


def register_all() -> None:
    from defensor.directory import sections

    sections.register("cases", person_cases, target="person", order=10)
    sections.register("cases", institution_cases, target="institution", order=10)
