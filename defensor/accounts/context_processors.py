from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from defensor.accounts.middleware import second_factor_verified
from defensor.core import navigation
from defensor.core.permissions import grants_for


def organisation(request: HttpRequest) -> dict[str, Any]:
    active = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    grant = grants_for(user).get(active.pk) if active is not None and user is not None else None
    capabilities = grant.capabilities if grant else frozenset()
    verified = bool(user is not None and user.is_authenticated and second_factor_verified(request))
    return {
        "second_factor_ok": verified,
        "navigation": navigation.items_for(capabilities, request.path) if verified and active else [],
        "active_organisation": active if verified else None,
        "my_organisations": getattr(request, "organisations", []),
        "capabilities": capabilities,
        "demo_mode": settings.DEMO,
    }
