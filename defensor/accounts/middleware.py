"""Session lifetime, the active organisation, and the second-factor gate in front of /app/."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from defensor.accounts.selectors import organisations_of
from defensor.accounts.signals import SESSION_AUTH_AT, SESSION_MFA_ENROLLED, SESSION_SEEN_AT

APP_PREFIX = "/app/"
SESSION_ORGANISATION = "defensor_organisation"


class SessionLifetimeMiddleware:
    """Sign out after the idle timeout, and after the absolute lifetime whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            auth_at = request.session.get(SESSION_AUTH_AT)
            seen_at = request.session.get(SESSION_SEEN_AT, auth_at)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            if auth_at is None or now - auth_at > absolute or (seen_at is not None and now - seen_at > idle):
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                if request.path.startswith(APP_PREFIX):
                    return HttpResponseRedirect(reverse("account_login") + "?" + urlencode({"next": request.path}))
            else:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class ActiveOrganisationMiddleware:
    """`request.organisation`: the organisation the user works in now, chosen among their memberships."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]
        request.organisations = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            organisations = list(organisations_of(user=user))
            request.organisations = organisations  # type: ignore[attr-defined]
            wanted = request.session.get(SESSION_ORGANISATION)
            active = next((o for o in organisations if o.pk == wanted), None) or (
                organisations[0] if organisations else None
            )
            request.organisation = active  # type: ignore[attr-defined]
            if active is not None and wanted != active.pk:
                request.session[SESSION_ORGANISATION] = active.pk
        return self.get_response(request)


def second_factor_verified(request: HttpRequest) -> bool:
    user = request.user
    if settings.DEMO and getattr(user, "is_demo", False):
        return True
    if not is_mfa_enabled(user):
        return False
    if request.session.get(SESSION_MFA_ENROLLED) == str(user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class SecondFactorRequiredMiddleware:
    """No page under /app/ without a signed-in user who has passed a second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(APP_PREFIX) or request.path.startswith("/admin/"):
            user = request.user
            if not user.is_authenticated:
                return HttpResponseRedirect(
                    reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
                )
            if not second_factor_verified(request):
                if is_mfa_enabled(user):
                    # A factor exists but this session never used it: sign in again properly.
                    logout(request)
                    return HttpResponseRedirect(reverse("account_login"))
                messages.warning(request, _("Set up two-factor authentication to continue."))
                return HttpResponseRedirect(reverse("mfa_index"))
        return self.get_response(request)
