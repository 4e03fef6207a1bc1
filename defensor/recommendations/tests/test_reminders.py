"""Reminders to the owner: 30 days before the due date, and once overdue; never twice; never a secret in an email."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail

from defensor.core.models import AuditEntry, Sensitivity
from defensor.recommendations import services
from defensor.recommendations.models import ImplementationStatus, Recommendation

D = datetime.date
DUE = D(2024, 6, 30)


def _recommendation(world, **fields):
    values = {"made_on": D(2024, 1, 10), "due_on": DUE, "text": "Release the lawyer Aigul Temirova."}
    values.update(fields)
    return world.recommend(**values)


def test_thirty_days_before_sends_one_email(world):
    recommendation = _recommendation(world)
    sent = services.reminders_send(today=DUE - datetime.timedelta(days=30))
    assert [(s.recommendation_id, s.reason) for s in sent] == [(recommendation.pk, "due_soon")]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.user("case_officer").email]


def test_more_than_thirty_days_before_sends_nothing(world):
    _recommendation(world)
    assert services.reminders_send(today=DUE - datetime.timedelta(days=31)) == []
    assert mail.outbox == []


def test_running_again_the_same_day_sends_nothing(world):
    _recommendation(world)
    today = DUE - datetime.timedelta(days=30)
    services.reminders_send(today=today)
    assert services.reminders_send(today=today) == []
    assert len(mail.outbox) == 1


def test_the_due_soon_reminder_is_not_sent_again_on_later_days(world):
    _recommendation(world)
    services.reminders_send(today=DUE - datetime.timedelta(days=30))
    services.reminders_send(today=DUE - datetime.timedelta(days=10))
    assert len(mail.outbox) == 1


def test_after_the_due_date_an_overdue_email_goes_once(world):
    _recommendation(world)
    services.reminders_send(today=DUE - datetime.timedelta(days=30))
    first = services.reminders_send(today=DUE + datetime.timedelta(days=1))
    again = services.reminders_send(today=DUE + datetime.timedelta(days=2))
    assert [s.reason for s in first] == ["overdue"] and again == []
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].subject


def test_no_reminder_on_the_due_date_for_overdue(world):
    _recommendation(world)
    sent = services.reminders_send(today=DUE)
    assert [s.reason for s in sent] == ["due_soon"]


@time_machine.travel(datetime.datetime(2024, 7, 15, 9, tzinfo=datetime.UTC), tick=False)
def test_fully_implemented_gets_no_reminder(world):
    recommendation = _recommendation(world)
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        occurred_on=D(2024, 7, 1),
        action="letter",
        implementation_status=ImplementationStatus.FULLY,
    )
    assert services.reminders_send(today=D(2024, 7, 15)) == []
    assert mail.outbox == []


@time_machine.travel(datetime.datetime(2024, 6, 10, 9, tzinfo=datetime.UTC), tick=False)
def test_a_followup_stops_the_reminders(world):
    recommendation = _recommendation(world)
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        occurred_on=D(2024, 6, 1),
        action="meeting",
        implementation_status=ImplementationStatus.NOT_IMPLEMENTED,
    )
    assert services.reminders_send(today=DUE + datetime.timedelta(days=1)) == []


def test_no_owner_no_reminder(world):
    _recommendation(world, owner=None)
    assert services.reminders_send(today=DUE + datetime.timedelta(days=1)) == []


def test_email_names_the_recommendation_addressee_and_due_date_and_links_to_it(world, settings):
    settings.SITE_URL = "https://defensor.example.org"
    recommendation = _recommendation(world)
    services.reminders_send(today=DUE - datetime.timedelta(days=30))
    message = mail.outbox[0]
    assert "Aigul Temirova" in message.body
    assert "Prosecutor General's Office of Turkmenistan" in message.body
    assert "June 30, 2024" in message.body
    assert f"https://defensor.example.org/app/recommendations/{recommendation.pk}/" in message.body
    assert "in 30 days" in message.body


def test_email_is_in_the_owners_language(world):
    owner = world.user("case_officer")
    owner.language = "ru"
    owner.save(update_fields=["language"])
    _recommendation(world)
    services.reminders_send(today=DUE - datetime.timedelta(days=30))
    # The month is written by Django's Russian locale whatever the catalogue translates.
    assert "2024" in mail.outbox[0].body and "июня" in mail.outbox[0].body


def test_restricted_recommendation_email_carries_only_the_link(world):
    recommendation = _recommendation(world, sensitivity=Sensitivity.CONFIDENTIAL)
    services.reminders_send(today=DUE + datetime.timedelta(days=1))
    message = mail.outbox[0]
    assert "Temirova" not in message.body + message.subject
    assert "Turkmenistan" not in message.body + message.subject
    assert f"/app/recommendations/{recommendation.pk}/" in message.body


def test_recommendation_of_a_confidential_case_is_treated_as_restricted(world):
    _recommendation(world, case=world.confidential_case, sensitivity=Sensitivity.INTERNAL)
    services.reminders_send(today=DUE + datetime.timedelta(days=1))
    assert "Temirova" not in mail.outbox[0].body


def test_owner_who_can_no_longer_see_it_gets_nothing(world):
    recommendation = _recommendation(world, owner=world.user("volunteer"))
    Recommendation.objects.filter(pk=recommendation.pk).update(sensitivity=Sensitivity.SECRET)
    assert services.reminders_send(today=DUE + datetime.timedelta(days=1)) == []
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_next_time(world, monkeypatch):
    from django.core.mail import EmailMessage

    _recommendation(world)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    assert services.reminders_send(today=DUE + datetime.timedelta(days=1)) == []
    monkeypatch.undo()
    assert [s.reason for s in services.reminders_send(today=DUE + datetime.timedelta(days=2))] == ["overdue"]
    assert len(mail.outbox) == 1


def test_sending_is_audited(world):
    recommendation = _recommendation(world)
    services.reminders_send(today=DUE + datetime.timedelta(days=1))
    entry = AuditEntry.objects.get(action="recommendations.reminder.sent")
    assert entry.object_id == str(recommendation.pk) and entry.changes["reason"] == "overdue"


def test_the_task_sends_the_reminders_of_the_day_it_is_given(world):
    from defensor.recommendations.tasks import send_reminders

    _recommendation(world)
    result = send_reminders.enqueue(today=(DUE + datetime.timedelta(days=1)).isoformat())
    assert result.return_value == 1
    assert len(mail.outbox) == 1
