"""The areas in the navigation bar. Each app registers its own entries in `ready()`,
so the bar shows exactly the areas that are built, and only to those whose role has
the capability the area needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    capability: str
    order: int


_items: list[NavItem] = []


def register(*, label: Promise, url_name: str, capability: str = "view", order: int = 100) -> None:
    if not any(item.url_name == url_name for item in _items):
        _items.append(NavItem(label, url_name, capability, order))
        _items.sort(key=lambda item: item.order)


def items_for(capabilities: frozenset[str], path: str) -> list[dict[str, object]]:
    result = []
    for item in _items:
        if item.capability not in capabilities:
            continue
        url = reverse(item.url_name)
        current = path == url or (url != "/app/" and path.startswith(url))
        result.append({"label": item.label, "url": url, "current": current})
    return result
