"""Delivery of the letters to the targets: by email through the configured SMTP server, or recorded by hand.

Email deliveries are queued (one Delivery per target, with the recipient's domain) and sent by
the task `deliveries_send`, which the scheduler runs every minute and which is also queued as
soon as letters are queued. It sends at most `PER_DOMAIN_PER_MINUTE` letters a minute to each
receiving domain (a ministry's mail server must not take us for a spammer), retries temporary
failures (4xx answers, connection problems) with exponential backoff, and stops at
`MAX_ATTEMPTS`: the delivery is then failed. A permanent refusal (5xx) is a bounce.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from defensor.campaigns import letters
from defensor.campaigns.models import Campaign, Delivery, LetterTemplate, Signature, Target
from defensor.core.audit import audit_record
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind
from defensor.core.permissions import Capability, has_capability
from defensor.core.tasks import backoff_seconds, enqueue_on_commit

logger = logging.getLogger(__name__)

PER_DOMAIN_PER_MINUTE = 10
MAX_ATTEMPTS = 6
BATCH = 200
# How long a worker owns a delivery it is sending before another may try it.
CLAIM = datetime.timedelta(minutes=10)


def _require_edit(actor: Any, campaign: Campaign) -> None:
    if not has_capability(actor, campaign.organisation_id, Capability.EDIT):
        raise PermissionDenied(_("You do not have permission to do this."))


def _signatures_count(campaign: Campaign) -> int:
    return Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED, consent_letter=True).count()


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""


@transaction.atomic
def deliveries_queue_email(*, actor: Any, campaign: Campaign, kind: str = LetterTemplate.Kind.LETTER) -> list[Delivery]:
    """Queue the letter to every active target that has an email; the worker sends them (throttled)."""
    _require_edit(actor, campaign)
    if not campaign.templates.filter(kind=kind).exists():
        raise ValidationError(_("Write the letter template before sending the letters."))
    targets = [t for t in campaign.targets.filter(active=True) if t.email]
    if not targets:
        raise ValidationError(_("No target of this campaign has an email address: record letters sent by post."))
    count = _signatures_count(campaign)
    now = timezone.now()
    queued = []
    for target in targets:
        delivery = Delivery(
            organisation=campaign.organisation,
            campaign=campaign,
            target=target,
            kind=kind,
            channel=Delivery.Channel.EMAIL,
            status=Delivery.Status.QUEUED,
            recipient=target.email,
            domain=domain_of(target.email),
            next_attempt_at=now,
            signatures_count=count,
            recorded_by=actor,
        )
        delivery.full_clean()
        delivery.save()
        queued.append(delivery)
    audit_record(
        actor=actor,
        action="campaigns.delivery.queued",
        organisation=campaign.organisation_id,
        obj=campaign,
        changes={"kind": kind, "deliveries": [d.pk for d in queued], "signatures": count},
    )
    from defensor.campaigns import tasks

    enqueue_on_commit(tasks.deliveries_send)
    return queued


@transaction.atomic
def delivery_record(
    *,
    actor: Any,
    campaign: Campaign,
    target: Target,
    channel: str,
    sent_on: datetime.date,
    kind: str = LetterTemplate.Kind.LETTER,
) -> Delivery:
    """A letter sent outside Defensor (post, fax, by hand) on a day."""
    _require_edit(actor, campaign)
    if target.campaign_id != campaign.pk:
        raise ValidationError({"target": _("Choose a target of this campaign.")})
    if channel == Delivery.Channel.EMAIL:
        raise ValidationError({"channel": _("Letters by email are sent from Defensor: use “Send by email”.")})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date cannot be in the future.")})
    count = _signatures_count(campaign)
    delivery = Delivery(
        organisation=campaign.organisation,
        campaign=campaign,
        target=target,
        kind=kind,
        channel=channel,
        status=Delivery.Status.SENT,
        recipient=target.postal_address if channel == Delivery.Channel.POST else "",
        sent_on=sent_on,
        signatures_count=count,
        recorded_by=actor,
    )
    delivery.full_clean()
    delivery.save()
    audit_record(
        actor=actor,
        action="campaigns.delivery.recorded",
        organisation=campaign.organisation_id,
        obj=delivery,
        changes={"campaign": campaign.pk, "target": target.pk, "channel": channel, "sent_on": str(sent_on)},
    )
    _ledger(actor, campaign, letters_sent=1, signatures=count, day=sent_on, source=delivery)
    return delivery


def _ledger(
    actor: Any, campaign: Campaign, *, letters_sent: int, signatures: int, day: datetime.date, source: Any
) -> None:
    activity_record(
        actor=actor,
        organisation=campaign.organisation,
        kind=ActivityKind.LETTER_SENT,
        occurred_on=day,
        title=ngettext(
            "%(letters)d letter sent for the campaign %(title)s; signatures: %(signatures)d",
            "%(letters)d letters sent for the campaign %(title)s; signatures: %(signatures)d",
            letters_sent,
        )
        % {"letters": letters_sent, "signatures": signatures, "title": campaign.title_en},
        source=source,
        concerns=list(campaign.cases.all()),
    )


# ---- sending (the worker) ----


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    bounced: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    throttled: list[int] = field(default_factory=list)


class PermanentFailure(Exception):
    pass


class TemporaryFailure(Exception):
    pass


def classify(exc: Exception) -> Exception:
    """An SMTP error as permanent (5xx: the address or message is refused) or temporary (anything else)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        if codes and all(500 <= int(code) < 600 for code in codes):
            return PermanentFailure(f"refused: {codes}")
        return TemporaryFailure(f"refused for now: {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code = int(exc.smtp_code)
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        detail = f"{code} {text}"
        return PermanentFailure(detail) if 500 <= code < 600 else TemporaryFailure(detail)
    return TemporaryFailure(f"{type(exc).__name__}: {exc}")


def _message(delivery: Delivery) -> EmailMessage:
    campaign = delivery.campaign
    target = delivery.target
    pdf = letters.render_letter_pdf(campaign, target, delivery.kind)
    subject = letters.letter_subject(campaign, target, delivery.kind)
    with translation.override(target.language):
        body = _("%(salutation)s\n\nPlease find attached a letter from %(organisations)s.\n\n%(organisation)s\n") % {
            "salutation": target.salutation,
            "organisations": ", ".join(letters.coalition_names(campaign)),
            "organisation": campaign.organisation.name,
        }
    message = EmailMessage(
        subject=subject, body=body.strip() + "\n", to=[delivery.recipient], headers={"Message-ID": make_msgid()}
    )
    message.attach(f"{campaign.slug}-letter.pdf", pdf, "application/pdf")
    return message


def _recent_attempts(domain: str, since: datetime.datetime) -> int:
    return Delivery.objects.filter(
        domain=domain, channel=Delivery.Channel.EMAIL, attempts__gt=0, updated_at__gte=since
    ).count()


def _attempt(delivery: Delivery, now: datetime.datetime, result: SendResult) -> None:
    delivery.attempts += 1
    try:
        message = _message(delivery)
        message.send()
    except Exception as exc:
        failure = classify(exc) if not isinstance(exc, ValidationError) else PermanentFailure(" ".join(exc.messages))
        delivery.last_error = str(failure)[:1000]
        if isinstance(failure, PermanentFailure):
            delivery.status = Delivery.Status.BOUNCED
            delivery.next_attempt_at = None
            result.bounced.append(delivery.pk)
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            result.failed.append(delivery.pk)
        else:
            delivery.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(delivery.attempts))
            result.retried.append(delivery.pk)
        logger.warning("delivery %s: attempt %s failed: %s", delivery.pk, delivery.attempts, delivery.last_error)
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_on = timezone.localdate()
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.message_id = str(message.extra_headers.get("Message-ID", ""))[:255]
        result.sent.append(delivery.pk)
    with transaction.atomic():
        delivery.save(
            update_fields=["attempts", "status", "sent_on", "next_attempt_at", "last_error", "message_id", "updated_at"]
        )
        _audit_attempt(delivery)


