"""A new member joins: invited by email, sets a password, enrols an authenticator app before seeing anything."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from defensor.core.testing import make_member, make_organisation
from defensor.e2e.browser import fresh_totp_code

pytestmark = pytest.mark.e2e


def test_invited_volunteer_enrols_a_second_factor_before_seeing_the_dashboard(session, transactional_db):
    organisation = make_organisation("Justice International", "justice-international")
    director = make_member(organisation, "director", email="director@ji.test")
    page = session.page

    session.sign_in(director)
    session.goto("/app/members/")
    session.assert_accessible()
    page.fill("input[name=email]", "nadia@ji.test")
    page.select_option("form:has(input[name=email]) select[name=role]", label="Volunteer")
    with page.expect_navigation():
        page.click("button:has-text('Send invitation')")
    assert len(mail.outbox) == 1
    match = re.search(r"https?://\S+/invitation/\S+/", str(mail.outbox[0].body))
    assert match is not None
    link = match.group(0)
    path = "/" + link.split("/", 3)[3]

    # The invitee, in a fresh browser: no account yet.
    page.context.clear_cookies()
    session.goto(path)
    session.assert_accessible()
    page.fill("input[name=full_name]", "Nadia Karimova")
    page.fill("input[name=password]", "a long and unusual passphrase 2017")
    page.fill("input[name=password_again]", "a long and unusual passphrase 2017")
    page.click("main form button[type=submit]")

    # Nothing under /app/ before a second factor: the dashboard sends her to set one up.
    session.goto("/app/")
    assert "/app/" not in page.url
    session.goto("/accounts/2fa/totp/activate/")
    session.assert_accessible()
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", fresh_totp_code(secret))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    session.goto("/app/")
    assert page.url.endswith("/app/")
    assert page.locator("h1").inner_text() == "Dashboard"
