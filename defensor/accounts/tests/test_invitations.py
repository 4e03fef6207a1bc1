from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from defensor.accounts.models import Invitation, Membership, Role, User
from defensor.accounts.services import invitation_accept, invitation_create
from defensor.core.models import AuditEntry

STRONG = "a long and unusual passphrase 2017"


def _invite(personas, email="new.member@ji.test", role_code="volunteer"):
    role = Role.objects.get(organisation=personas.organisation, code=role_code)
    return invitation_create(
        actor=personas.users["director"], organisation=personas.organisation, email=email, role=role
    )


def test_invitation_email_is_sent_after_commit_with_a_working_link(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = _invite(personas)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.member@ji.test"]
    link = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert link is not None and link.group(1) == token


def test_only_the_hash_of_the_token_is_stored(personas):
    invitation, token = _invite(personas)
    stored = Invitation.objects.get(pk=invitation.pk)
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_accepting_creates_the_user_and_membership(personas):
    _invitation, token = _invite(personas)
    membership = invitation_accept(token=token, full_name="Nadia K.", password=STRONG)
    assert membership.user.email == "new.member@ji.test"
    assert membership.role.code == "volunteer"
    assert membership.user.check_password(STRONG)


def test_link_is_single_use(personas):
    _invitation, token = _invite(personas)
    invitation_accept(token=token, full_name="Nadia K.", password=STRONG)
    with pytest.raises(ValidationError):
        invitation_accept(token=token, full_name="Someone Else", password=STRONG)
    assert Client().get(reverse("accounts:invitation_accept", args=[token])).status_code == 404


def test_link_expires_after_48_hours(personas):
    _invitation, token = _invite(personas)
    url = reverse("accounts:invitation_accept", args=[token])
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=47, minutes=59), tick=False):
        assert Client().get(url).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=48, minutes=1), tick=False):
        assert Client().get(url).status_code == 404
        with pytest.raises(ValidationError):
            invitation_accept(token=token, full_name="Late", password=STRONG)


def test_revoked_link_does_not_work(personas):
    from defensor.accounts.services import invitation_revoke

    invitation, token = _invite(personas)
    invitation_revoke(actor=personas.users["director"], invitation=invitation)
    assert Client().get(reverse("accounts:invitation_accept", args=[token])).status_code == 404


def test_unknown_token_is_404(db):
    assert Client().get(reverse("accounts:invitation_accept", args=["not-a-token"])).status_code == 404


def test_volunteer_cannot_invite(personas):
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=personas.users["volunteer"], organisation=personas.organisation, email="x@ji.test", role=role
        )


def test_director_cannot_invite_an_administrator(personas):
    with pytest.raises(PermissionDenied):
        _invite(personas, role_code="administrator")


def test_existing_member_cannot_be_invited_again(personas):
    with pytest.raises(ValidationError):
        _invite(personas, email=personas.users["volunteer"].email)


def test_weak_password_is_refused_and_the_name_typed_is_kept(personas):
    _invitation, token = _invite(personas)
    url = reverse("accounts:invitation_accept", args=[token])
    response = Client().post(url, {"full_name": "Nadia Karimova", "password": "123", "password_again": "123"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Nadia Karimova"' in page
    assert not User.objects.filter(email="new.member@ji.test").exists()


def test_accepting_through_the_page_signs_in_and_asks_for_a_second_factor(personas):
    _invitation, token = _invite(personas)
    client = Client()
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"full_name": "Nadia Karimova", "password": STRONG, "password_again": STRONG},
    )
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"] == reverse("mfa_index")
    assert Membership.objects.filter(user__email="new.member@ji.test", organisation=personas.organisation).exists()


def test_invitation_and_acceptance_are_audited(personas):
    _invitation, token = _invite(personas)
    invitation_accept(token=token, full_name="Nadia K.", password=STRONG)
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert "accounts.invitation.created" in actions
    assert "accounts.invitation.accepted" in actions


def test_invite_form_keeps_input_on_error(personas):
    client = personas.client("director")
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    response = client.post(reverse("accounts:members"), {"email": personas.users["volunteer"].email, "role": role.pk})
    assert response.status_code == 400
    assert personas.users["volunteer"].email in response.content.decode()
    assert "already a member" in response.content.decode()
