"""Writes of trial reports: generate, edit, review, approve, publish, withdraw. Atomic, checked, audited.

Who: plan staff (those who may edit the case) generate and edit, send for review and take a
report back to draft; members with the publish capability who can see the case approve,
publish and withdraw. Every change keeps the report's new state as a `ReportVersion`, and
the audit entry names the section or the step, never the text.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defensor.core.audit import audit_record
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind
from defensor.core.permissions import Capability, has_capability
from defensor.directory.models import Institution
from defensor.monitoring.access import can_manage_plan
from defensor.monitoring.models import MonitoringPlan, ReportVersion, TrialReport
from defensor.monitoring.reports import content
from defensor.recommendations.models import Priority
from defensor.recommendations.services import recommendation_add

Status = TrialReport.Status


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _require_manage(actor: Any, plan: MonitoringPlan) -> None:
    if not can_manage_plan(actor, plan):
        raise _deny()


def can_publish(actor: Any, report: TrialReport) -> bool:
    """Approve, publish and withdraw: the publish capability, on a case the actor can see."""
    if not has_capability(actor, report.organisation_id, Capability.PUBLISH):
        return False
    return bool(MonitoringPlan.objects.visible_to(actor).filter(pk=report.plan_id).exists())


def _require_publish(actor: Any, report: TrialReport) -> None:
    if not can_publish(actor, report):
        raise _deny()


def _require_editable(report: TrialReport) -> None:
    if not report.is_editable:
        raise ValidationError(_("An approved, published or withdrawn report is not changed: take it back to draft."))


def _require_status(report: TrialReport, *allowed: str) -> None:
    if report.status not in allowed:
        raise ValidationError(
            _("This cannot be done to a report that is %(status)s.")
            % {"status": str(Status(report.status).label).lower()}
        )


def _keep(report: TrialReport, *, actor: Any, event: str) -> ReportVersion:
    """Keep the report's state as it is now: rows are only added, so nothing is ever lost."""
    return ReportVersion.objects.create(
        report=report,
        version=report.version,
        status=report.status,
        event=event,
        title=report.title,
        sections=report.sections,
        recommendations=report.recommendations,
        by=actor,
    )


def _audit(actor: Any, report: TrialReport, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=f"monitoring.report.{action}",
        organisation=report.organisation_id,
        obj=report,
        changes={"plan": report.plan_id, "language": report.language, "version": report.version} | changes,
    )


# ------------------------------------------------------------------ generation


