"""What browser tests share: signing in through the real pages, accessibility checks, screenshots."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page

from defensor.core.testing import PASSWORD, give_second_factor

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the secret give_second_factor() enrols


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    """The six-digit code an authenticator app would show (RFC 6238, SHA-1, 30 s)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def fresh_totp_code(secret: str = TOTP_SECRET, *, margin: float = 5.0) -> str:
    """A code that stays valid until the server checks it: the server accepts only the current
    30-second step, so near the end of a step wait for the next one rather than race it."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)
    return totp_code(secret)


@dataclass
class BrowserSession:
    page: Page
    base_url: str
    results: Path
    console_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url(path))

    def sign_in(self, user: Any, *, password: str = PASSWORD) -> None:
        """Sign in as a person would: email and password, then the code from the authenticator app."""
        from allauth.mfa.models import Authenticator

        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            give_second_factor(user)
        self.goto("/accounts/login/")
        self.page.fill("input[name=login]", user.email)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_url("**/2fa/authenticate/**")
        self.page.fill("input[name=code]", fresh_totp_code())
        self.page.click("form button[type=submit]")
        self.page.wait_for_url("**/app/**")

    def assert_accessible(self, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
        """axe-core finds no violation of the given impact on the current page."""
        results = Axe().run(self.page)
        found = [v for v in results.response["violations"] if v.get("impact") in impacts]
        details = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in found]
        assert not found, f"accessibility problems on {self.page.url}:\n" + "\n".join(details)

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        self.results.mkdir(parents=True, exist_ok=True)
        path = self.results / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_no_console_errors(self) -> None:
        assert not self.console_errors, "errors in the browser console:\n" + "\n".join(self.console_errors)
