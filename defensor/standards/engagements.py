"""What engages a provision, shown on the provision page without `standards` importing the apps above it.

A higher app registers a provider in its `AppConfig.ready()`::

    from defensor.standards import engagements

    def events_engaging(user, provision):
        visible = Event.objects.visible_to(user).filter(provisions=provision)
        return engagements.Engagement(
            title=_("Events"),
            count=visible.count(),
            rows=[engagements.EngagementRow(e.title, e.get_absolute_url()) for e in visible[: engagements.ROW_LIMIT]],
        )

    engagements.register("events", events_engaging)

A provider must read only through `visible_to(user)`: the count and the rows must never
reveal anything the user may not see, not even that it exists. It returns None to show
nothing at all (for example to a user who may not see the area).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from defensor.standards.models import Provision

ROW_LIMIT = 10


@dataclass(frozen=True)
class EngagementRow:
    title: str
    url: str


@dataclass
class Engagement:
    title: str | Promise
    count: int
    rows: list[EngagementRow] = field(default_factory=list)
    name: str = ""

    @property
    def more(self) -> int:
        """How many engaging items the rows leave out."""
        return max(self.count - len(self.rows), 0)


Provider = Callable[[Any, Provision], Engagement | None]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add or replace the provider called `name`; sections show in the order names were first registered."""
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def registered() -> list[str]:
    return list(_providers)


def engagements_for(user: Any, provision: Provision) -> list[Engagement]:
    """Every registered provider's section for this user and provision, rows cut to ROW_LIMIT."""
    sections = []
    for name, provider in list(_providers.items()):
        engagement = provider(user, provision)
        if engagement is None:
            continue
        engagement.name = name
        engagement.rows = list(engagement.rows)[:ROW_LIMIT]
        sections.append(engagement)
    return sections