def merge_sections(
    previous: list[dict[str, Any]], generated: list[dict[str, Any]], *, overwrite: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """The generated sections, with the texts editors changed kept (unless `overwrite`).

    Returns the sections and the keys whose edited text was kept. A section an editor changed
    that the generator no longer makes (a hearing removed, a finding dropped) stays, after the
    section it followed.
    """
    old = {item["key"]: item for item in previous}
    kept: list[str] = []
    merged: list[dict[str, Any]] = []
    for item in generated:
        fresh = dict(item, generated=item["text"], generated_heading=item["heading"], edited=False)
        before = old.get(item["key"])
        if before is not None and before.get("edited") and not overwrite:
            fresh.update(text=before["text"], heading=before.get("heading", fresh["heading"]), edited=True)
            kept.append(item["key"])
        merged.append(fresh)
    if not overwrite:
        keys = {item["key"] for item in merged}
        for index, item in enumerate(previous):
            if item["key"] in keys or not item.get("edited"):
                continue
            after = next(
                (p["key"] for p in reversed(previous[:index]) if p["key"] in keys),
                None,
            )
            position = next((i + 1 for i, m in enumerate(merged) if m["key"] == after), len(merged))
            merged.insert(position, dict(item))
            keys.add(item["key"])
            kept.append(item["key"])
    return merged, kept


@transaction.atomic
def report_generate(*, actor: Any, plan: MonitoringPlan, language: str, overwrite: bool = False) -> TrialReport:
    """Make the report on `plan` in `language` from the data, or regenerate it.

    Regenerating keeps every text an editor changed, unless `overwrite`; either way the
    previous state stays among the report's versions.
    """
    _require_manage(actor, plan)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language of the application.")})
    report = TrialReport.objects.select_for_update().filter(plan=plan, language=language).first()
    if report is not None:
        _require_editable(report)
    title, generated = content.build(plan, language)
    created = report is None
    if report is None:
        report = TrialReport(
            organisation_id=plan.organisation_id,
            plan=plan,
            language=language,
            created_by=actor,
        )
    sections, kept = merge_sections(report.sections or [], generated, overwrite=overwrite)
    report.title = title
    report.sections = sections
    report.sensitivity = plan.proceeding.case.sensitivity
    report.generated_at = timezone.now()
    report.full_clean(exclude=["plan", "organisation", "created_by"])
    report.save()
    _keep(report, actor=actor, event="generated")
    _audit(
        actor,
        report,
        "generated",
        {"created": created, "overwrite": overwrite, "sections": len(sections), "kept": kept},
    )
    return report


# ------------------------------------------------------------------ editing


@transaction.atomic
def report_section_edit(*, actor: Any, report: TrialReport, key: str, text: str, heading: str = "") -> TrialReport:
    """Change the text (and heading) of one section."""
    _require_manage(actor, report.plan)
    _require_editable(report)
    sections = [dict(item) for item in report.sections or []]
    target = next((item for item in sections if item["key"] == key), None)
    if target is None:
        raise ValidationError(_("This section is not in the report."))
    text = text.strip()
    heading = heading.strip() or target["heading"]
    if not text:
        raise ValidationError({"text": _("Write the text of the section (it cannot be empty).")})
    if len(heading) > 300:
        raise ValidationError({"heading": _("The heading is too long (at most 300 characters).")})
    changed = [name for name, value in (("text", text), ("heading", heading)) if target.get(name) != value]
    target["text"] = text
    target["heading"] = heading
    target["edited"] = text != target.get("generated", "") or heading != target.get("generated_heading", heading)
    report.sections = sections
    report.save()
    _keep(report, actor=actor, event="edited")
    _audit(actor, report, "edited", {"section": key, "fields": changed})
    return report


def _check_addressee(actor: Any, report: TrialReport, addressee: Institution) -> None:
    visible = Institution.objects.visible_to(actor, organisation=report.organisation_id)
    if not visible.filter(pk=addressee.pk).exists():
        raise ValidationError({"addressee": _("Choose an institution of your organisation's directory.")})


@transaction.atomic
def report_recommendation_add(
    *,
    actor: Any,
    report: TrialReport,
    text: str,
    addressee: Institution,
    priority: str = Priority.MEDIUM,
    due_on: datetime.date | None = None,
) -> dict[str, Any]:
    """Add a recommendation to the report; it becomes a tracked recommendation when the report is published."""
    _require_manage(actor, report.plan)
    _require_editable(report)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the recommendation.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if errors:
        raise ValidationError(errors)
    _check_addressee(actor, report, addressee)
    entry = {
        "id": secrets.token_hex(6),
        "text": text.strip(),
        "addressee": addressee.pk,
        "priority": priority,
        "due_on": due_on.isoformat() if due_on else None,
        "made": None,
    }
    report.recommendations = [*(report.recommendations or []), entry]
    report.save()
    _keep(report, actor=actor, event="edited")
    _audit(actor, report, "edited", {"recommendation": entry["id"], "added": True})
    return entry


@transaction.atomic
def report_recommendation_remove(*, actor: Any, report: TrialReport, entry_id: str) -> None:
    _require_manage(actor, report.plan)
    _require_editable(report)
    entries = report.recommendations or []
    entry = next((e for e in entries if e.get("id") == entry_id), None)
    if entry is None:
        raise ValidationError(_("This recommendation is not in the report."))
    if entry.get("made"):
        raise ValidationError(_("This recommendation was published: follow it up instead of removing it."))
    report.recommendations = [e for e in entries if e.get("id") != entry_id]
    report.save()
    _keep(report, actor=actor, event="edited")
    _audit(actor, report, "edited", {"recommendation": entry_id, "removed": True})


# ------------------------------------------------------------------ the workflow


@transaction.atomic
def report_submit(*, actor: Any, report: TrialReport) -> TrialReport:
    """Send a draft for review (to someone who may approve it)."""
    _require_manage(actor, report.plan)
    _require_status(report, Status.DRAFT)
    report.status = Status.IN_REVIEW
    report.save()
    _keep(report, actor=actor, event="submitted")
    _audit(actor, report, "submitted", {})
    return report


@transaction.atomic
def report_return_to_draft(*, actor: Any, report: TrialReport) -> TrialReport:
    """Take a report in review or approved back to draft; a withdrawn one becomes the draft of a new version."""
    _require_manage(actor, report.plan)
    _require_status(report, Status.IN_REVIEW, Status.APPROVED, Status.WITHDRAWN)
    if report.status == Status.WITHDRAWN:
        report.version += 1
        report.withdrawn_at = None
    report.status = Status.DRAFT
    report.approved_by = None
    report.approved_at = None
    report.save()
    _keep(report, actor=actor, event="returned")
    _audit(actor, report, "returned", {})
    return report


@transaction.atomic
def report_approve(*, actor: Any, report: TrialReport) -> TrialReport:
    _require_publish(actor, report)
    _require_status(report, Status.IN_REVIEW)
    report.status = Status.APPROVED
    report.approved_by = actor
    report.approved_at = timezone.now()
    report.save()
    _keep(report, actor=actor, event="approved")
    _audit(actor, report, "approved", {})
    return report


@transaction.atomic
def report_publish(*, actor: Any, report: TrialReport, dated: datetime.date | None = None) -> TrialReport:
    """Publish an approved report, dated `dated` (today by default); each of its recommendations
    becomes a tracked recommendation whose source is the report. Written to the activity ledger."""
    _require_publish(actor, report)
    _require_status(report, Status.APPROVED)
    dated = dated or timezone.localdate()
    if dated > timezone.localdate():
        raise ValidationError({"dated": _("The date of the report cannot be in the future.")})
    case = report.plan.proceeding.case
    entries = [dict(entry) for entry in report.recommendations or []]
    addressees = Institution.objects.in_bulk([e["addressee"] for e in entries if e.get("addressee")])
    made = 0
    for entry in entries:
        if entry.get("made"):
            continue
        addressee = addressees.get(entry.get("addressee"))
        if addressee is None:
            raise ValidationError(_("A recommendation's addressee no longer exists: change the recommendation."))
        recommendation = recommendation_add(
            actor=actor,
            organisation=report.organisation,
            text=entry["text"],
            addressee=addressee,
            made_on=dated,
            due_on=datetime.date.fromisoformat(entry["due_on"]) if entry.get("due_on") else None,
            case=case,
            source=report,
            priority=entry.get("priority") or Priority.MEDIUM,
        )
        entry["made"] = recommendation.pk
        made += 1
    report.recommendations = entries
    report.status = Status.PUBLISHED
    report.dated = dated
    report.published_by = actor
    report.published_at = timezone.now()
    report.save()
    _keep(report, actor=actor, event="published")
    activity_record(
        actor=actor,
        organisation=report.organisation,
        kind=ActivityKind.REPORT_PUBLISHED,
        occurred_on=dated,
        title=_("Trial report published: %(reference)s") % {"reference": case.reference},
        source=report,
        concerns=[case],
        sensitivity=report.sensitivity,
    )
    _audit(actor, report, "published", {"dated": str(dated), "recommendations": made})
    return report


@transaction.atomic
def report_withdraw(*, actor: Any, report: TrialReport, reason: str) -> TrialReport:
    """Withdraw a published report; the recommendations it made stay, with their follow-ups."""
    _require_publish(actor, report)
    _require_status(report, Status.PUBLISHED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is withdrawn.")})
    report.status = Status.WITHDRAWN
    report.withdrawn_at = timezone.now()
    report.withdrawal_reason = reason.strip()
    report.save()
    _keep(report, actor=actor, event="withdrawn")
    _audit(actor, report, "withdrawn", {"reason": "given"})
    return report
