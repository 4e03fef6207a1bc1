"""Reads of campaigns, as the asking user may see them.

A campaign is seen by the members of its lead organisation and, read-only, by the members of
the organisations accepted as partners in its coalition. Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from defensor.campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignUpdate,
    Delivery,
    LetterTemplate,
    Response,
    Signature,
    Target,
)
from defensor.core.models import RenderJob
from defensor.core.permissions import Capability, grants_for, has_capability
from defensor.core.rendering.selectors import render_jobs_for
from defensor.directory.models import Institution


def _viewing_organisations(user: Any) -> list[int]:
    return [org_id for org_id, grant in grants_for(user).items() if grant.allows(Capability.VIEW)]


def campaigns_visible_to(*, user: Any, organisation: Any = None) -> QuerySet[Campaign]:
    """Campaigns of the user's organisations, and those where an organisation of theirs is an accepted partner."""
    organisations = _viewing_organisations(user)
    if organisation is not None:
        org_id = getattr(organisation, "pk", organisation)
        organisations = [o for o in organisations if o == org_id]
    if not organisations:
        return Campaign.objects.none()
    partnered = CampaignPartner.objects.filter(
        partner_id__in=organisations, status=CampaignPartner.Status.ACCEPTED
    ).values("campaign_id")
    visible: QuerySet[Campaign] = Campaign.objects.filter(Q(organisation_id__in=organisations) | Q(pk__in=partnered))
    return visible


def campaign_list(*, user: Any, organisation: Any) -> QuerySet[Campaign]:
    return (
        campaigns_visible_to(user=user, organisation=organisation)
        .select_related("organisation")
        .annotate(confirmed=Count("signatures", filter=Q(signatures__status=Signature.Status.CONFIRMED), distinct=True))
        .order_by("-created_at", "-id")
    )


def campaign_get(*, user: Any, pk: int) -> Campaign:
    campaign = campaigns_visible_to(user=user).select_related("organisation").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def can_edit(user: Any, campaign: Campaign) -> bool:
    return has_capability(user, campaign.organisation_id, Capability.EDIT)


def can_publish(user: Any, campaign: Campaign) -> bool:
    return has_capability(user, campaign.organisation_id, Capability.PUBLISH)


def confirmed_count(campaign: Campaign) -> int:
    return Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED).count()


def signature_counts(campaign: Campaign) -> dict[str, int]:
    rows = Signature.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Signature.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def targets_of(campaign: Campaign) -> QuerySet[Target]:
    return campaign.targets.filter(active=True).select_related("institution", "person")


def templates_of(campaign: Campaign) -> QuerySet[LetterTemplate]:
    return campaign.templates.order_by("kind", "language")


def partners_of(campaign: Campaign) -> QuerySet[CampaignPartner]:
    return campaign.partners.select_related("partner").order_by("requested_at", "id")


def deliveries_of(campaign: Campaign) -> QuerySet[Delivery]:
    return campaign.deliveries.select_related("target", "target__institution").order_by("-created_at", "-id")


def delivery_counts(campaign: Campaign) -> list[tuple[str, str, int]]:
    """(status, label, count) of the campaign's deliveries, for the statuses that have any."""
    rows = {row["status"]: row["n"] for row in campaign.deliveries.values("status").annotate(n=Count("id"))}
    return [(status, str(label), rows[status]) for status, label in Delivery.Status.choices if rows.get(status)]


def responses_of(campaign: Campaign) -> QuerySet[Response]:
    return campaign.responses.select_related("institution", "document").order_by("-received_on", "-id")


def updates_of(campaign: Campaign) -> QuerySet[CampaignUpdate]:
    return campaign.updates.order_by("-created_at", "-id")


def update_get(*, user: Any, campaign: Campaign, pk: int) -> CampaignUpdate:
    update = campaign.updates.filter(pk=pk).first()
    if update is None:
        raise Http404
    return update


def partner_get(*, campaign: Campaign, pk: int) -> CampaignPartner:
    membership = campaign.partners.select_related("partner", "campaign").filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


def render_jobs_of(*, user: Any, campaign: Campaign) -> QuerySet[RenderJob]:
    return render_jobs_for(user=user, obj=campaign, kind="campaigns.letters")[:5]  # type: ignore[return-value]


def institutions_for(*, user: Any, campaign: Campaign) -> QuerySet[Institution]:
    institutions: QuerySet[Institution] = Institution.objects.visible_to(
        user, organisation=campaign.organisation_id
    ).order_by("name_latin", "name")
    return institutions


def joinable_campaign(*, slug: str, organisation: Any) -> Campaign | None:
    """A campaign another organisation may ask to join: launched, led by someone else."""
    campaign: Campaign | None = (
        Campaign.objects.filter(slug=slug.strip().lower())
        .exclude(status__in=[Campaign.Status.DRAFT, Campaign.Status.CLOSED])
        .exclude(organisation_id=getattr(organisation, "pk", organisation))
        .select_related("organisation")
        .first()
    )
    return campaign


def partner_requests_of(*, organisation: Any) -> QuerySet[CampaignPartner]:
    """The coalitions an organisation asked to join, and their answers."""
    return (
        CampaignPartner.objects.filter(partner_id=getattr(organisation, "pk", organisation))
        .select_related("campaign", "campaign__organisation")
        .order_by("-requested_at")
    )
