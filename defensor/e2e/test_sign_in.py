"""The way in: sign-in with a second factor, the dashboard, the language switch, a phone."""

from __future__ import annotations

import pytest

from defensor.core.testing import make_member, make_organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def director(transactional_db):  # type: ignore[no-untyped-def]
    organisation = make_organisation("Justice International", "justice-international")
    return make_member(organisation, "director", email="director@ji.test")


def test_sign_in_with_password_and_code_reaches_the_dashboard(session, director):
    session.goto("/accounts/login/")
    session.assert_accessible()
    session.sign_in(director)
    assert session.page.locator("h1").inner_text() == "Dashboard"
    assert "Justice International" in session.page.locator(".org-name").inner_text()
    session.assert_accessible()
    session.screenshot("dashboard-en")


def test_wrong_code_keeps_the_person_out(session, director):
    from defensor.core.testing import give_second_factor

    give_second_factor(director)
    session.goto("/accounts/login/")
    session.page.fill("input[name=login]", director.email)
    session.page.fill("input[name=password]", "correct horse battery staple 42")
    session.page.click("form button[type=submit]")
    session.page.wait_for_url("**/2fa/authenticate/**")
    session.page.fill("input[name=code]", "000000")
    session.page.click("form button[type=submit]")
    assert "/2fa/authenticate/" in session.page.url
    session.goto("/app/")
    assert "/app/" not in session.page.url
    assert session.page.locator("input[name=code]").count() + session.page.locator("input[name=login]").count() == 1


def test_language_switch_shows_the_dashboard_in_russian(session, director):
    session.sign_in(director)
    # Choosing a language submits the form: wait for the page it leads to.
    with session.page.expect_navigation():
        session.page.select_option("#language-select", "ru")
    assert session.page.locator("html").get_attribute("lang") == "ru"
    assert session.page.locator("h1").inner_text() == "Обзор"
    session.assert_accessible()
    session.screenshot("dashboard-ru")


def test_dashboard_fits_a_phone(phone_session, director):
    phone_session.sign_in(director)
    width = phone_session.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    phone_session.assert_accessible()
    phone_session.screenshot("dashboard-phone")
