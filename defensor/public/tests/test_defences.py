"""Proof of work, honeypot, fill time, rate limits: a refused sign-on stores nothing."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail
from django.test import Client, override_settings

from defensor.campaigns.models import Campaign, Signature
from defensor.public import proof_of_work, rate_limits
from defensor.public.forms import seconds_since_start
from defensor.public.models import UsedChallenge
from defensor.public.testing import signon_data, solved_payload, started_seconds_ago

pytestmark = pytest.mark.django_db


def _post(campaign: Campaign, client: Client | None = None, **overrides: str | None) -> object:
    return (client or Client()).post(f"/act/{campaign.slug}/", signon_data(campaign, **overrides))


def test_a_missing_proof_of_work_is_refused_with_a_message(campaign: Campaign) -> None:
    response = _post(campaign, altcha=None)
    assert response.status_code == 400
    assert b"anti-spam check did not run" in response.content
    assert not Signature.objects.exists()
    assert mail.outbox == []


def test_a_forged_proof_of_work_is_refused(campaign: Campaign) -> None:
    payload = json.loads(base64.b64decode(solved_payload()))
    payload["solution"]["derivedKey"] = "00" * 32
    response = _post(campaign, altcha=base64.b64encode(json.dumps(payload).encode()).decode())
    assert response.status_code == 400
    assert b"anti-spam check failed" in response.content
    assert not Signature.objects.exists()


def test_a_challenge_signed_with_another_key_is_refused(campaign: Campaign) -> None:
    import altcha

    foreign = altcha.create_challenge("PBKDF2/SHA-256", 10, counter=3, hmac_secret="not-ours", hmac_key_secret="x")
    payload = proof_of_work.solve(foreign.to_dict())
    assert _post(campaign, altcha=payload).status_code == 400
    assert not Signature.objects.exists()


def test_garbage_instead_of_a_proof_of_work_is_refused(campaign: Campaign) -> None:
    assert _post(campaign, altcha="%%%not-base64").status_code == 400
    assert not Signature.objects.exists()


def test_a_refused_form_keeps_what_was_typed(campaign: Campaign) -> None:
    response = _post(campaign, altcha=None)
    assert "Ирина Петрова".encode() in response.content


def test_a_replayed_proof_of_work_is_refused(campaign: Campaign) -> None:
    payload = solved_payload()
    assert _post(campaign, altcha=payload).status_code == 200
    response = _post(campaign, altcha=payload, email="someone.else@example.org")
    assert response.status_code == 400
    assert b"already used" in response.content
    assert Signature.objects.count() == 1


def test_a_new_signer_s_proof_of_work_is_spent_on_the_signature_row(campaign: Campaign) -> None:
    assert _post(campaign).status_code == 200
    signature = Signature.objects.get()
    assert len(signature.proof_digest) == 64
    assert not UsedChallenge.objects.exists()


def test_a_proof_spent_on_a_signature_is_refused_for_the_same_email_too(campaign: Campaign) -> None:
    payload = solved_payload()
    assert _post(campaign, altcha=payload).status_code == 200
    mail.outbox.clear()
    response = _post(campaign, altcha=payload)
    assert response.status_code == 400
    assert b"already used" in response.content
    assert mail.outbox == []


def test_a_repeated_sign_on_keeps_its_proof_spent_for_any_email(campaign: Campaign) -> None:
    assert _post(campaign).status_code == 200  # the first signature, with a proof of its own
    repeat = solved_payload()
    assert _post(campaign, altcha=repeat).status_code == 200  # the same email again: nothing new
    assert UsedChallenge.objects.count() == 1
    response = _post(campaign, altcha=repeat, email="someone.else@example.org")
    assert response.status_code == 400
    assert b"already used" in response.content
    assert Signature.objects.count() == 1


def test_a_repeated_sign_on_s_proof_is_refused_for_a_second_repeat(campaign: Campaign) -> None:
    assert _post(campaign).status_code == 200
    repeat = solved_payload()
    assert _post(campaign, altcha=repeat).status_code == 200
    mail.outbox.clear()
    assert _post(campaign, altcha=repeat).status_code == 400
    assert mail.outbox == []


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(campaign: Campaign) -> None:
    response = _post(campaign, website="http://spam.example")
    assert response.status_code == 200
    assert b'data-testid="check-email"' in response.content
    assert not Signature.objects.exists()
    assert mail.outbox == []


def test_a_form_sent_too_fast_is_refused(campaign: Campaign) -> None:
    response = _post(campaign, started=started_seconds_ago(campaign.slug, 0.5))
    assert response.status_code == 400
    assert b"too quickly" in response.content
    assert not Signature.objects.exists()


def test_a_forged_start_time_is_refused(campaign: Campaign) -> None:
    assert _post(campaign, started="1700000000").status_code == 400
    assert not Signature.objects.exists()


def test_a_start_time_signed_under_a_previous_secret_key_is_refused(campaign: Campaign) -> None:
    note = started_seconds_ago(campaign.slug)
    assert seconds_since_start(note, campaign.slug) is not None  # the process's signer is made now
    with override_settings(SECRET_KEY="another-secret-key-" * 4):
        assert seconds_since_start(note, campaign.slug) is None
        assert seconds_since_start(started_seconds_ago(campaign.slug), campaign.slug) is not None
    assert seconds_since_start(note, campaign.slug) is not None


def test_a_start_time_from_another_campaign_is_refused(campaign: Campaign) -> None:
    assert _post(campaign, started=started_seconds_ago("another-campaign")).status_code == 400
    assert not Signature.objects.exists()


def test_too_many_signatures_for_one_email_get_429(campaign: Campaign) -> None:
    client = Client()
    for _attempt in range(rate_limits.PER_EMAIL.count):
        assert _post(campaign, client).status_code == 200
    response = _post(campaign, client)
    assert response.status_code == 429
    assert b"Too many signatures" in response.content


def test_too_many_signatures_from_one_address_get_429(campaign: Campaign) -> None:
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(rate_limits.PER_ADDRESS.count):
        assert _post(campaign, client, email=f"person{n}@example.org").status_code == 200
    response = _post(campaign, client, email="one.more@example.org")
    assert response.status_code == 429
    assert Signature.objects.count() == rate_limits.PER_ADDRESS.count


def test_another_address_is_not_limited_by_the_first(campaign: Campaign) -> None:
    busy = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(rate_limits.PER_ADDRESS.count + 1):
        _post(campaign, busy, email=f"person{n}@example.org")
    assert _post(campaign, Client(REMOTE_ADDR="198.51.100.10"), email="fresh@example.org").status_code == 200


def test_an_exempt_address_is_not_limited(campaign: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFENSOR_PUBLIC_RATE_LIMIT_EXEMPT", "198.51.100.77")
    rate_limits.exempt_addresses.cache_clear()
    try:
        client = Client(REMOTE_ADDR="198.51.100.77")
        statuses = {_post(campaign, client).status_code for _n in range(rate_limits.PER_EMAIL.count + 2)}
    finally:
        rate_limits.exempt_addresses.cache_clear()
    assert statuses == {200}


def test_the_challenge_endpoint_serves_a_signed_uncached_challenge(campaign: Campaign) -> None:
    response = Client().get(f"/act/{campaign.slug}/challenge/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    challenge = response.json()
    assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert challenge["signature"]
    assert challenge["parameters"]["keySignature"]
