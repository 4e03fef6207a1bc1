"""What the public may read of a campaign: nothing of a draft, and of its cases only what consent allows."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import Http404

from defensor.campaigns.models import Campaign
from defensor.cases.models import CasePublication, CaseSubject
from defensor.core.iso import country_name

PUBLIC_STATUSES = (Campaign.Status.LIVE, Campaign.Status.PAUSED, Campaign.Status.CLOSED)
PERSON_AT_RISK = (CaseSubject.Role.LAWYER_AT_RISK, CaseSubject.Role.DEFENDER_AT_RISK)

# How long a process may answer from its own copy of a public campaign. A save in this process
# clears the copies at once (see PublicConfig.ready); other processes see a change (a campaign
# paused, closed or taken off the public site) within this many seconds.
CAMPAIGN_MEMORY_SECONDS = 5.0
_CAMPAIGN_MEMORY_SIZE = 512
_campaigns: dict[str, tuple[float, Campaign]] = {}


@dataclass(frozen=True)
class PublicCase:
    """One case as the public page shows it: a pseudonym unless the real name may be published."""

    name: str
    summary: str = ""
    country: str = ""
    status: str = ""


def campaign_public(*, slug: str) -> Campaign:
    """The campaign behind /act/<slug>/; a draft, or one without a public page, does not exist here.

    Every sign-on reads it: a process remembers it for a few seconds (CAMPAIGN_MEMORY_SECONDS)
    instead of asking the database each time. Only campaigns that exist are remembered.
    """
    now = time.monotonic()
    remembered = _campaigns.get(slug)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    campaign = (
        Campaign.objects.select_related("organisation")
        .filter(slug=slug, public_page=True, status__in=PUBLIC_STATUSES)
        .first()
    )
    if campaign is None:
        _campaigns.pop(slug, None)
        raise Http404
    if len(_campaigns) >= _CAMPAIGN_MEMORY_SIZE:
        _campaigns.clear()
    _campaigns[slug] = (now + CAMPAIGN_MEMORY_SECONDS, campaign)
    return campaign


def campaigns_forget(**_kwargs: object) -> None:
    """Drop every remembered campaign (connected to Campaign's post_save and post_delete)."""
    _campaigns.clear()


def campaign_public_cases(*, campaign: Campaign) -> list[PublicCase]:
    """The campaign's cases that have publication settings, reduced to the fields those settings list."""
    publications = CasePublication.objects.filter(case__campaigns=campaign).select_related("case").order_by("case_id")
    shown = []
    for publication in publications:
        case = publication.case
        name = publication.pseudonym
        if publication.use_real_name:
            subject = CaseSubject.objects.filter(case=case, role__in=PERSON_AT_RISK).select_related("person").first()
            if subject is not None:
                name = subject.person.name
        allowed = set(publication.fields or [])
        shown.append(
            PublicCase(
                name=name,
                summary=publication.public_summary if "summary" in allowed else "",
                country=country_name(case.country) if "country" in allowed and case.country else "",
                status=case.get_status_display() if "status" in allowed else "",
            )
        )
    return shown
