"""The sign-on lane: sign-ons taken in the WSGI layer give the answers, rows and limits of the full stack.

Each test builds its own lane around Django's WSGI handler, and counts what reaches Django.
The visitor is anonymous (the public page has no accounts): the staff personas are not involved.
"""

from __future__ import annotations

import io
import time
import urllib.parse
from typing import Any

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.http import QueryDict
from django.utils.http import http_date, parse_http_date

from defensor.campaigns.models import Campaign, Signature
from defensor.public import lane as lane_module
from defensor.public import rate_limits, services
from defensor.public.lane import SignOnLane, expires_now, form_fields
from defensor.public.testing import signon_data

pytestmark = pytest.mark.django_db(transaction=True)

ACK = b'data-testid="check-email"'


class Counted:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def django_app() -> Counted:
    return Counted()


@pytest.fixture
def lane(django_app: Counted) -> SignOnLane:
    cache.clear()
    return SignOnLane(django_app)


def call(
    app: Any, path: str, data: dict[str, Any] | None = None, *, method: str = "POST", **extra: str
) -> tuple[int, dict[str, str], bytes]:
    body = urllib.parse.urlencode(data or {}).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.7",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    result = app(environ, start_response)
    content = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return int(seen["status"][:3]), dict(seen["headers"]), content


def sign(app: Any, campaign: Campaign, path: str = "", **overrides: Any) -> tuple[int, dict[str, str], bytes]:
    extra = {key: overrides.pop(key) for key in list(overrides) if key.isupper()}
    return call(app, path or f"/act/{campaign.slug}/", signon_data(campaign, **overrides), **extra)


def test_the_first_sign_on_is_answered_by_django_and_the_next_by_the_lane(
    lane: SignOnLane, django_app: Counted, campaign: Campaign
) -> None:
    first = sign(lane, campaign, email="first@example.org")
    second = sign(lane, campaign, email="second@example.org")
    assert first[0] == second[0] == 200
    assert ACK in first[2]
    assert second[2] == first[2]
    assert django_app.calls == 1
    assert Signature.objects.filter(campaign=campaign).count() == 2


def test_the_lane_gives_the_full_stacks_headers_with_a_new_request_id_and_expiry(
    lane: SignOnLane, campaign: Campaign
) -> None:
    _status, full, _body = sign(lane, campaign, email="first@example.org")
    _status, replayed, _body = sign(lane, campaign, email="second@example.org")
    per_answer = {"X-Request-ID", "Expires"}
    assert {k: v for k, v in replayed.items() if k not in per_answer} == {
        k: v for k, v in full.items() if k not in per_answer
    }
    assert "frame-ancestors 'none'" in replayed["Content-Security-Policy"]
    assert replayed["X-Frame-Options"] == "DENY"
    assert "no-store" in replayed["Cache-Control"]
    assert replayed["X-Request-ID"] != full["X-Request-ID"]


def test_the_replayed_expiry_is_the_moment_of_the_answer(lane: SignOnLane, campaign: Campaign) -> None:
    sign(lane, campaign, email="first@example.org")
    before = int(time.time())
    _status, replayed, _body = sign(lane, campaign, email="second@example.org")
    assert before <= parse_http_date(replayed["Expires"]) <= int(time.time())


def test_the_expiry_text_is_djangos_and_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_797_000_000.25]
    monkeypatch.setattr(lane_module.time, "time", lambda: now[0])
    assert expires_now() == http_date(1_797_000_000)
    now[0] += 0.5
    assert expires_now() == http_date(1_797_000_000)
    now[0] += 1
    assert expires_now() == http_date(1_797_000_001)


def test_the_embedded_form_keeps_its_own_frame_ancestors(lane: SignOnLane, personas: Any) -> None:
    from defensor.public.testing import make_campaign

    campaign = make_campaign(
        personas.organisation, personas.users["director"], slug="embedded", embed_origins=["https://partner.example"]
    )
    path = f"/act/{campaign.slug}/embed/"
    sign(lane, campaign, path, email="first@example.org")
    status, headers, body = sign(lane, campaign, path, email="second@example.org")
    assert status == 200 and ACK in body
    assert "frame-ancestors https://partner.example" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_a_russian_signer_gets_the_russian_answer_and_the_signature_says_so(
    lane: SignOnLane, campaign: Campaign
) -> None:
    sign(lane, campaign, email="first@example.org")  # the English answer is kept
    sign(lane, campaign, email="a@example.org", HTTP_ACCEPT_LANGUAGE="ru")
    status, headers, body = sign(lane, campaign, email="b@example.org", HTTP_ACCEPT_LANGUAGE="ru")
    assert status == 200
    assert headers["Content-Language"] == "ru"
    assert "Проверьте почту".encode() in body
    assert sorted(Signature.objects.values_list("language", flat=True)) == ["en", "ru", "ru"]


