"""Template filters of recommendations: labels of the codes that board rows carry as plain values."""

from __future__ import annotations

from django import template

from defensor.recommendations.models import ActionKind, ImplementationStatus

register = template.Library()


@register.filter(name="action_label")
def action_label(code: str) -> str:
    return str(dict(ActionKind.choices).get(code, code or ""))


@register.filter(name="status_label")
def status_label(code: str) -> str:
    return str(dict(ImplementationStatus.choices).get(code, code or ""))
