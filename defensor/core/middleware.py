"""Request context for the audit log, and the headers every private page carries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from defensor.core import context

PRIVATE_PREFIXES = ("/app/", "/accounts/", "/admin/")


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Our reverse proxy appends the address it saw; anything to its left was
        # written by the client and proves nothing.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return context.canonical_ip(forwarded.rsplit(",", 1)[-1])
    return context.canonical_ip(request.META.get("REMOTE_ADDR"))


def protect_private(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """No private page may be kept by a browser or proxy cache, or leak through the referrer."""
    if request.path.startswith(PRIVATE_PREFIXES):
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
    response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
    response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    return response


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.activate(context.RequestContext(request_id=request_id, ip_address=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = request_id
        # Again here, near the top of the stack: a middleware below may answer
        # (a redirect to sign in, a 405) before PrivatePagesMiddleware is reached.
        return protect_private(request, response)


class PrivatePagesMiddleware:
    """No private page may be kept by a browser or proxy cache, or leak through the referrer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return protect_private(request, self.get_response(request))


PUBLIC_PREFIXES = ("/act/",)


def is_public_path(path: str) -> bool:
    """The public sign-on pages: no account, session, organisation or second factor there."""
    return path.startswith(PUBLIC_PREFIXES)


def back_office_only(middleware: type[Any]) -> type[Any]:
    """`middleware`, except that requests for the public pages pass straight through it.

    Sessions, authentication, messages and allauth's session tracking serve signed-in staff.
    The public sign-on pages under /act/ use none of them: they read no session, set no cookie
    but the CSRF and language ones, and show no messages; and they are the pages that take the
    load of a campaign (thousands of sign-ons a minute). The subclass keeps the original's name
    in MIDDLEWARE's place and passes Django's checks that look for it (admin's look for
    subclasses). Context processors and templates already cope with a request without `user`,
    `session` or `_messages`; a test renders every public page through the full stack.
    """

    def __call__(self: Any, request: HttpRequest) -> HttpResponse:
        if is_public_path(request.path_info):
            return self.get_response(request)  # type: ignore[no-any-return]
        return middleware.__call__(self, request)  # type: ignore[no-any-return]

    return type(middleware.__name__, (middleware,), {"__call__": __call__, "__module__": __name__})
