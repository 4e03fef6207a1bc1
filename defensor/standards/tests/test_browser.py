"""The catalogue in a real browser: accessible, no console (CSP) errors, live search, a phone."""

from __future__ import annotations

import pytest

from defensor.core.testing import make_member, make_organisation
from defensor.standards.loader import load

pytestmark = pytest.mark.e2e


@pytest.fixture
def volunteer(transactional_db):  # type: ignore[no-untyped-def]
    load()
    organisation = make_organisation("Justice International", "justice-international")
    return make_member(organisation, "volunteer", email="volunteer@ji.test")


def test_catalogue_search_updates_the_results_as_you_type(session, volunteer):
    session.sign_in(volunteer)
    session.goto("/app/standards/")
    session.assert_accessible()
    session.page.fill("#id_q", "48 hours")
    session.page.wait_for_selector("#standards-results a[href='/app/standards/provisions/BPRL-7/']")
    assert "2 provisions found" in session.page.locator("#standards-results h2").inner_text()
    session.screenshot("standards-catalogue-search")


def test_provision_and_vocabulary_pages_are_accessible(session, volunteer):
    session.sign_in(volunteer)
    for path in (
        "/app/standards/instruments/BPRL/",
        "/app/standards/provisions/ICCPR-9.3.prompt_48h/",
        "/app/standards/vocabularies/",
    ):
        session.goto(path)
        session.assert_accessible()
        session.screenshot("standards" + path.rstrip("/").replace("/app/standards", "").replace("/", "-"))
    session.goto("/app/standards/provisions/ICCPR-9.3.prompt_48h/")
    assert session.page.locator(".badge.to-verify").first.is_visible()


def test_provision_page_fits_a_phone(phone_session, volunteer):
    phone_session.sign_in(volunteer)
    phone_session.goto("/app/standards/provisions/COE-LAWYERS-2025-protection/")
    width = phone_session.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_session.screenshot("standards-provision-phone")
    phone_session.goto("/app/standards/vocabularies/")
    assert phone_session.page.evaluate("document.documentElement.scrollWidth") <= 390
