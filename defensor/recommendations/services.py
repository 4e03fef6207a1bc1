"""Writes of recommendations and follow-ups, and the reminders. Atomic, with the acting user, checked, audited.

Other apps' services make recommendations from their reports with
`recommendation_add(actor=..., organisation=..., source=report, ...)`: the source is kept
as a generic reference, and its case (see `sources.case_of`) is set on the recommendation.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from defensor.accounts.models import Membership
from defensor.cases.access import can_edit_case
from defensor.cases.models import Case
from defensor.core.audit import audit_record, changed_fields
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind, Sensitivity
from defensor.directory.models import Institution
from defensor.recommendations import access, sources
from defensor.recommendations.models import (
    REMINDER_DAYS_BEFORE,
    ActionKind,
    FollowUp,
    ImplementationStatus,
    Priority,
    Recommendation,
)
from defensor.standards.models import Provision

logger = logging.getLogger(__name__)

# The text is a published recommendation, but a restricted one must not reach the audit log either.
SECRET_FIELDS = ("text",)

# Follow-ups that record an intervention made outside Defensor's other areas go to the activity ledger.
LEDGER_KINDS = {
    ActionKind.LETTER: ActivityKind.LETTER_SENT,
    ActionKind.MEETING: ActivityKind.MEETING_HELD,
    ActionKind.STATEMENT: ActivityKind.STATEMENT_PUBLISHED,
    ActionKind.SUBMISSION: ActivityKind.SUBMISSION_FILED,
    ActionKind.PUBLICATION: ActivityKind.REPORT_PUBLISHED,
}


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _snapshot(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "text": recommendation.text,
        "addressee": recommendation.addressee_id,
        "country": recommendation.country,
        "case": recommendation.case_id,
        "priority": recommendation.priority,
        "made_on": str(recommendation.made_on),
        "due_on": str(recommendation.due_on) if recommendation.due_on else None,
        "owner": recommendation.owner_id,
        "sensitivity": recommendation.sensitivity,
        "provisions": sorted(recommendation.provisions.values_list("code", flat=True)) if recommendation.pk else [],
    }


def _check_addressee(actor: Any, addressee: Institution) -> None:
    if not Institution.objects.visible_to(actor).filter(pk=addressee.pk).exists():
        raise ValidationError({"addressee": _("Choose an institution of your organisation's directory.")})


def _check_case(actor: Any, case: Case | None) -> None:
    if case is not None and not can_edit_case(actor, case):
        raise _deny()


def _check_owner(recommendation: Recommendation) -> None:
    """The owner is an active member who can see the recommendation (or the reminders would lead nowhere)."""
    owner = recommendation.owner
    if owner is None:
        return
    is_member = Membership.objects.filter(
        user=owner, organisation_id=recommendation.organisation_id, status=Membership.Status.ACTIVE
    ).exists()
    if not owner.is_active or not is_member:
        raise ValidationError({"owner": _("The owner must be a member of the organisation.")})
    if not Recommendation.objects.visible_to(owner).filter(pk=recommendation.pk).exists():
        raise ValidationError({"owner": _("The owner cannot see this recommendation: choose someone who can.")})


def _default_country(country: str, addressee: Institution, case: Case | None) -> str:
    return (country or addressee.country or (case.country if case is not None else "")).upper()


@transaction.atomic
def recommendation_add(
    *,
    actor: Any,
    organisation: Any,
    text: str,
    addressee: Institution,
    made_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
    country: str = "",
    case: Case | None = None,
    source: models.Model | None = None,
    provisions: Iterable[Provision] = (),
    priority: str = Priority.MEDIUM,
    owner: Any = None,
    sensitivity: str | None = None,
) -> Recommendation:
    """Record a recommendation, by hand or made by a `source` record (a report, an opinion…).

    The case defaults to the source's case; the country to the addressee's (then the case's);
    the sensitivity to the case's (internal without a case).
    """
    if not access.can_add(actor, organisation.pk):
        raise _deny()
    source_type: ContentType | None = None
    source_id = ""
    if source is not None:
        if getattr(source, "organisation_id", organisation.pk) != organisation.pk:
            raise ValidationError(_("The source belongs to another organisation."))
        source_type, source_id = ContentType.objects.get_for_model(source), str(source.pk)
        if case is None:
            case = sources.case_of(source)
    _check_case(actor, case)
    _check_addressee(actor, addressee)
    recommendation = Recommendation(
        organisation=organisation,
        source_type=source_type,
        source_id=source_id,
        case=case,
        text=text.strip(),
        addressee=addressee,
        country=_default_country(country, addressee, case),
        priority=priority,
        made_on=made_on or timezone.localdate(),
        due_on=due_on,
        owner=owner,
        status=ImplementationStatus.UNKNOWN,
        sensitivity=sensitivity or (case.sensitivity if case is not None else Sensitivity.INTERNAL),
    )
    if not recommendation.country:
        raise ValidationError({"country": _("Choose the country concerned: the addressee has none.")})
    recommendation.full_clean()
    recommendation.save()
    recommendation.provisions.set(list(provisions))
    _check_owner(recommendation)
    audit_record(
        actor=actor,
        action="recommendations.recommendation.added",
        organisation=organisation,
        obj=recommendation,
        changes={
            "fields": sorted(_snapshot(recommendation)),
            "source": f"{source_type.app_label}.{source_type.model}:{source_id}" if source_type else None,
            "case": recommendation.case_id,
            "sensitivity": recommendation.sensitivity,
        },
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *,
    actor: Any,
    recommendation: Recommendation,
    text: str,
    addressee: Institution,
    made_on: datetime.date,
    due_on: datetime.date | None,
    country: str = "",
    case: Case | None = None,
    provisions: Iterable[Provision] = (),
    priority: str = Priority.MEDIUM,
    owner: Any = None,
    sensitivity: str = Sensitivity.INTERNAL,
) -> Recommendation:
    """Change a recommendation. A new due date starts its reminders over."""
    if not access.can_edit(actor, recommendation):
        raise _deny()
    if case is not None and case.pk != recommendation.case_id:
        _check_case(actor, case)
    if addressee.pk != recommendation.addressee_id:
        _check_addressee(actor, addressee)
    first_followup = recommendation.followups.order_by("occurred_on").values_list("occurred_on", flat=True).first()
    if first_followup is not None and made_on > first_followup:
        raise ValidationError({"made_on": _("It was followed up before that date: it cannot have been made later.")})
    before = _snapshot(recommendation)
    if due_on != recommendation.due_on:
        recommendation.reminded_due_soon_on = None
        recommendation.reminded_overdue_on = None
    recommendation.text = text.strip()
    recommendation.addressee = addressee
    recommendation.case = case
    recommendation.country = _default_country(country, addressee, case)
    recommendation.priority = priority
    recommendation.made_on = made_on
    recommendation.due_on = due_on
    recommendation.owner = owner
    recommendation.sensitivity = sensitivity
    if not recommendation.country:
        raise ValidationError({"country": _("Choose the country concerned: the addressee has none.")})
    recommendation.full_clean()
    recommendation.save()
    recommendation.provisions.set(list(provisions))
    _check_owner(recommendation)
    audit_record(
        actor=actor,
        action="recommendations.recommendation.updated",
        organisation=recommendation.organisation_id,
        obj=recommendation,
        changes=changed_fields(before, _snapshot(recommendation), secret=SECRET_FIELDS),
    )
    return recommendation


def _check_link(actor: Any, recommendation: Recommendation, link: models.Model) -> None:
    """A linked record is one of the organisation's, and one the actor may see."""
    if getattr(link, "organisation_id", recommendation.organisation_id) != recommendation.organisation_id:
        raise ValidationError({"link_type": _("The linked record belongs to another organisation.")})
    manager: Any = type(link)._default_manager
    if hasattr(manager, "visible_to") and not manager.visible_to(actor).filter(pk=link.pk).exists():
        raise ValidationError({"link_type": _("The linked record does not exist.")})


@transaction.atomic
def followup_add(
    *,
    actor: Any,
    recommendation: Recommendation,
    occurred_on: datetime.date,
    action: str,
    implementation_status: str,
    description: str = "",
    link: models.Model | None = None,
    external_url: str = "",
) -> FollowUp:
    """Record what was done and where the recommendation stands; its status becomes the latest follow-up's.

    A follow-up that links no record of Defensor (a letter sent by hand, a meeting) is an
    intervention nobody else records: it also goes to the activity ledger.
    """
    if not access.can_edit(actor, recommendation):
        raise _deny()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Record what was done: the date cannot be in the future.")})
    followup = FollowUp(
        organisation_id=recommendation.organisation_id,
        recommendation=recommendation,
        occurred_on=occurred_on,
        action=action,
        implementation_status=implementation_status,
        description=description.strip(),
        external_url=external_url.strip(),
        recorded_by=actor,
    )
    if link is not None:
        _check_link(actor, recommendation, link)
        followup.link_type = ContentType.objects.get_for_model(link)
        followup.link_id = str(link.pk)
    followup.full_clean()
    followup.save()
    status_before = recommendation.status
    latest = recommendation.followups.order_by("-occurred_on", "-id").first()
    if latest is not None and recommendation.status != latest.implementation_status:
        recommendation.status = latest.implementation_status
        recommendation.save(update_fields=["status", "updated_at"])
    kind = LEDGER_KINDS.get(ActionKind(action))
    if link is None and kind is not None:
        activity_record(
            actor=actor,
            organisation=recommendation.organisation,
            kind=kind,
            occurred_on=occurred_on,
            title=_("%(action)s: follow-up of a recommendation to %(addressee)s")
            % {"action": followup.get_action_display(), "addressee": recommendation.addressee.display_name},
            source=followup,
            concerns=[recommendation.case] if recommendation.case is not None else [],
            sensitivity=Sensitivity.CONFIDENTIAL if recommendation.is_restricted else recommendation.sensitivity,
        )
    audit_record(
        actor=actor,
        action="recommendations.followup.added",
        organisation=recommendation.organisation_id,
        obj=followup,
        changes={
            "recommendation": recommendation.pk,
            "action": action,
            "occurred_on": str(occurred_on),
            "implementation_status": implementation_status,
            "description": "recorded" if followup.description else "",
            "status": {"from": status_before, "to": recommendation.status},
        },
    )
    return followup


# ------------------------------------------------------------------ reminders


@dataclass(frozen=True)
class SentReminder:
    recommendation_id: int
    reason: str  # "due_soon" or "overdue"
    to: str


DUE_SOON = "due_soon"
OVERDUE = "overdue"
_REMINDER_FIELD = {DUE_SOON: "reminded_due_soon_on", OVERDUE: "reminded_overdue_on"}


def _reminder_reason(recommendation: Recommendation, today: datetime.date) -> str | None:
    due_on = recommendation.due_on
    if due_on is None or not recommendation.is_open or recommendation.followups.exists():
        return None
    if due_on < today:
        return OVERDUE if recommendation.reminded_overdue_on is None else None
    if due_on <= today + datetime.timedelta(days=REMINDER_DAYS_BEFORE):
        return DUE_SOON if recommendation.reminded_due_soon_on is None else None
    return None


def _reminder_message(recommendation: Recommendation, reason: str, today: datetime.date) -> EmailMessage:
    owner = recommendation.owner
    assert owner is not None
    link = settings.SITE_URL.rstrip("/") + reverse("recommendations:detail", args=[recommendation.pk])
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        context = {
            "recommendation": recommendation,
            "reason": reason,
            "restricted": recommendation.is_restricted,
            "days": (recommendation.due_on - today).days if recommendation.due_on else 0,
            "link": link,
            "owner": owner,
        }
        subject = " ".join(render_to_string("recommendations/email/reminder_subject.txt", context).split())
        body = render_to_string("recommendations/email/reminder.txt", context)
    return EmailMessage(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[owner.email])


def _claim(pk: int, reason: str, today: datetime.date) -> bool:
    """Mark the reminder as sent before sending, so that two runs side by side never both send it."""
    field = _REMINDER_FIELD[reason]
    with transaction.atomic():
        return Recommendation.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: today}) == 1


