"""Browser tests: Playwright drives the system's Chromium against a live Defensor server.

A pytest plugin (loaded with `-p defensor.e2e.fixtures`, as pyproject and `make e2e` do) so that
the fixtures exist once for the whole run, whichever folder a browser test lives in: Playwright's
sync API allows only one instance per process. Run with `make e2e`. Chromium comes from the
operating system's package (never downloaded by Playwright); set DEFENSOR_CHROMIUM to use another
binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def chromium_path() -> str:
    path = os.environ.get("DEFENSOR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is not installed: apt-get install chromium (or set DEFENSOR_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make between browser steps are ordinary synchronous calls. Set here, not at import,
    # so that the rest of the suite runs with Django's guard in place.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def reference_data(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The reference data the migrations load (standards catalogue, questionnaire v1).

    Browser tests run in transactions that are flushed afterwards, and the flush empties the
    tables the data migrations filled: load them again, as the migrations do (both loaders
    are idempotent).
    """
    from defensor.monitoring import questionnaire_file, services
    from defensor.monitoring.models import Questionnaire
    from defensor.standards.loader import load

    load()
    if not Questionnaire.objects.filter(organisation__isnull=True, status=Questionnaire.Status.PUBLISHED).exists():
        services.questionnaire_load(
            actor=None,
            content=questionnaire_file.SHIPPED_V1.read_bytes(),
            source="questionnaire-v1.toml",
            publish=True,
        )


@pytest.fixture
def session(browser: Browser, live_server, reference_data) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A fresh browser context on a desktop viewport; it fails the test on any console error (CSP included)."""
    from defensor.e2e.browser import BrowserSession  # imports models: only once Django is set up

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser_session = BrowserSession(page=page, base_url=live_server.url, results=RESULTS)
    yield browser_session
    context.close()
    browser_session.assert_no_console_errors()


@pytest.fixture
def phone_session(browser: Browser, live_server, reference_data) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The same on a phone (390 × 844, touch)."""
    from defensor.e2e.browser import BrowserSession

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page: Page = context.new_page()
    page.set_default_timeout(10_000)
    browser_session = BrowserSession(page=page, base_url=live_server.url, results=RESULTS)
    yield browser_session
    context.close()
    browser_session.assert_no_console_errors()
