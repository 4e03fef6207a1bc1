"""View guards: an active organisation, and a capability in it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from defensor.core.permissions import has_capability

View = Callable[..., HttpResponse]


def organisation_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "organisation", None) is None:
            return render(request, "core/no_organisation.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def capability_required(capability: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @organisation_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_capability(request.user, request.organisation.pk, capability):  # type: ignore[attr-defined]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
