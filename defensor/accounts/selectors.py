"""Reads of accounts data that depend on who is asking."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from defensor.accounts.models import Invitation, Membership, Organisation, Role, User
from defensor.core.permissions import Capability, Grant, has_capability


def grants_for_user(user: User) -> dict[int, Grant]:
    memberships = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("role")
    return {
        m.organisation_id: Grant(
            organisation_id=m.organisation_id, role=m.role.code, capabilities=m.role.capabilities()
        )
        for m in memberships
    }


def organisations_of(*, user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE).order_by(
        "name"
    )


def membership_of(*, user: Any, organisation: Organisation) -> Membership | None:
    return (
        Membership.objects.filter(user=user, organisation=organisation, status=Membership.Status.ACTIVE)
        .select_related("role")
        .first()
    )


def _require(user: Any, organisation: Organisation, capability: str) -> bool:
    return has_capability(user, organisation.pk, capability)


def member_list(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """Members of the active organisation; only for those who manage members."""
    if not _require(user, organisation, Capability.MANAGE_MEMBERS):
        return Membership.objects.none()
    return Membership.objects.filter(organisation=organisation).select_related("user", "role").order_by("user__email")


def member_get(*, user: Any, organisation: Organisation, pk: int) -> Membership | None:
    return member_list(user=user, organisation=organisation).filter(pk=pk).first()


def invitation_list(*, user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    if not _require(user, organisation, Capability.MANAGE_MEMBERS):
        return Invitation.objects.none()
    return Invitation.objects.filter(organisation=organisation).select_related("role", "invited_by")


def role_list(*, user: Any, organisation: Organisation) -> QuerySet[Role]:
    """Roles the user may assign or edit in the organisation."""
    if not (
        _require(user, organisation, Capability.MANAGE_MEMBERS) or _require(user, organisation, Capability.ADMINISTER)
    ):
        return Role.objects.none()
    return Role.objects.filter(organisation=organisation)