def _audit_attempt(delivery: Delivery) -> None:
    audit_record(
        actor=None,
        action=f"campaigns.delivery.{delivery.status}"
        if delivery.status != Delivery.Status.QUEUED
        else "campaigns.delivery.retry",
        organisation=delivery.organisation_id,
        obj=delivery,
        changes={"attempts": delivery.attempts},
    )


def deliveries_send(*, now: datetime.datetime | None = None, limit: int = BATCH) -> SendResult:
    """Send the queued email deliveries that are due, within each domain's allowance; idempotent."""
    now = now or timezone.now()
    result = SendResult()
    due = list(
        Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", "domain")[:limit]
    )
    since = now - datetime.timedelta(minutes=1)
    allowance: dict[str, int] = {}
    sent_by_campaign: dict[int, list[Delivery]] = defaultdict(list)
    for pk, domain in due:
        if domain not in allowance:
            allowance[domain] = PER_DOMAIN_PER_MINUTE - _recent_attempts(domain, since)
        if allowance[domain] <= 0:
            result.throttled.append(pk)
            continue
        # Claimed by moving its next attempt ahead: a second worker skips it, and if this one dies
        # the letter is tried again once the claim expires. No lock is held while the SMTP server talks.
        claimed = Delivery.objects.filter(pk=pk, status=Delivery.Status.QUEUED, next_attempt_at__lte=now).update(
            next_attempt_at=now + CLAIM
        )
        if not claimed:
            continue
        delivery = Delivery.objects.select_related(
            "campaign", "campaign__organisation", "target", "target__institution", "target__person"
        ).get(pk=pk)
        allowance[domain] -= 1
        _attempt(delivery, now, result)
        if delivery.status == Delivery.Status.SENT:
            sent_by_campaign[delivery.campaign_id].append(delivery)
    for deliveries in sent_by_campaign.values():
        campaign = deliveries[0].campaign
        with transaction.atomic():
            _ledger(
                deliveries[0].recorded_by,
                campaign,
                letters_sent=len(deliveries),
                signatures=max(d.signatures_count for d in deliveries),
                day=timezone.localdate(),
                source=campaign,
            )
    return result
