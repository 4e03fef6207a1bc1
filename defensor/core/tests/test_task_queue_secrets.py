"""The task queue is a database table that keeps its rows: no live secret may be queued in clear."""

from __future__ import annotations

import pytest
from django.core import mail

from defensor.accounts import services
from defensor.accounts.models import Role
from defensor.accounts.tasks import send_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args, **kwargs: calls.append((task, args, kwargs)))
    return calls


def _invite(personas):  # type: ignore[no-untyped-def]
    return services.invitation_create(
        actor=personas.users["director"],
        organisation=personas.organisation,
        email="new@ji.test",
        role=Role.objects.get(organisation=personas.organisation, code="volunteer"),
    )


def test_invitation_token_is_queued_sealed(personas, queued):
    invitation, token = _invite(personas)
    [(task, args, kwargs)] = queued
    assert task is send_invitation
    assert args[0] == invitation.pk
    assert token not in repr((args, kwargs))


def test_the_queued_invitation_still_mails_the_working_link(personas, queued):
    _invitation, token = _invite(personas)
    [(task, args, kwargs)] = queued
    task.call(*args, **kwargs)
    assert len(mail.outbox) == 1
    assert f"/invitation/{token}/" in mail.outbox[0].body
