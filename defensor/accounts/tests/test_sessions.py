from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone


def _at(start, **delta):
    return time_machine.travel(start + datetime.timedelta(**delta), tick=False)


def test_idle_session_ends_after_30_minutes(personas):
    start = timezone.now()
    with _at(start):
        client = personas.client("volunteer")
        assert client.get("/app/").status_code == 200
    with _at(start, minutes=31):
        response = client.get("/app/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_activity_keeps_the_session_alive(personas):
    start = timezone.now()
    with _at(start):
        client = personas.client("volunteer")
    for minutes in (20, 40, 60):
        with _at(start, minutes=minutes):
            assert client.get("/app/").status_code == 200


def test_session_ends_after_12_hours_however_active(personas):
    start = timezone.now()
    with _at(start):
        client = personas.client("volunteer")
    for minutes in range(20, 12 * 60, 20):
        with _at(start, minutes=minutes):
            assert client.get("/app/").status_code == 200, f"ended early at {minutes} min"
    with _at(start, hours=12, minutes=1):
        assert client.get("/app/").status_code == 302


def test_idle_timeout_is_configurable(personas, settings):
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=5)
    start = timezone.now()
    with _at(start):
        client = personas.client("volunteer")
    with _at(start, minutes=6):
        assert client.get("/app/").status_code == 302


def test_private_pages_are_never_cached(personas):
    response = personas.client("volunteer").get("/app/")
    assert "no-store" in response["Cache-Control"]
