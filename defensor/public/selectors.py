"""What the public may read of a campaign: nothing of a draft, and of its cases only what consent allows."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from defensor.campaigns.models import Campaign
from defensor.cases.models import CasePublication, CaseSubject
from defensor.core.iso import country_name

PUBLIC_STATUSES = (Campaign.Status.LIVE, Campaign.Status.PAUSED, Campaign.Status.CLOSED)
PERSON_AT_RISK = (CaseSubject.Role.LAWYER_AT_RISK, CaseSubject.Role.DEFENDER_AT_RISK)


@dataclass(frozen=True)
class PublicCase:
    """One case as the public page shows it: a pseudonym unless the real name may be published."""

    name: str
    summary: str = ""
    country: str = ""
    status: str = ""


def campaign_public(*, slug: str) -> Campaign:
    """The campaign behind /act/<slug>/; a draft, or one without a public page, does not exist here."""
    campaign = (
        Campaign.objects.select_related("organisation")
        .filter(slug=slug, public_page=True, status__in=PUBLIC_STATUSES)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


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
