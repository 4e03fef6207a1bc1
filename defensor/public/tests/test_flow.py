"""Sign, get the email, confirm with the button (not with the link alone), withdraw."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from defensor.campaigns.models import Campaign, Signature
from defensor.campaigns.signatures import signature_count
from defensor.public.testing import signon_data

pytestmark = pytest.mark.django_db


def _links(message: mail.EmailMessage) -> dict[str, str]:
    found = dict(re.findall(r"https?://[^/\s]+(/act/[^/\s]+/(confirm|unsign)/[^/\s]+/)", str(message.body)))
    return {kind: path for path, kind in found.items()}


class Signer:
    def __init__(self, committed: Any) -> None:
        self.committed = committed
        self.headers: dict[str, str] = {}

    def __call__(self, client: Client, campaign: Campaign, **overrides: str) -> Any:
        with self.committed():
            return client.post(f"/act/{campaign.slug}/", signon_data(campaign, **overrides), **self.headers)


@pytest.fixture
def sign(committed: Any) -> Signer:
    """Sign on through the page, running what the request queued after commit (the email)."""
    return Signer(committed)


def test_signing_answers_check_your_email_and_stores_a_pending_signature(campaign: Campaign, sign: Any) -> None:
    response = sign(Client(), campaign)
    assert response.status_code == 200
    assert b'data-testid="check-email"' in response.content
    signature = Signature.objects.get(campaign=campaign)
    assert signature.status == Signature.Status.PENDING
    assert signature.name == "Ирина Петрова"
    assert signature_count(campaign=campaign) == 0


def test_the_email_carries_a_confirm_and_an_unsign_link(campaign: Campaign, sign: Any) -> None:
    sign(Client(), campaign)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["irina.petrova@example.org"]
    assert set(_links(message)) == {"confirm", "unsign"}


def test_opening_the_confirm_link_does_not_confirm(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    response = client.get(_links(mail.outbox[0])["confirm"])
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert Signature.objects.get(campaign=campaign).status == Signature.Status.PENDING
    assert signature_count(campaign=campaign) == 0


def test_pressing_the_button_confirms_and_counts(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    link = _links(mail.outbox[0])["confirm"]
    response = client.post(link)
    assert response.status_code == 200
    assert b'data-testid="confirmed"' in response.content
    assert signature_count(campaign=campaign) == 1
    assert b"<strong>1</strong>" in client.get(f"/act/{campaign.slug}/").content


def test_confirming_twice_counts_once(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    link = _links(mail.outbox[0])["confirm"]
    client.post(link)
    assert client.post(link).status_code == 200
    assert signature_count(campaign=campaign) == 1


def test_an_unknown_token_is_a_404_and_confirms_nothing(campaign: Campaign, sign: Any) -> None:
    sign(Client(), campaign)
    response = Client().post(f"/act/{campaign.slug}/confirm/not-a-token/")
    assert response.status_code == 404
    assert signature_count(campaign=campaign) == 0


def test_the_unsign_link_withdraws_only_with_the_button(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    links = _links(mail.outbox[0])
    client.post(links["confirm"])
    client.get(links["unsign"])
    assert signature_count(campaign=campaign) == 1
    response = client.post(links["unsign"])
    assert b'data-testid="unsigned"' in response.content
    assert Signature.objects.get(campaign=campaign).status == Signature.Status.UNSIGNED
    assert signature_count(campaign=campaign) == 0


def test_a_second_signature_with_the_same_email_creates_no_second_row(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    response = sign(client, campaign, email="  Irina.Petrova@EXAMPLE.org ")
    assert response.status_code == 200
    assert b'data-testid="check-email"' in response.content
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_signing_again_while_pending_sends_a_new_email_whose_link_works(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    sign(client, campaign)
    assert len(mail.outbox) == 2
    client.post(_links(mail.outbox[1])["confirm"])
    assert signature_count(campaign=campaign) == 1


def test_signing_again_once_confirmed_sends_nothing(campaign: Campaign, sign: Any) -> None:
    client = Client()
    sign(client, campaign)
    client.post(_links(mail.outbox[0])["confirm"])
    sign(client, campaign)
    assert len(mail.outbox) == 1


def test_the_email_is_in_the_signers_language(campaign: Campaign, sign: Any) -> None:
    sign.headers["HTTP_ACCEPT_LANGUAGE"] = "ru"
    sign(Client(), campaign)
    assert Signature.objects.get(campaign=campaign).language == "ru"
    assert "Свободу защитнику" in mail.outbox[0].subject


def test_a_closed_campaign_takes_no_signature(campaign: Campaign, sign: Any) -> None:
    campaign.status = Campaign.Status.CLOSED
    campaign.save()
    response = sign(Client(), campaign)
    assert response.status_code == 409
    assert not Signature.objects.exists()
    assert mail.outbox == []
