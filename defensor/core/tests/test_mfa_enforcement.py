"""Nothing under /app/ or /admin/ answers without a signed-in user who passed a second factor.

The routes are crawled from the URL configuration, so a page added by any app is
covered the day it is added.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from defensor.core.testing import give_second_factor, make_member, sign_in
from defensor.core.tests.routes import Route, admin_routes, app_routes

METHODS = ("get", "post")


@pytest.fixture
def member_without_factor(personas):
    # A director who is also staff and superuser: the second-factor gate is the only
    # thing between them and every page, the admin included.
    return make_member(personas.organisation, "director", email="no-factor@ji.test", is_staff=True, is_superuser=True)


def _sign_in_page() -> str:
    return reverse("account_login")


def _gated_routes() -> list[Route]:
    return app_routes() + admin_routes()


def test_the_crawl_finds_the_app_pages():
    paths = {route.path for route in app_routes()}
    assert len(paths) > 5, f"the crawl found too few /app/ pages: {sorted(paths)}"
    assert {"/app/", "/app/audit/", "/app/members/"} <= paths


def test_the_crawl_finds_the_admin_pages():
    paths = {route.path for route in admin_routes()}
    assert len(paths) > 5, f"the crawl found too few /admin/ pages: {sorted(paths)}"
    assert "/admin/" in paths


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_from_every_private_page():
    client = Client()  # one client: each new one makes WhiteNoise scan the static files again
    wrong = []
    for route in _gated_routes():
        for method in METHODS:
            response = getattr(client, method)(route.path)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(_sign_in_page()):
                wrong.append(f"{method.upper()} {route}: {response.status_code} {location}")
    assert not wrong, "pages open to anonymous visitors:\n" + "\n".join(wrong)


def test_member_without_second_factor_is_sent_to_set_one_up_from_every_private_page(member_without_factor):
    client = sign_in(Client(), member_without_factor, second_factor=False)
    wrong = []
    for route in _gated_routes():
        for method in METHODS:
            response = getattr(client, method)(route.path)
            if response.status_code != 302 or response["Location"] != reverse("mfa_index"):
                wrong.append(f"{method.upper()} {route}: {response.status_code} {response.get('Location', '')}")
    assert not wrong, "pages open without a second factor:\n" + "\n".join(wrong)


def test_member_with_a_factor_unused_in_this_session_is_signed_out(member_without_factor):
    give_second_factor(member_without_factor)
    client = Client()
    wrong = []
    for route in _gated_routes():
        # Signed in again before each route, as the gate signs the session out.
        response = sign_in(client, member_without_factor, second_factor=False).get(route.path)
        if response.status_code != 302 or response["Location"] != _sign_in_page() or "_auth_user_id" in client.session:
            wrong.append(f"{route}: {response.status_code} {response.get('Location', '')}")
    assert not wrong, "pages open to a session that skipped its second factor:\n" + "\n".join(wrong)


def test_the_same_member_with_second_factor_gets_the_pages(member_without_factor):
    # The control: the gate above is what kept the member out, not a missing permission.
    client = sign_in(Client(), member_without_factor)
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    assert client.get("/admin/").status_code == 200
