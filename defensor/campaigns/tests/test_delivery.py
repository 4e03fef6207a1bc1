from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from defensor.campaigns import delivery
from defensor.campaigns.models import Delivery
from defensor.campaigns.tests.smtp_server import SMTPServer
from defensor.core.models import Activity, ActivityLink


def queue(world):  # type: ignore[no-untyped-def]
    return delivery.deliveries_queue_email(actor=world.user("case_officer"), campaign=world.campaign)


def test_sending_queues_one_delivery_per_target_with_its_domain(world):
    world.target()
    world.target(institution=world.ministry, position="")
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    queued = queue(world)
    assert sorted(d.domain for d in queued) == ["justice.example", "prosecutor.example"]
    assert all(d.status == Delivery.Status.QUEUED and d.signatures_count == 1 for d in queued)


def test_targets_without_email_are_refused(world):
    world.target(email="")
    world.prosecutor.email = ""
    world.prosecutor.save()
    world.campaign.targets.update(email="")
    world.letter()
    with pytest.raises(ValidationError):
        queue(world)


def test_the_worker_sends_the_letter_as_a_pdf_attachment(world):
    world.target()
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    queue(world)
    result = delivery.deliveries_send()
    assert len(result.sent) == 1
    message = mail.outbox[0]
    assert message.to == ["office@prosecutor.example"]
    assert message.attachments[0].mimetype == "application/pdf"
    assert message.attachments[0].content.startswith(b"%PDF")
    sent = Delivery.objects.get()
    assert sent.status == Delivery.Status.SENT
    assert sent.sent_on == timezone.localdate()


def test_sent_letters_are_on_the_case_timeline_with_counts(world):
    world.target()
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    world.sign("Ivan Petrov", "ivan@example.org")
    queue(world)
    delivery.deliveries_send()
    activity = Activity.objects.get(kind="letter_sent")
    assert activity.title.startswith("1 letter sent for the campaign")
    assert activity.title.endswith("signatures: 2")
    assert ActivityLink.objects.filter(activity=activity, object_id=str(world.case.pk)).exists()


def test_each_domain_gets_at_most_its_allowance_per_minute(world, monkeypatch):
    monkeypatch.setattr(delivery, "PER_DOMAIN_PER_MINUTE", 2)
    for number in range(3):
        world.target(email=f"desk{number}@prosecutor.example")
    world.target(institution=world.ministry, position="")
    world.letter()
    queue(world)
    result = delivery.deliveries_send()
    assert len(result.sent) == 3
    assert len(result.throttled) == 1
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED, domain="prosecutor.example").count() == 1
    later = delivery.deliveries_send(now=timezone.now() + datetime.timedelta(minutes=2))
    assert len(later.sent) == 1


def test_recording_a_letter_sent_by_post(world):
    target = world.target()
    world.letter()
    sent = delivery.delivery_record(
        actor=world.user("case_officer"),
        campaign=world.campaign,
        target=target,
        channel="post",
        sent_on=datetime.date(2024, 1, 5),
    )
    assert sent.status == Delivery.Status.SENT
    assert Activity.objects.filter(kind="letter_sent", occurred_on=datetime.date(2024, 1, 5)).exists()


def test_recording_a_letter_in_the_future_is_refused(world):
    target = world.target()
    with pytest.raises(ValidationError):
        delivery.delivery_record(
            actor=world.user("case_officer"),
            campaign=world.campaign,
            target=target,
            channel="fax",
            sent_on=datetime.date(2999, 1, 1),
        )


def test_a_real_smtp_conversation_delivers_the_letter_with_its_pdf(world, settings):
    world.target()
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    queue(world)
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        result = delivery.deliveries_send()
    assert len(result.sent) == 1
    assert len(server.received) == 1
    received = server.received[0]
    assert received.recipients == ["<office@prosecutor.example>"]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    attachments = list(message.iter_attachments())
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content().startswith(b"%PDF")
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_550_answer_is_a_bounce(world, settings):
    world.target()
    world.letter()
    queue(world)
    with SMTPServer(rcpt_reply="550 5.1.1 No such user") as server:
        settings.MAILERS = server.mailers()
        result = delivery.deliveries_send()
    bounced = Delivery.objects.get()
    assert result.bounced == [bounced.pk]
    assert bounced.status == Delivery.Status.BOUNCED
    assert "550" in bounced.last_error


def test_a_451_answer_is_retried_with_backoff_then_failed(world, settings, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 2)
    world.target()
    world.letter()
    queue(world)
    with SMTPServer(rcpt_reply="451 4.7.1 Try again later") as server:
        settings.MAILERS = server.mailers()
        first = delivery.deliveries_send()
        retried = Delivery.objects.get()
        assert first.retried == [retried.pk]
        assert retried.status == Delivery.Status.QUEUED
        assert retried.next_attempt_at > timezone.now()
        assert delivery.deliveries_send().retried == []  # not due yet
        delivery.deliveries_send(now=retried.next_attempt_at + datetime.timedelta(seconds=1))
    failed = Delivery.objects.get()
    assert failed.status == Delivery.Status.FAILED
    assert failed.attempts == 2


def test_a_refused_connection_is_retried(world, settings):
    world.target()
    world.letter()
    queue(world)
    with SMTPServer() as server:
        port = server.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    result = delivery.deliveries_send()
    assert len(result.retried) == 1
    assert Delivery.objects.get().status == Delivery.Status.QUEUED
