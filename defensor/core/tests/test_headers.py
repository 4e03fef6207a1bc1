"""Security headers on every response, whatever its status, and cookies as production sets them."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import RequestContext, Template
from django.test import Client
from django.urls import reverse

from defensor.core.testing import PASSWORD, make_member, sign_in
from defensor.core.tests.routes import all_routes

# The values production derives from DEFENSOR_ENV=production (test_production_settings
# checks that production really sets them).
PRODUCTION_SECURITY = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 63072000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-defensor_session",
    "CSRF_COOKIE_NAME": "__Host-defensor_csrf",
}
SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin"}
ALLOWED_SCRIPT_SOURCES = {"'self'", "'strict-dynamic'"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    """What is missing or unsafe in the security headers of one response."""
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        return ["no Content-Security-Policy", *_other_header_problems(response)]
    directives = csp_directives(csp)
    if directives.get("default-src") != ["'none'"]:
        problems.append(f"default-src is {directives.get('default-src')}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
    script_src = directives.get("script-src")
    if not script_src:
        problems.append("no script-src")
    else:
        # Scripts come from our own origin or carry the response's nonce; nothing inline, nothing else.
        unexpected = [s for s in script_src if s not in ALLOWED_SCRIPT_SOURCES and not s.startswith("'nonce-")]
        if unexpected:
            problems.append(f"script-src allows {unexpected}")
    return problems + _other_header_problems(response)


def _other_header_problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options is {response.headers.get('X-Content-Type-Options')!r}")
    if response.headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {response.headers.get('Referrer-Policy')!r}")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.headers.get('X-Frame-Options')!r}")
    if response.wsgi_request.path.startswith("/app/") and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}")
    return problems


def crawl(prepare) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """GET every route; `prepare(client)` runs before each (one client: each new one rescans static files)."""
    client = Client(raise_request_exception=False)
    failures = {}
    for route in all_routes():
        response = prepare(client).get(route.path)
        problems = header_problems(response)
        if problems:
            failures[f"{route} → {response.status_code}"] = problems
    return failures


def _format(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {'; '.join(problems)}" for where, problems in failures.items())


def test_every_route_carries_the_security_headers_for_a_director(personas):
    # Signed in again before each route: one of them is the sign-out page.
    failures = crawl(lambda client: sign_in(client, personas.users["director"]))
    assert not failures, _format(failures)


@pytest.mark.django_db
def test_every_route_carries_the_security_headers_for_anonymous():
    def anonymous(client: Client) -> Client:
        client.logout()
        return client

    failures = crawl(anonymous)
    assert not failures, _format(failures)


@pytest.mark.django_db
def test_public_pages_answer_anonymous_with_the_headers():
    # The crawls above would pass on redirects alone; these pages render for anonymous.
    for path in (reverse("account_login"), reverse("core:healthz"), reverse("account_reset_password")):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert header_problems(response) == [], path


@pytest.mark.django_db
def test_language_switch_answers_with_the_headers():
    response = Client().post(reverse("accounts:language"), {"language": "ru", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert header_problems(response) == []


@pytest.mark.django_db
def test_not_found_carries_the_headers():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert header_problems(response) == []


def test_not_found_inside_the_app_carries_the_headers(personas):
    response = personas.client("director").get("/app/no-such-page/")
    assert response.status_code == 404
    assert header_problems(response) == []


def test_forbidden_carries_the_headers(personas):
    response = personas.client("director").get(reverse("core:audit"))
    assert response.status_code == 403
    assert header_problems(response) == []


def test_method_not_allowed_carries_the_headers(personas):
    response = personas.client("director").get(reverse("accounts:organisation_switch"))
    assert response.status_code == 405
    assert header_problems(response) == []


def _page_using_the_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        Template('<script nonce="{{ csp_nonce }}" src="/static/x.js"></script>').render(RequestContext(request))
    )


def test_a_page_that_uses_the_nonce_gets_it_in_script_src(rf):
    # Django names the nonce in the header only when a template used it; this proves the
    # settings (policy, context processor, middleware) deliver it to such a page.
    response = ContentSecurityPolicyMiddleware(_page_using_the_nonce)(rf.get("/app/"))
    script_src = csp_directives(response["Content-Security-Policy"])["script-src"]
    nonces = [source for source in script_src if source.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert f'nonce="{nonce}"' in response.content.decode()


def test_each_response_gets_its_own_nonce(rf):
    first = ContentSecurityPolicyMiddleware(_page_using_the_nonce)(rf.get("/app/"))
    second = ContentSecurityPolicyMiddleware(_page_using_the_nonce)(rf.get("/app/"))
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]


# --- production ---------------------------------------------------------------------------------


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION_SECURITY.items():
        setattr(settings, name, value)
    return settings


def _assert_locked_down(morsel) -> None:  # type: ignore[no-untyped-def]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] in {"Lax", "Strict"}
    # `__Host-` cookies are refused by browsers unless they are Secure, on /, and host-only.
    if morsel.key.startswith("__Host-"):
        assert morsel["path"] == "/"
        assert not morsel["domain"]


@pytest.mark.django_db
def test_production_sends_hsts(production):
    response = Client().get(reverse("account_login"), secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert "max-age=63072000" in hsts
    assert "includeSubDomains" in hsts


@pytest.mark.django_db
def test_production_sends_hsts_on_private_pages(production, personas):
    response = sign_in(Client(), personas.users["director"]).get(reverse("reporting:dashboard"), secure=True)
    assert response.status_code == 200
    assert "max-age=63072000" in response["Strict-Transport-Security"]


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https(production):
    response = Client().get(reverse("account_login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_production_csrf_cookie_is_secure_httponly_and_samesite(production):
    response = Client().get(reverse("account_login"), secure=True)
    _assert_locked_down(response.cookies[production.CSRF_COOKIE_NAME])


def test_production_session_cookie_is_secure_httponly_and_samesite(production, personas):
    user = make_member(personas.organisation, "case_officer", email="cookie@ji.test")
    client = Client()
    client.get(reverse("account_login"), secure=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    _assert_locked_down(response.cookies[production.SESSION_COOKIE_NAME])


@pytest.mark.django_db
def test_production_language_cookie_is_secure_httponly_and_samesite(production):
    response = Client().post(reverse("accounts:language"), {"language": "ru"}, secure=True)
    assert response.status_code == 302
    from django.conf import settings

    _assert_locked_down(response.cookies[settings.LANGUAGE_COOKIE_NAME])
