"""Session bookkeeping at sign-in and when a second factor is enrolled, and the audit of both."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from defensor.core.audit import audit_record

SESSION_AUTH_AT = "defensor_auth_at"
SESSION_SEEN_AT = "defensor_seen_at"
SESSION_MFA_ENROLLED = "defensor_mfa_enrolled"


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now
    audit_record(actor=user, action="accounts.user.logged_in", obj=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="accounts.user.logged_out", obj=user)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The address tried is not recorded: it may be a mistyped password.
    audit_record(actor=None, action="accounts.user.login_failed")


@receiver(authenticator_added)
def on_authenticator_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # Enrolling proves possession of the factor (the first code was checked).
        request.session[SESSION_MFA_ENROLLED] = str(user.pk)
    audit_record(actor=user, action="accounts.mfa.added", obj=user, changes={"type": authenticator.type})


@receiver(authenticator_removed)
def on_authenticator_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="accounts.mfa.removed", obj=user, changes={"type": authenticator.type})
