"""Test support for the public site: a live campaign, a solved proof of work, a form filled in time."""

from __future__ import annotations

import time
from typing import Any

from django.core import signing

from defensor.campaigns.models import Campaign
from defensor.public import proof_of_work
from defensor.public.forms import FORM_SALT


def make_campaign(organisation: Any, created_by: Any, *, slug: str = "free-the-defender", **extra: Any) -> Campaign:
    fields: dict[str, Any] = {
        "organisation": organisation,
        "slug": slug,
        "title_en": "Free the defender",
        "title_ru": "Свободу защитнику",
        "ask_en": "Release the lawyer now.",
        "ask_ru": "Немедленно освободите адвоката.",
        "status": Campaign.Status.LIVE,
        "created_by": created_by,
    }
    fields.update(extra)
    return Campaign.objects.create(**fields)


def solved_payload() -> str:
    """A proof of work as the widget posts it (an easy one: the server's check is the same)."""
    return proof_of_work.solve(proof_of_work.challenge_create(max_counter=60, min_counter=1))


def started_seconds_ago(slug: str, seconds: float = 10) -> str:
    return signing.dumps({"c": slug, "t": time.time() - seconds}, salt=FORM_SALT, compress=False)


def signon_data(campaign: Campaign, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ирина Петрова",
        "profession": "lawyer",
        "bar_association": "Moscow Regional Bar",
        "country": "RU",
        "email": "irina.petrova@example.org",
        "consent_letter": "on",
        "consent_updates": "on",
        "website": "",
        "started": started_seconds_ago(campaign.slug),
        "altcha": solved_payload(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
