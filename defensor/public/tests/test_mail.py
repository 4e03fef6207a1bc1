"""The confirmation emails: an outbox on the signature row, sent by the task worker."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from defensor.campaigns.models import Campaign, Signature
from defensor.campaigns.signatures import email_links_split, signature_add, signatures_erase_after_retention
from defensor.campaigns.tests.smtp_server import SMTPServer
from defensor.core import schedule
from defensor.core.testing import raw_column
from defensor.public import mail as public_mail
from defensor.public.mail import confirmations_queue, confirmations_send, confirmations_wake

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _pending(campaign: Campaign, email: str = "signer@example.org") -> Signature:
    added = signature_add(
        campaign=campaign, name="Signer", email=email, profession="lawyer", consent_letter=True, consent_updates=False
    )
    return added.signature


def _confirm_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/act/[^/\s]+/confirm/[^/\s]+/)", str(message.body))
    assert match is not None
    return match.group(1)


def test_a_new_signature_has_its_email_due_with_both_tokens_kept_encrypted(campaign: Campaign) -> None:
    signature = _pending(campaign)
    assert signature.email_due_at is not None
    raw = raw_column("campaigns_signature", "email_links", signature.pk)
    tokens = email_links_split(signature.email_links)
    assert tokens is not None
    assert tokens[0] not in raw
    assert tokens[1] not in raw


def test_the_mailer_sends_the_due_email_and_forgets_its_tokens(campaign: Campaign) -> None:
    signature = _pending(campaign)
    result = confirmations_send()
    assert result.sent == [signature.pk]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["signer@example.org"]
    signature.refresh_from_db()
    assert signature.email_due_at is None
    assert signature.email_links == ""


def test_the_link_in_the_email_confirms_the_signature(campaign: Campaign) -> None:
    signature = _pending(campaign)
    confirmations_send()
    Client().post(_confirm_link(mail.outbox[0]))
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_running_the_mailer_twice_sends_once(campaign: Campaign) -> None:
    _pending(campaign)
    confirmations_send()
    second = confirmations_send()
    assert second.sent == []
    assert len(mail.outbox) == 1


def test_an_email_claimed_by_another_mailer_is_left_to_it(campaign: Campaign) -> None:
    signature = _pending(campaign)
    now = timezone.now()
    Signature.objects.filter(pk=signature.pk).update(email_due_at=now + public_mail.CLAIM)
    assert confirmations_send(now=now).sent == []
    assert mail.outbox == []


def test_a_claim_left_by_a_mailer_that_died_is_sent_once_it_expires(campaign: Campaign) -> None:
    signature = _pending(campaign)
    now = timezone.now()
    Signature.objects.filter(pk=signature.pk).update(email_due_at=now + public_mail.CLAIM)
    later = now + public_mail.CLAIM + datetime.timedelta(seconds=1)
    assert confirmations_send(now=later).sent == [signature.pk]


def test_a_signature_no_longer_pending_gets_no_email(campaign: Campaign) -> None:
    signature = _pending(campaign)
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.CONFIRMED)
    result = confirmations_send()
    assert result.dropped == [signature.pk]
    assert mail.outbox == []
    signature.refresh_from_db()
    assert signature.email_due_at is None
    assert signature.email_links == ""


def test_signing_again_while_the_first_email_is_being_sent_keeps_the_newer_email_due(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pending(campaign)
    original = public_mail._message

    def sign_again_meanwhile(signature: Signature, confirm: str, unsign: str) -> Any:
        _pending(campaign)  # same email: new tokens, a new email due
        return original(signature, confirm, unsign)

    monkeypatch.setattr(public_mail, "_message", sign_again_meanwhile)
    confirmations_send()
    signature = Signature.objects.get()
    assert signature.email_due_at is not None
    assert email_links_split(signature.email_links) is not None


def test_a_temporary_smtp_failure_is_retried_later_with_the_tokens_kept(campaign: Campaign, settings: Any) -> None:
    signature = _pending(campaign)
    with SMTPServer(rcpt_reply="451 4.7.1 Try again later") as server:
        settings.MAILERS = server.mailers()
        result = confirmations_send()
    assert result.retried == [signature.pk]
    signature.refresh_from_db()
    assert signature.email_attempts == 1
    assert signature.email_due_at is not None
    assert signature.email_due_at > timezone.now()
    assert email_links_split(signature.email_links) is not None


def test_a_refused_address_is_given_up_at_once(campaign: Campaign, settings: Any) -> None:
    signature = _pending(campaign)
    with SMTPServer(rcpt_reply="550 5.1.1 No such user") as server:
        settings.MAILERS = server.mailers()
        result = confirmations_send()
    assert result.failed == [signature.pk]
    signature.refresh_from_db()
    assert signature.email_due_at is None
    assert signature.email_links == ""


def test_after_the_last_attempt_the_email_is_given_up(campaign: Campaign, settings: Any) -> None:
    signature = _pending(campaign)
    Signature.objects.filter(pk=signature.pk).update(email_attempts=public_mail.MAX_ATTEMPTS - 1)
    with SMTPServer(rcpt_reply="451 4.7.1 Try again later") as server:
        settings.MAILERS = server.mailers()
        result = confirmations_send()
    assert result.failed == [signature.pk]
    assert Signature.objects.get().email_due_at is None


def test_a_real_smtp_conversation_delivers_the_confirmation(campaign: Campaign, settings: Any) -> None:
    first = _pending(campaign, "first@example.org")
    second = _pending(campaign, "second@example.org")
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        result = confirmations_send()
    assert sorted(result.sent) == sorted([first.pk, second.pk])
    assert len(server.received) == 2
    assert all(b"/confirm/" in message.data for message in server.received)


def test_a_refused_connection_leaves_every_email_due(campaign: Campaign, settings: Any) -> None:
    _pending(campaign, "first@example.org")
    _pending(campaign, "second@example.org")
    with SMTPServer() as server:
        port = server.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    result = confirmations_send()
    assert len(result.retried) == 2
    assert Signature.objects.filter(email_due_at__isnull=False, email_attempts=1).count() == 2


def test_the_retention_erasure_empties_the_kept_tokens(campaign: Campaign) -> None:
    _pending(campaign)
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now() - datetime.timedelta(days=campaign.retention_days + 2)
    campaign.save()
    signatures_erase_after_retention(today=timezone.localdate())
    signature = Signature.objects.get()
    assert signature.email_links == ""
    assert signature.email_due_at is None


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_wake_up_queues_a_run_for_half_a_second_later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(public_mail, "_wake_until", 0.0)
    before = timezone.now()
    confirmations_wake()
    task = DBTaskResult.objects.get()
    assert task.task_path == "defensor.public.tasks.send_confirmations"
    assert task.run_after is not None
    assert task.run_after >= before + datetime.timedelta(seconds=public_mail.WAKE_DELAY - 0.05)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_second_wake_up_before_the_queued_run_queues_nothing(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(public_mail, "_wake_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        confirmations_wake()
    confirmations_wake()
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_database_queue_is_deferred_and_joins_the_sign_ons_transaction() -> None:
    queue = confirmations_queue()
    assert queue.deferrable
    assert queue.in_this_database


def test_the_queue_is_looked_up_again_when_the_settings_change() -> None:
    immediate = confirmations_queue()  # the tests' immediate backend runs a task at once
    assert not immediate.deferrable
    assert not immediate.in_this_database
    with override_settings(TASKS=DATABASE_QUEUE):
        assert confirmations_queue().deferrable
    assert confirmations_queue() == immediate


def test_the_scheduler_runs_the_mailer_every_minute() -> None:
    scheduled = {entry.name: entry for entry in schedule.registered()}
    entry = scheduled["public.confirmations_send"]
    assert entry.every == datetime.timedelta(minutes=1)
    assert entry.task.name == "send_confirmations"