def _release(pk: int, reason: str, today: datetime.date) -> None:
    field = _REMINDER_FIELD[reason]
    Recommendation.objects.filter(pk=pk, **{field: today}).update(**{field: None})


def reminders_send(*, today: datetime.date) -> list[SentReminder]:
    """Email each open recommendation's owner when its first response is due within 30 days, and when overdue.

    Only recommendations still waiting for a first follow-up get reminders, each reason once
    (per due date). Each reminder is claimed in its own short transaction before it is sent
    (and released if sending fails, so that the next run tries again), rather than one
    transaction around them all: no database lock is held while the mail server answers, and
    a second run at the same time finds the reminder already claimed. The owner must still be
    able to see the recommendation; for a restricted one the email carries only the link.
    """
    horizon = today + datetime.timedelta(days=REMINDER_DAYS_BEFORE)
    candidates = (
        Recommendation.objects.open()
        .with_followups()
        .filter(owner__isnull=False, due_on__isnull=False, has_followup=False)
        .filter(
            models.Q(due_on__lt=today, reminded_overdue_on__isnull=True)
            | models.Q(due_on__gte=today, due_on__lte=horizon, reminded_due_soon_on__isnull=True)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent: list[SentReminder] = []
    for pk in list(candidates):
        recommendation = (
            Recommendation.objects.select_related("owner", "addressee", "case", "organisation").filter(pk=pk).first()
        )
        if recommendation is None or recommendation.owner is None:
            continue
        reason = _reminder_reason(recommendation, today)
        owner = recommendation.owner
        if reason is None or not owner.is_active:
            continue
        if not Recommendation.objects.visible_to(owner).filter(pk=pk).exists():
            logger.warning("reminder for recommendation %s skipped: its owner can no longer see it", pk)
            continue
        if not _claim(pk, reason, today):
            continue
        try:
            _reminder_message(recommendation, reason, today).send()
        except Exception:
            _release(pk, reason, today)
            logger.exception("reminder for recommendation %s could not be sent; the next run tries again", pk)
            continue
        audit_record(
            actor=None,
            action="recommendations.reminder.sent",
            organisation=recommendation.organisation_id,
            obj=recommendation,
            changes={"reason": reason, "owner": owner.pk, "on": str(today)},
        )
        sent.append(SentReminder(recommendation_id=pk, reason=reason, to=owner.email))
    return sent
