"""Who may do what with a case the user can already see (seeing is `Case.objects.visible_to`)."""

from __future__ import annotations

from typing import Any

from defensor.core.models import Sensitivity
from defensor.core.permissions import Capability, has_capability


def _open_access(user: Any, case: Any) -> Any:
    cache = getattr(case, "_access_cache", None)
    if cache is None:
        cache = {}
        case._access_cache = cache
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = case.access.filter(user_id=key, revoked_at__isnull=True).first() if key else None
    return cache[key]


def is_on_access_list(user: Any, case: Any) -> bool:
    return case.lead_id == getattr(user, "pk", None) or _open_access(user, case) is not None


def _open_share(user: Any, case: Any) -> Any:
    for organisation_id in _member_organisations(user):
        if organisation_id == case.organisation_id:
            continue
        share = case.shares.filter(partner_id=organisation_id, revoked_at__isnull=True).first()
        if share is not None:
            return share
    return None


def _member_organisations(user: Any) -> list[int]:
    from defensor.core.permissions import grants_for

    return list(grants_for(user))


def can_edit_case(user: Any, case: Any) -> bool:
    """Edit the case and add to it: the lead, an access-list member allowed to edit, or — for an open
    case — any member with the edit capability; in a partner organisation, an editable share."""
    if has_capability(user, case.organisation_id, Capability.EDIT):
        if case.lead_id == getattr(user, "pk", None):
            return True
        if Sensitivity.is_restricted(case.sensitivity):
            access = _open_access(user, case)
            return access is not None and access.can_edit
        return True
    share = _open_share(user, case)
    return share is not None and share.can_edit and has_capability(user, share.partner_id, Capability.EDIT)


def can_manage_access(user: Any, case: Any) -> bool:
    """Only the lead grants and revokes access and shares."""
    return case.lead_id == getattr(user, "pk", None) and has_capability(user, case.organisation_id, Capability.EDIT)


def sees_restricted_records(user: Any, case: Any) -> bool:
    """Confidential events and documents inside a visible case: the case team, or those cleared for them."""
    if is_on_access_list(user, case):
        return True
    return has_capability(user, case.organisation_id, Capability.VIEW_CONFIDENTIAL)


def is_partner_view(user: Any, case: Any) -> bool:
    return case.organisation_id not in _member_organisations(user)
