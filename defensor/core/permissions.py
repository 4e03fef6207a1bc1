"""Who may see what: capability grants and `visible_to` querysets.

`core` knows nothing about memberships; `accounts` registers the function that turns a
user into grants (one per organisation, each a set of capability codes). Every domain
queryset is narrowed through `visible_to(user)`: rows of organisations where the user
holds `view`, and — for rows with a sensitivity — confidential and secret rows only
where the user also holds `view_confidential`. Apps with access lists narrow further in
their own querysets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q


class Capability(models.TextChoices):
    VIEW = "view", "View"
    VIEW_CONFIDENTIAL = "view_confidential", "View confidential"
    EDIT = "edit", "Edit"
    EXPORT = "export", "Export"
    PUBLISH = "publish", "Publish"
    MANAGE_MEMBERS = "manage_members", "Manage members"
    ADMINISTER = "administer", "Administer"


@dataclass(frozen=True)
class Grant:
    organisation_id: int
    role: str
    capabilities: frozenset[str]

    def allows(self, capability: str) -> bool:
        return capability in self.capabilities


GrantResolver = Callable[[Any], dict[int, Grant]]
_resolver: GrantResolver | None = None


def register_grant_resolver(resolver: GrantResolver) -> None:
    global _resolver
    _resolver = resolver


def grants_for(user: Any) -> dict[int, Grant]:
    """Grants of a user, keyed by organisation id; cached on the user object per request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_defensor_grants", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if _resolver is None:
        raise RuntimeError("no grant resolver registered (is defensor.accounts installed?)")
    grants = _resolver(user)
    user._defensor_grants = grants
    return grants


def forget_grants(user: Any) -> None:
    if hasattr(user, "_defensor_grants"):
        del user._defensor_grants


def has_capability(user: Any, organisation_id: int | None, capability: str) -> bool:
    if organisation_id is None:
        return False
    grant = grants_for(user).get(organisation_id)
    return grant is not None and grant.allows(capability)


class VisibleQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Queryset of organisation-owned rows; `visible_to` is the only way views read them."""

    def visible_to(self, user: Any, *, organisation: Any = None) -> VisibleQuerySet:
        grants = grants_for(user)
        if organisation is not None:
            org_id = getattr(organisation, "pk", organisation)
            grants = {k: v for k, v in grants.items() if k == org_id}
        viewable = [g for g in grants.values() if g.allows(Capability.VIEW)]
        if not viewable:
            return self.none()
        has_sensitivity = any(f.name == "sensitivity" for f in self.model._meta.concrete_fields)
        if not has_sensitivity:
            return self.filter(organisation_id__in=[g.organisation_id for g in viewable])
        from defensor.core.models import Sensitivity

        open_levels = [Sensitivity.PUBLIC, Sensitivity.INTERNAL]
        condition = Q()
        for grant in viewable:
            if grant.allows(Capability.VIEW_CONFIDENTIAL):
                condition |= Q(organisation_id=grant.organisation_id)
            else:
                condition |= Q(organisation_id=grant.organisation_id, sensitivity__in=open_levels)
        return self.filter(condition)
