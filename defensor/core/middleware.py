"""Request context for the audit log, and the headers every private page carries."""

from __future__ import annotations

import uuid
from collections.abc import Callable

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
