from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from defensor.accounts.models import Invitation, Organisation, Role
from defensor.core.models import AuditEntry


def test_create_makes_the_organisation_with_its_default_roles(db, capsys):
    call_command("organisation", "create", "--name", "Lawyers for Lawyers", "--slug", "l4l", "--country", "nl")
    organisation = Organisation.objects.get(slug="l4l")
    assert organisation.country == "NL"
    assert Role.objects.filter(organisation=organisation, code="administrator").exists()


def test_create_refuses_a_slug_in_use(db):
    call_command("organisation", "create", "--name", "A", "--slug", "same")
    with pytest.raises(CommandError):
        call_command("organisation", "create", "--name", "B", "--slug", "same")


def test_invite_prints_a_working_link_and_is_audited(db, client, capsys, django_capture_on_commit_callbacks):
    call_command("organisation", "create", "--name", "Justice International", "--slug", "ji")
    capsys.readouterr()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("organisation", "invite", "--slug", "ji", "--email", "Admin@JI.test", "--role", "administrator")
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert Invitation.objects.get().email == "admin@ji.test"
    assert client.get(link.split("8000", 1)[-1]).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.invitation.created").exists()


def test_invite_names_the_roles_when_one_is_unknown(db):
    call_command("organisation", "create", "--name", "Justice International", "--slug", "ji")
    with pytest.raises(CommandError, match="roles:"):
        call_command("organisation", "invite", "--slug", "ji", "--email", "x@ji.test", "--role", "boss")
