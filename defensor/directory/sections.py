"""Sections that higher apps add to person and institution pages.

The directory sits below `cases`, `campaigns` and the rest, so it may not import them;
instead they register a provider here in their `AppConfig.ready()`:

    from defensor.directory import sections

    def person_cases(user, person):
        cases = case_list_for_person(user=user, person=person)
        if not cases:
            return None
        return sections.Section(_("Cases"), [sections.Row(c.title, c.get_absolute_url()) for c in cases])

    sections.register("cases", person_cases, order=10)
    sections.register("cases", institution_cases, target="institution", order=10)

A provider receives the user who looks at the page and the person (or institution), and
returns a `Section` (title and rows) or None when it has nothing to show. It must
show only what that user may see: go through selectors built on `visible_to`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise

Target = Literal["person", "institution"]


@dataclass(frozen=True)
class Row:
    text: str | Promise
    url: str = ""
    detail: str | Promise = ""


@dataclass(frozen=True)
class Section:
    title: str | Promise
    rows: list[Row] = field(default_factory=list)
    empty_text: str | Promise = ""


Provider = Callable[[Any, Any], Section | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    provider: Provider
    order: int


_registry: dict[Target, dict[str, _Registered]] = {"person": {}, "institution": {}}


def register(name: str, provider: Provider, *, target: Target = "person", order: int = 100) -> None:
    """Add (or replace, by name) a section on person pages, or on institution pages."""
    if target not in _registry:
        raise ValueError(f"unknown section target {target!r}")
    _registry[target][name] = _Registered(name, provider, order)


def unregister(name: str, *, target: Target = "person") -> None:
    _registry[target].pop(name, None)


def sections_for(user: Any, obj: Any, *, target: Target) -> list[Section]:
    """The sections to show on the page of `obj`, in order."""
    shown = []
    for entry in sorted(_registry[target].values(), key=lambda e: (e.order, e.name)):
        section = entry.provider(user, obj)
        if section is not None:
            shown.append(section)
    return shown
