"""The private iCalendar feed: RFC 5545 format, little revealed, revocable token."""

from __future__ import annotations

import datetime
import hashlib

from django.urls import reverse
from django.utils import timezone

from defensor.cases import services as case_services
from defensor.core.testing import assert_persona_matrix
from defensor.monitoring import ical, services
from defensor.monitoring.models import CalendarFeed


def unfold(body: str) -> list[str]:
    assert body.endswith("\r\n")
    lines: list[str] = []
    for raw in body.split("\r\n")[:-1]:
        assert "\n" not in raw and "\r" not in raw
        if raw.startswith(" "):
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def feed_body(world, user=None):
    _feed, token = services.calendar_feed_create(actor=user or world.observer)
    response = world.client("anonymous").get(f"/ical/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return response.content.decode("utf-8")


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "Суд " * 40
    folded = ical.fold(line)
    assert all(len(piece.encode("utf-8")) <= 75 for piece in folded.split("\r\n"))
    assert unfold(folded + "\r\n") == [line]


def test_text_is_escaped():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_a_calendar_parses_back_line_by_line():
    start = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=datetime.UTC)
    body = ical.calendar(
        [ical.CalendarEvent(uid="hearing-1@example.org", start=start, summary="REF-1 · Court, Room 4; East")],
        name="Hearings",
        now=start,
    )
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "DTSTART:20250314T093000Z" in lines and "DTSTAMP:20250314T093000Z" in lines
    assert "SUMMARY:REF-1 · Court\\, Room 4\\; East" in lines and "UID:hearing-1@example.org" in lines


def test_the_feed_lists_hearings_by_case_reference_and_court(world):
    lines = unfold(feed_body(world))
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert summaries == [f"SUMMARY:{world.case.reference} · Ashgabat City Court"]
    start = world.hearing.scheduled_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in lines and any(line.startswith("UID:hearing-") for line in lines)


def test_the_feed_names_no_person(world):
    services.hearing_update(actor=world.user("case_officer"), hearing=world.hearing, bench=[world.judge])
    body = feed_body(world)
    for name in ("Matalaev", "Маталаев", "Sudin", "Судьин", world.observer.get_full_name(), world.case.title):
        assert name not in body


def test_the_feed_leaves_out_old_hearings_and_keeps_recent_ones(world):
    officer = world.user("case_officer")
    services.hearing_add(
        actor=officer, plan=world.plan, kind="preliminary", scheduled_start=timezone.now() - datetime.timedelta(days=40)
    )
    recent = services.hearing_add(
        actor=officer, plan=world.plan, kind="detention", scheduled_start=timezone.now() - datetime.timedelta(days=5)
    )
    lines = unfold(feed_body(world))
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == 2 and any(f"hearing-{recent.pk}@" in uid for uid in uids)


def test_the_feed_shows_only_hearings_the_user_may_see(world):
    officer = world.user("case_officer")
    secret = case_services.case_open(
        actor=officer,
        organisation=world.organisation,
        title="Secret",
        country="RU",
        lead=officer,
        sensitivity="confidential",
    )
    proceeding = case_services.proceeding_add(actor=officer, case=secret, kind="criminal")
    plan = services.plan_create(actor=officer, proceeding=proceeding)
    services.hearing_add(
        actor=officer, plan=plan, kind="trial", scheduled_start=timezone.now() + datetime.timedelta(days=2)
    )
    assert secret.reference not in feed_body(world, user=world.user("volunteer"))
    assert secret.reference in feed_body(world, user=officer)


def test_only_the_hash_of_the_token_is_stored(world):
    feed, token = services.calendar_feed_create(actor=world.observer)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not CalendarFeed.objects.filter(token_hash=token).exists()


def test_a_revoked_token_is_a_404(world):
    _feed, token = services.calendar_feed_create(actor=world.observer)
    services.calendar_feed_revoke(actor=world.observer)
    assert world.client("anonymous").get(f"/ical/{token}.ics").status_code == 404


def test_regenerating_stops_the_old_address(world):
    _feed, old = services.calendar_feed_create(actor=world.observer)
    _feed, new = services.calendar_feed_create(actor=world.observer)
    client = world.client("anonymous")
    assert client.get(f"/ical/{old}.ics").status_code == 404 and client.get(f"/ical/{new}.ics").status_code == 200


def test_an_unknown_token_is_a_404(world):
    assert world.client("anonymous").get("/ical/not-a-token.ics").status_code == 404


def test_a_deactivated_user_feed_stops(world):
    _feed, token = services.calendar_feed_create(actor=world.observer)
    world.observer.is_active = False
    world.observer.save()
    assert world.client("anonymous").get(f"/ical/{token}.ics").status_code == 404


def test_the_calendar_page_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:calendar"), expected)


def test_the_address_is_shown_once(world):
    client = world.client("observer")
    created = client.post(reverse("monitoring:calendar"), {"action": "create"}).content.decode()
    assert "/ical/" in created
    assert "/ical/" not in client.get(reverse("monitoring:calendar")).content.decode()


def test_revoking_through_the_page(world):
    client = world.client("observer")
    client.post(reverse("monitoring:calendar"), {"action": "create"})
    client.post(reverse("monitoring:calendar"), {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=world.observer, revoked_at__isnull=True).exists()
