"""Writes of accounts data. Every function is atomic, takes the acting user, and audits."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defensor.accounts.models import Invitation, Membership, Organisation, Role, User
from defensor.accounts.roles import DEFAULT_ROLES
from defensor.core import crypto
from defensor.core.audit import audit_record, changed_fields
from defensor.core.permissions import Capability, forget_grants, has_capability
from defensor.core.tasks import enqueue_on_commit


def _require(actor: Any, organisation: Organisation, capability: str) -> None:
    if not has_capability(actor, organisation.pk, capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def organisation_create(
    *, actor: Any, name: str, slug: str, short_name: str = "", country: str = "", default_language: str = "en"
) -> Organisation:
    """Create an organisation with the default roles. Operators do this (CLI or Django admin)."""
    organisation = Organisation(
        name=name, slug=slug, short_name=short_name, country=country, default_language=default_language
    )
    organisation.full_clean()
    organisation.save()
    for default in DEFAULT_ROLES:
        flags = {field: cap in default.capabilities for cap, field in Role.CAPABILITY_FIELDS.items()}
        Role.objects.create(organisation=organisation, code=default.code, name="", **flags)
    audit_record(actor=actor, action="accounts.organisation.created", organisation=organisation, obj=organisation)
    return organisation


@transaction.atomic
def membership_add(*, actor: Any, organisation: Organisation, user: User, role: Role) -> Membership:
    """Add a member directly (operators and the demo; staff use invitations)."""
    if role.organisation_id != organisation.pk:
        raise ValidationError(_("That role belongs to another organisation."))
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created:
        membership.role = role
        membership.status = Membership.Status.ACTIVE
        membership.save()
    forget_grants(user)
    audit_record(
        actor=actor,
        action="accounts.membership.created" if created else "accounts.membership.updated",
        organisation=organisation,
        obj=membership,
        changes={"role": role.code, "user": user.email},
    )
    return membership


@transaction.atomic
def invitation_create(
    *, actor: Any, organisation: Organisation, email: str, role: Role, by_operator: bool = False
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the one-time token (sent, never stored).

    `by_operator` is for the command line only (`defensor organisation invite`): whoever runs it
    already controls the server, and a new organisation has nobody yet who could invite.
    """
    if not by_operator:
        _require(actor, organisation, Capability.MANAGE_MEMBERS)
    if role.organisation_id != organisation.pk:
        raise ValidationError(_("That role belongs to another organisation."))
    if not by_operator and role.can_administer and not has_capability(actor, organisation.pk, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator can invite an administrator."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action="accounts.invitation.created",
        organisation=organisation,
        obj=invitation,
        changes={"email": email, "role": role.code},
    )
    from defensor.accounts.tasks import INVITATION_TOKEN_CONTEXT, send_invitation

    # The task queue is a database table that outlives the task: the token goes in sealed,
    # or a copy of the database would hold live invitations that only the hash protects.
    sealed = crypto.encrypt_text(token, organisation_id=organisation.pk, context=INVITATION_TOKEN_CONTEXT)
    enqueue_on_commit(send_invitation, invitation.pk, sealed)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation a token opens, or None (unknown, used, revoked or expired alike)."""
    invitation = Invitation.objects.select_related("organisation", "role").filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str, user: Any = None) -> Membership:
    """Accept an invitation: a new user sets a password; a signed-in user with that email joins."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid: it was used, revoked, or it has expired."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation link is not valid: it was used, revoked, or it has expired."))
    if user is not None and getattr(user, "is_authenticated", False):
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(_("This invitation was sent to another email address."))
        account = user
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this email exists: sign in first, then open the link again."))
        account = User(
            email=invitation.email, full_name=full_name.strip(), language=invitation.organisation.default_language
        )
        try:
            validate_password(password, account)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        account.set_password(password)
        account.full_clean()
        account.save()
    membership, _created = Membership.objects.update_or_create(
        user=account,
        organisation=invitation.organisation,
        defaults={"role": invitation.role, "status": Membership.Status.ACTIVE},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_grants(account)
    audit_record(
        actor=account,
        action="accounts.invitation.accepted",
        organisation=invitation.organisation,
        obj=invitation,
        changes={"role": invitation.role.code},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    _require(actor, invitation.organisation, Capability.MANAGE_MEMBERS)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="accounts.invitation.revoked", organisation=invitation.organisation, obj=invitation
        )
    return invitation


def user_sessions_end(*, user: User) -> int:
    """End every session of a user (all devices). Returns how many were ended."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


def _last_manager_guard(membership: Membership, *, new_role: Role | None = None, leaving: bool = False) -> None:
    """An organisation must keep someone who can manage members."""
    if not membership.role.can_manage_members:
        return
    if new_role is not None and new_role.can_manage_members and not leaving:
        return
    others = Membership.objects.filter(
        organisation=membership.organisation, status=Membership.Status.ACTIVE, role__can_manage_members=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("The organisation would be left with nobody who can manage members."))


@transaction.atomic
def membership_change_role(*, actor: Any, membership: Membership, role: Role) -> Membership:
    _require(actor, membership.organisation, Capability.MANAGE_MEMBERS)
    if role.organisation_id != membership.organisation_id:
        raise ValidationError(_("That role belongs to another organisation."))
    if (role.can_administer or membership.role.can_administer) and not has_capability(
        actor, membership.organisation_id, Capability.ADMINISTER
    ):
        raise PermissionDenied(_("Only an administrator can grant or take away the administrator role."))
    _last_manager_guard(membership, new_role=role)
    before = membership.role.code
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    forget_grants(membership.user)
    audit_record(
        actor=actor,
        action="accounts.membership.role_changed",
        organisation=membership.organisation,
        obj=membership,
        changes=changed_fields({"role": before}, {"role": role.code}),
    )
    return membership


@transaction.atomic
def membership_disable(*, actor: Any, membership: Membership) -> Membership:
    """Disable a member: their access ends now, on every device."""
    _require(actor, membership.organisation, Capability.MANAGE_MEMBERS)
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot disable your own membership."))
    _last_manager_guard(membership, leaving=True)
    membership.status = Membership.Status.DISABLED
    membership.save(update_fields=["status", "updated_at"])
    ended = user_sessions_end(user=membership.user)
    audit_record(
        actor=actor,
        action="accounts.membership.disabled",
        organisation=membership.organisation,
        obj=membership,
        changes={"sessions_ended": ended},
    )
    return membership


@transaction.atomic
def membership_enable(*, actor: Any, membership: Membership) -> Membership:
    _require(actor, membership.organisation, Capability.MANAGE_MEMBERS)
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="accounts.membership.enabled", organisation=membership.organisation, obj=membership
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Remove a member from the organisation and end all their sessions."""
    _require(actor, membership.organisation, Capability.MANAGE_MEMBERS)
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot remove yourself."))
    _last_manager_guard(membership, leaving=True)
    organisation, user = membership.organisation, membership.user
    audit_record(
        actor=actor,
        action="accounts.membership.removed",
        organisation=organisation,
        obj=membership,
        changes={"user": user.email, "role": membership.role.code},
    )
    membership.delete()
    user_sessions_end(user=user)


@transaction.atomic
def role_update(*, actor: Any, role: Role, name: str, capabilities: set[str]) -> Role:
    """Adjust a role's name and capability flags (administrators only)."""
    _require(actor, role.organisation, Capability.ADMINISTER)
    before = {"name": role.name, **{field: getattr(role, field) for field in Role.CAPABILITY_FIELDS.values()}}
    unknown = capabilities - {str(c) for c in Role.CAPABILITY_FIELDS}
    if unknown:
        raise ValidationError(_("Unknown capability."))
    role.name = name.strip()
    for cap, field in Role.CAPABILITY_FIELDS.items():
        setattr(role, field, str(cap) in capabilities)
    if role.can_view_confidential and not role.can_view:
        raise ValidationError(_("A role that sees confidential records must also be able to view."))
    if (
        before["can_administer"]
        and not role.can_administer
        and not Role.objects.filter(
            organisation=role.organisation, can_administer=True, memberships__status=Membership.Status.ACTIVE
        )
        .exclude(pk=role.pk)
        .exists()
    ):
        raise ValidationError(_("The organisation would be left without an administrator role in use."))
    role.full_clean()
    role.save()
    after = {"name": role.name, **{field: getattr(role, field) for field in Role.CAPABILITY_FIELDS.values()}}
    audit_record(
        actor=actor,
        action="accounts.role.updated",
        organisation=role.organisation,
        obj=role,
        changes=changed_fields(before, after),
    )
    return role


@transaction.atomic
def user_update_profile(*, actor: User, full_name: str, language: str) -> User:
    before = {"full_name": actor.full_name, "language": actor.language}
    actor.full_name = full_name.strip()
    actor.language = language
    actor.full_clean()
    actor.save(update_fields=["full_name", "language"])
    audit_record(
        actor=actor,
        action="accounts.user.profile_updated",
        obj=actor,
        changes=changed_fields(before, {"full_name": actor.full_name, "language": actor.language}),
    )
    return actor
