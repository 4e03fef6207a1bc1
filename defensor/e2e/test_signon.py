"""A visitor signs a campaign on the public page in Russian; the proof of work runs in the browser."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client

from defensor.campaigns.models import Signature
from defensor.campaigns.signatures import signature_count
from defensor.core.testing import make_member, make_organisation
from defensor.public.testing import make_campaign, started_seconds_ago

pytestmark = pytest.mark.e2e


def test_a_visitor_signs_in_russian_and_confirms_with_the_button(session, transactional_db):
    organisation = make_organisation("Justice International", "justice-international")
    director = make_member(organisation, "director", email="director@ji.test")
    campaign = make_campaign(organisation, director)
    page = session.page

    session.goto(f"/act/{campaign.slug}/")
    with page.expect_navigation():
        page.select_option("#language-select", "ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Свободу защитнику"
    before = page.get_by_test_id("signature-count").inner_text()
    assert re.search(r"\b0\b", before)
    opened = time.monotonic()
    session.assert_accessible()

    page.fill("input[name=name]", "Ирина Петрова")  # focusing the form starts the proof of work
    page.check("input[name=profession][value=lawyer]")
    page.fill("input[name=bar_association]", "Адвокатская палата Москвы")
    page.select_option("select[name=country]", "RU")
    page.fill("input[name=email]", "irina@example.org")
    page.check("input[name=consent_letter]")
    page.wait_for_function(
        "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
        timeout=60_000,
    )
    time.sleep(max(0.0, 3.2 - (time.monotonic() - opened)))  # people take longer than the minimum fill time
    with page.expect_navigation():
        page.click("form.public-form button[type=submit]")
    assert page.get_by_test_id("check-email").is_visible()
    session.assert_accessible()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Свободу защитнику" in message.subject
    confirm = re.search(r"https?://\S+?(/act/\S+/confirm/\S+/)", str(message.body))
    assert confirm is not None
    assert re.search(r"/act/\S+/unsign/\S+/", str(message.body))

    # A mail scanner opens the link: nothing is confirmed.
    scanner = page.request.get(session.url(confirm.group(1)))
    assert scanner.ok
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert signature_count(campaign=campaign) == 0

    session.goto(confirm.group(1))
    session.assert_accessible()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.get_by_test_id("confirmed").is_visible()
    assert signature_count(campaign=campaign) == 1

    session.goto(f"/act/{campaign.slug}/")
    assert re.search(r"\b1\b", page.get_by_test_id("signature-count").inner_text())


def test_a_scripted_post_without_proof_of_work_is_rejected_and_stores_nothing(session, transactional_db):
    organisation = make_organisation("Justice International", "justice-international")
    director = make_member(organisation, "director", email="director@ji.test")
    campaign = make_campaign(organisation, director)
    data = {
        "name": "Robot",
        "profession": "other",
        "email": "robot@example.org",
        "consent_letter": "on",
        "started": started_seconds_ago(campaign.slug),
    }
    response = session.page.request.post(session.url(f"/act/{campaign.slug}/"), form=data)
    assert response.status == 400
    forged = Client().post(f"/act/{campaign.slug}/", {**data, "altcha": "eyJjaGFsbGVuZ2UiOnt9fQ=="})
    assert forged.status_code == 400
    assert not Signature.objects.exists()
    assert mail.outbox == []
