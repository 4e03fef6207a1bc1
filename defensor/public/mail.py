"""The confirmation emails of the public sign-on, sent from an outbox on the signature rows.

A sign-on writes its signature with `email_due_at` set and the raw tokens of its two links in
`email_links` (encrypted at rest like the signer's name and email): that row is the whole
record of the email to send, committed with the signature in the same INSERT. The task worker
sends what is due (`confirmations_send`), one SMTP connection per batch, and empties
`email_links` once the email is sent, so the tokens leave the database as soon as they are in
the signer's mailbox. A temporary failure is retried with backoff, up to `MAX_ATTEMPTS`; a
permanent one (5xx: the address is refused) is not, and its tokens are emptied.

Who runs it: after a sign-on commits, `confirmations_wake` queues the mailer to run half a second
later, at most once per half-second per process, so a burst of thousands of sign-ons queues a
handful of runs, not a task per signature. The scheduler also runs it every minute, which sends
the retries and anything a lost wake-up left behind: what was committed is never lost, at worst
late by a minute.

Two mailers running at once do not send an email twice: each signature is claimed first (its
`email_due_at` moved ahead by `CLAIM`, as the campaign letters are); a mailer that dies after the
claim leaves it to be sent again once the claim expires. Marking it sent checks the token hash:
if the signer signed again meanwhile (new tokens, a new email due), that newer email stays due.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from defensor.campaigns.delivery import PermanentFailure, classify
from defensor.campaigns.models import Signature
from defensor.campaigns.signatures import email_links_split, link_token
from defensor.core.memo import until_settings_change
from defensor.core.tasks import backoff_seconds

logger = logging.getLogger(__name__)

BATCH = 500
CLAIM = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 5
WAKE_DELAY = 0.5  # seconds between a sign-on and the mailer run it queues
WAKE_MARGIN = 0.2  # seconds: a queued run about to start may read the table before this commit


@dataclass
class ConfirmationsSent:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)  # no longer waiting for confirmation: nothing to send


def _message(signature: Signature, confirm: str, unsign: str) -> EmailMultiAlternatives:
    campaign = signature.campaign
    site = settings.SITE_URL.rstrip("/")
    with translation.override(signature.language):
        context = {
            "campaign": campaign,
            "name": signature.name,
            "confirm_link": site + reverse("public:confirm", args=[campaign.slug, link_token(signature.pk, confirm)]),
            "unsign_link": site + reverse("public:unsign", args=[campaign.slug, link_token(signature.pk, unsign)]),
        }
        subject = render_to_string("public/email/confirm_subject.txt", context).strip()
        body = render_to_string("public/email/confirm.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[signature.email])
    message.extra_headers["List-Unsubscribe"] = f"<{context['unsign_link']}>"
    return message


def _settle(signature: Signature, **changes: Any) -> None:
    """Record the outcome, unless the signer signed again meanwhile (then the newer email stays due)."""
    Signature.objects.filter(pk=signature.pk, confirm_token_hash=signature.confirm_token_hash).update(
        updated_at=timezone.now(), **changes
    )


def confirmations_send(*, now: datetime.datetime | None = None, limit: int = BATCH) -> ConfirmationsSent:
    """Send the confirmation emails that are due; safe to run twice, and side by side."""
    now = now or timezone.now()
    result = ConfirmationsSent()
    due = list(
        Signature.objects.filter(email_due_at__lte=now)
        .order_by("email_due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return result
    mailer = mailers.default  # one connection for the batch, opened at the first email
    try:
        for pk in due:
            if not Signature.objects.filter(pk=pk, email_due_at__lte=now).update(email_due_at=now + CLAIM):
                continue  # another mailer has it
            signature = Signature.objects.select_related("campaign").get(pk=pk)
            tokens = email_links_split(signature.email_links)
            if signature.status != Signature.Status.PENDING or tokens is None:
                _settle(signature, email_due_at=None, email_links="")
                result.dropped.append(pk)
                continue
            try:
                mailer.open()
                mailer.send_messages([_message(signature, *tokens)])
            except (OSError, smtplib.SMTPException) as exc:
                mailer.close()  # the next email starts on a fresh connection
                failure = classify(exc)
                attempts = signature.email_attempts + 1
                if isinstance(failure, PermanentFailure) or attempts >= MAX_ATTEMPTS:
                    _settle(signature, email_due_at=None, email_links="", email_attempts=attempts)
                    result.failed.append(pk)
                else:
                    retry = now + datetime.timedelta(seconds=backoff_seconds(attempts))
                    _settle(signature, email_due_at=retry, email_attempts=attempts)
                    result.retried.append(pk)
                logger.warning("signature %s: confirmation attempt %s failed: %s", pk, attempts, failure)
            else:
                _settle(signature, email_due_at=None, email_links="", email_attempts=0)
                result.sent.append(pk)
    finally:
        mailer.close()
    return result


_wake_until = 0.0  # this process has queued a mailer run that starts no earlier than this (Unix time)


def _woken(run_after: float) -> None:
    global _wake_until
    _wake_until = max(_wake_until, run_after)


@dataclass(frozen=True)
class Queue:
    """What a sign-on needs to know of the task queue the confirmations go through."""

    deferrable: bool  # a worker runs the tasks later (not the immediate backend of tests)
    in_this_database: bool  # enqueueing writes a row through our own connection: it can join the transaction


@until_settings_change("TASKS", "DATABASES", "DATABASE_ROUTERS")
def confirmations_queue() -> Queue:
    """The confirmations' task queue, looked up once per process."""
    from defensor.public.tasks import send_confirmations

    backend = send_confirmations.get_backend()
    return Queue(
        deferrable=bool(backend.supports_defer),
        in_this_database=isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS,
    )


def confirmations_wake() -> None:
    """See that the mailer runs after what this process commits now: queue a run unless one is due soon.

    Called inside the sign-on's transaction when the task queue is a table of the same database
    (the run is then queued only if the sign-on commits), after commit otherwise.
    """
    from defensor.public.tasks import send_confirmations

    if not confirmations_queue().deferrable:
        send_confirmations.enqueue()  # a backend that runs tasks at once (tests)
        return
    now = time.time()
    if now < _wake_until - WAKE_MARGIN:
        return
    run_after = now + WAKE_DELAY
    send_confirmations.using(run_after=datetime.datetime.fromtimestamp(run_after, tz=datetime.UTC)).enqueue()
    transaction.on_commit(lambda: _woken(run_after))
