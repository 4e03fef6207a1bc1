"""Sign-in: no user enumeration, rate limits, Argon2, no open sign-up."""

from __future__ import annotations

from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

from defensor.core.testing import PASSWORD


def _login(email, password="wrong password entirely"):
    return Client().post(reverse("account_login"), {"login": email, "password": password})


def _errors(response):
    return response.context["form"].non_field_errors()


def test_unknown_and_known_email_get_the_same_answer(personas):
    known = _login(personas.users["volunteer"].email)
    unknown = _login("nobody@nowhere.test")
    assert known.status_code == unknown.status_code == 200
    assert list(_errors(known)) == list(_errors(unknown))


def test_password_hasher_runs_for_unknown_emails_too(personas, monkeypatch):
    """Similar timing: Django hashes the password even when no user has the email."""
    hasher = get_hasher("default")
    calls = []
    original = type(hasher).encode

    def counting(self, password, salt, *args, **kwargs):
        calls.append(1)
        return original(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(type(hasher), "encode", counting)
    _login("nobody@nowhere.test")
    assert calls, "no password hashing happened for an unknown email"


def test_password_reset_answers_the_same_for_unknown_emails(personas):
    url = reverse("account_reset_password")
    known = Client().post(url, {"email": personas.users["volunteer"].email})
    unknown = Client().post(url, {"email": "nobody@nowhere.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_repeated_failures_are_rate_limited(personas):
    email = personas.users["volunteer"].email
    responses = [_login(email) for _ in range(7)]
    assert responses[0].status_code == 200
    assert any(r.status_code == 429 or "Too many" in r.content.decode() for r in responses[5:])


def test_correct_password_leads_to_the_second_factor(personas):
    from defensor.core.testing import give_second_factor

    give_second_factor(personas.users["volunteer"])
    response = _login(personas.users["volunteer"].email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_open_sign_up_is_closed():
    response = Client().get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower() or response.status_code in (403, 404)


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    from django.contrib.auth.hashers import make_password

    assert make_password("some passphrase of length").startswith("argon2$")


def test_production_hasher_list_starts_with_argon2():
    from defensor import settings as project_settings

    assert next(h for h in project_settings.PASSWORD_HASHERS if "MD5" not in h).endswith("Argon2PasswordHasher")