def test_a_refusal_is_decided_once_and_answered_by_the_view(
    lane: SignOnLane, django_app: Counted, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided: list[Any] = []
    receive = services.signon_receive

    def counted(**kwargs: Any) -> Any:
        decided.append(kwargs)
        return receive(**kwargs)

    monkeypatch.setattr(services, "signon_receive", counted)
    import defensor.public.views as views

    monkeypatch.setattr(views, "signon_receive", counted)
    status, _headers, body = sign(lane, campaign, altcha="forged")
    assert status == 400
    assert "anti-spam check failed" in body.decode()
    assert len(decided) == 1
    assert django_app.calls == 1
    assert not Signature.objects.exists()


def test_a_rate_limit_is_counted_once_per_request(
    lane: SignOnLane, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits: list[str] = []
    hit = rate_limits.hit

    def counted(limit: rate_limits.Limit, value: str) -> bool:
        hits.append(limit.name)
        return hit(limit, value)

    monkeypatch.setattr(rate_limits, "hit", counted)
    monkeypatch.setattr(rate_limits, "PER_ADDRESS", rate_limits.Limit("address", 1, 600))
    assert sign(lane, campaign, email="first@example.org")[0] == 200
    status, _headers, body = sign(lane, campaign, email="second@example.org")
    assert status == 429
    assert "Too many signatures" in body.decode()
    assert hits == ["address", "email", "address"]
    assert Signature.objects.count() == 1


def test_a_spent_proof_of_work_is_refused_by_the_lane_too(lane: SignOnLane, campaign: Campaign) -> None:
    data = signon_data(campaign, email="first@example.org")
    sign(lane, campaign, email="warm@example.org")  # the lane now has its answer
    assert call(lane, f"/act/{campaign.slug}/", data)[0] == 200
    status, _headers, body = call(lane, f"/act/{campaign.slug}/", {**data, "email": "other@example.org"})
    assert status == 400
    assert "already used" in body.decode()
    assert Signature.objects.count() == 2


def test_the_bot_trap_gets_the_same_answer_and_stores_nothing(lane: SignOnLane, campaign: Campaign) -> None:
    first = sign(lane, campaign, email="first@example.org")
    trapped = sign(lane, campaign, email="bot@example.org", website="https://spam.example")
    assert trapped[0] == 200
    assert trapped[2] == first[2]
    assert Signature.objects.count() == 1


def test_an_unknown_campaign_is_a_404_from_django(lane: SignOnLane, django_app: Counted, campaign: Campaign) -> None:
    status, _headers, _body = call(lane, "/act/no-such-campaign/", signon_data(campaign))
    assert status == 404
    assert django_app.calls == 1


def test_a_host_outside_allowed_hosts_is_refused_by_django(lane: SignOnLane, campaign: Campaign) -> None:
    status, _headers, _body = sign(lane, campaign, HTTP_HOST="evil.example")
    assert status == 400
    assert not Signature.objects.exists()


def test_plain_http_is_redirected_when_https_is_required(campaign: Campaign, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    lane = SignOnLane(Counted())  # the middleware read the setting as they were loaded
    status, headers, _body = sign(lane, campaign)
    assert status == 301
    assert headers["Location"].startswith("https://")
    assert not Signature.objects.exists()


def test_other_requests_pass_through_untouched(lane: SignOnLane, django_app: Counted, campaign: Campaign) -> None:
    assert call(lane, f"/act/{campaign.slug}/", method="GET")[0] == 200
    assert call(lane, f"/act/{campaign.slug}/challenge/", method="GET")[0] == 200
    status, _headers, _body = call(lane, f"/act/{campaign.slug}/", {"name": "x"}, CONTENT_TYPE="text/plain")
    assert status == 400
    assert django_app.calls == 3


def test_an_error_while_deciding_is_djangos_500(
    lane: SignOnLane, campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "signon_receive", broken)
    status, _headers, body = sign(lane, campaign)
    assert status == 500
    assert b"the database went away" not in body
    assert not Signature.objects.exists()


def test_a_changed_campaign_gets_a_new_answer(lane: SignOnLane, django_app: Counted, campaign: Campaign) -> None:
    sign(lane, campaign, email="first@example.org")
    campaign.title_en = "Free the defender now"
    campaign.save()  # the process forgets its copy of the campaign
    status, _headers, body = sign(lane, campaign, email="second@example.org")
    assert status == 200
    assert b"Free the defender now" in body
    assert django_app.calls == 2


@pytest.mark.parametrize(
    "body",
    [
        b"name=Ada+Lovelace&email=ada%40example.org&website=",
        b"name=first&name=second&consent_letter=on",  # the last value, as QueryDict.get gives
        "name=Анна+Ковалёва&bar_association=Адвокатская+палата".encode(),
        urllib.parse.urlencode({"name": "Анна"}).encode(),
        b"name=%D0%90%D0%BD%D0%BD%D0%B0&broken=%ZZ&pct=100%25",
        b"name=\xff\xfe+not+utf-8",  # read as Latin-1, as Django does
        b"name=a;b&c=d&&=empty&novalue",
        b"name=%00nul&email=%E2%80%AEreversed",
        b"",
    ],
)
def test_the_lanes_form_reading_is_djangos(body: bytes) -> None:
    expected = QueryDict(body, encoding="utf-8")
    assert form_fields(body) == {key: expected[key] for key in expected}


def test_a_form_with_too_many_fields_is_left_to_django(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    assert form_fields(b"a=1&b=2&c=3") == {"a": "1", "b": "2", "c": "3"}
    assert form_fields(b"a=1&b=2&c=3&d=4") is None


def test_a_form_declared_in_another_charset_is_refused_by_django(
    lane: SignOnLane, django_app: Counted, campaign: Campaign
) -> None:
    status, _headers, _body = sign(lane, campaign, CONTENT_TYPE="application/x-www-form-urlencoded; charset=latin-1")
    assert status == 400
    assert django_app.calls == 1
    assert not Signature.objects.exists()
