"""The observer's questionnaire in a real browser on a phone: no console (CSP) errors, autosave,
answers kept in the browser until the server has them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from defensor.monitoring import services
from defensor.monitoring.models import Observation

pytestmark = pytest.mark.e2e


def test_the_observer_fills_a_section_on_a_phone_and_it_autosaves(phone_session, world):
    observation = services.observation_start(actor=world.observer, hearing=world.hearing)
    phone_session.sign_in(world.observer)
    phone_session.goto(f"/app/monitoring/observations/{observation.pk}/section/C/")
    page = phone_session.page
    page.locator("label.monitoring-option", has_text="No").first.click()
    expect(page.locator("#save-status")).to_contain_text("Saved")
    page.fill("#q-C-closure_legal_basis", "None given")
    page.locator("#q-C-closure_legal_basis").blur()
    page.wait_for_timeout(1500)
    observation.refresh_from_db()
    assert observation.answers["C.hearing_public"] == "no"
    assert observation.answers["C.closure_legal_basis"] == "None given"
    box = page.locator("label.monitoring-option").first.bounding_box()
    assert box is not None and box["height"] >= 44
    phone_session.assert_accessible()
    phone_session.screenshot("monitoring-observation-phone")


def test_answers_typed_offline_come_back_after_a_reload(phone_session, world):
    observation = services.observation_start(actor=world.observer, hearing=world.hearing)
    phone_session.sign_in(world.observer)
    url = f"/app/monitoring/observations/{observation.pk}/section/M/"
    phone_session.goto(url)
    page = phone_session.page
    page.context.set_offline(True)
    page.fill("#q-M-narrative_chronology", "Typed while offline")
    page.locator("#q-M-narrative_chronology").blur()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    stored = page.evaluate(f"window.localStorage.getItem('defensor-observation-{observation.pk}')")
    assert "Typed while offline" in stored
    # Back online, but the server still unreachable for saves while the page reloads: what is on
    # the page after the reload can only come from the browser's storage.
    autosave = f"**/observations/{observation.pk}/autosave/"
    page.route(autosave, lambda route: route.abort())
    page.context.set_offline(False)
    phone_session.goto(url)
    expect(page.locator("#q-M-narrative_chronology")).to_have_value("Typed while offline")
    # Then the server is reachable again: the page's retry saves the restored answer.
    page.unroute(autosave)
    # The browser forgets its copy only once the server has confirmed the save.
    page.wait_for_function(
        f"() => window.localStorage.getItem('defensor-observation-{observation.pk}') === null", timeout=20_000
    )
    expect(page.locator("#save-status")).to_contain_text("Saved")
    assert Observation.objects.get(pk=observation.pk).answers["M.narrative_chronology"] == "Typed while offline"
    # The failed saves while offline or blocked are logged by the browser and htmx; that was the point.
    phone_session.console_errors.clear()
