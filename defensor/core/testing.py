"""Test support shared by every app: personas, signing in with a second factor, the persona matrix.

Personas (HOUSE-STYLE): anonymous, an outsider (director of another organisation),
a volunteer, a case officer and a director of the organisation under test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client

from defensor.accounts.models import Organisation, Role, User
from defensor.accounts.services import membership_add, organisation_create

PERSONAS = ("anonymous", "outsider", "volunteer", "case_officer", "director")
PASSWORD = "correct horse battery staple 42"


def make_organisation(name: str = "Justice International", slug: str | None = None) -> Organisation:
    return organisation_create(actor=None, name=name, slug=slug or name.lower().replace(" ", "-"))


def make_member(organisation: Organisation, role_code: str, email: str | None = None, **extra: Any) -> User:
    email = email or f"{role_code}@{organisation.slug}.test"
    user = User.objects.create_user(email, PASSWORD, full_name=role_code.replace("_", " ").title(), **extra)
    membership_add(
        actor=None,
        organisation=organisation,
        user=user,
        role=Role.objects.get(organisation=organisation, code=role_code),
    )
    return user


def give_second_factor(user: User) -> Authenticator:
    from allauth.mfa.adapter import get_adapter

    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt("JBSWY3DPEHPK3PXP")}
    )


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> Client:
    """Sign in as after a real login: password, then (by default) a verified second factor."""
    if second_factor and not Authenticator.objects.filter(user=user).exists():
        give_second_factor(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = time.time()
    session["defensor_auth_at"] = now
    session["defensor_seen_at"] = now
    records = [{"method": "password", "at": now}]
    if second_factor:
        records.append({"method": "mfa", "at": now, "type": "totp"})
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@dataclass
class Personas:
    organisation: Organisation
    other_organisation: Organisation
    users: dict[str, User] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            sign_in(client, self.users[persona])
        return client


def build_personas() -> Personas:
    home = make_organisation("Justice International", "justice-international")
    other = make_organisation("Lawyers for Lawyers", "lawyers-for-lawyers")
    personas = Personas(organisation=home, other_organisation=other)
    personas.users["outsider"] = make_member(other, "director", email="outsider@l4l.test")
    for code in ("volunteer", "case_officer", "director"):
        personas.users[code] = make_member(home, code)
    return personas


def status_of(response: Any) -> int:
    """200/403/404 as they are; a redirect to the sign-in page counts as 302."""
    return int(response.status_code)


def assert_persona_matrix(
    personas: Personas, url: str, expected: dict[str, int], *, method: str = "get", data: dict[str, Any] | None = None
) -> None:
    """Request `url` as every persona and compare the status codes with `expected`."""
    missing = set(PERSONAS) - set(expected)
    assert not missing, f"the matrix must cover every persona; missing {sorted(missing)}"
    got = {}
    for persona in PERSONAS:
        client = personas.client(persona)
        response = getattr(client, method)(url, data or {})
        got[persona] = status_of(response)
        if persona == "anonymous" and expected[persona] == 302 and url.startswith("/app/"):
            assert "/accounts/login/" in response["Location"], (
                f"anonymous should be sent to sign in, got {response['Location']}"
            )
    assert got == expected, f"{method.upper()} {url}: expected {expected}, got {got}"


def raw_column(table: str, column: str, pk: int) -> str:
    """A column as the database holds it: for an encrypted field, the token, never the plaintext."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Names come from the tests themselves; the key is a parameter.
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])
