"""Who may change a recommendation the user can already see (seeing is `Recommendation.objects.visible_to`)."""

from __future__ import annotations

from typing import Any

from defensor.cases.access import can_edit_case
from defensor.core.permissions import Capability, has_capability


def can_add(user: Any, organisation_id: int) -> bool:
    return has_capability(user, organisation_id, Capability.EDIT)


def can_edit(user: Any, recommendation: Any) -> bool:
    """Members who may edit in its organisation; for one tied to a case, only those who may edit the case."""
    if not has_capability(user, recommendation.organisation_id, Capability.EDIT):
        return False
    if recommendation.case_id is not None:
        return can_edit_case(user, recommendation.case)
    return True
