"""Who may do what with a monitoring plan the user can already see (seeing follows the case)."""

from __future__ import annotations

from typing import Any

from defensor.cases.access import can_edit_case


def can_manage_plan(user: Any, plan: Any) -> bool:
    """Plan staff: those who may edit the case (the lead, the case team, an editing partner)."""
    return can_edit_case(user, plan.proceeding.case)


def active_assignment(user: Any, plan: Any, role: str) -> Any:
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    return plan.assignments.filter(user_id=user_id, role=role, ended_at__isnull=True).first()


def is_expert(user: Any, plan: Any) -> bool:
    """Confirms findings and grades: plan staff, or an expert reviewer assigned to the plan."""
    from defensor.monitoring.models import ObserverAssignment

    return can_manage_plan(user, plan) or active_assignment(user, plan, ObserverAssignment.Role.EXPERT) is not None


def can_read_observation(user: Any, observation: Any) -> bool:
    """The observer who wrote it, plan staff and the plan's expert reviewers."""
    if observation.observer_id == getattr(user, "pk", None):
        return True
    return is_expert(user, observation.hearing.plan)
