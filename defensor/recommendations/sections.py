"""What recommendations add to pages of lower apps, and how they show records of lower apps.

- An institution's page lists the recommendations addressed to it.
- A provision's page counts the recommendations that cite it (or a part of it).
- A case and a ledger activity, as the source of a recommendation or the record a
  follow-up links to, are shown by their reference or title, to those who may see them.

Every provider reads through `visible_to`: nothing the user may not see is named or counted.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from defensor.recommendations import selectors, sources

LIMIT = 20


def institution_recommendations(user: Any, institution: Any) -> Any:
    from defensor.directory import sections

    recommendations = list(selectors.recommendations_to(user=user, institution=institution)[:LIMIT])
    rows = [
        sections.Row(
            recommendation.text[:120],
            reverse("recommendations:detail", args=[recommendation.pk]),
            recommendation.get_status_display(),
        )
        for recommendation in recommendations
    ]
    return sections.Section(_("Recommendations addressed to it"), rows, empty_text=_("None that you can see."))


def provision_recommendations(user: Any, provision: Any) -> Any:
    from defensor.standards import engagements
    from defensor.standards.selectors import provision_subtree_ids

    citing = selectors.recommendations_citing(user=user, provision_ids=provision_subtree_ids(provision))
    rows = [
        engagements.EngagementRow(
            f"{recommendation.made_on:%Y-%m-%d} · {recommendation.addressee.display_name} · {recommendation.text[:90]}",
            reverse("recommendations:detail", args=[recommendation.pk]),
        )
        for recommendation in citing[: engagements.ROW_LIMIT]
    ]
    return engagements.Engagement(_("Recommendations"), count=citing.count(), rows=rows)


def describe_case(user: Any, case: Any) -> sources.Described | None:
    from defensor.cases.models import Case

    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return None
    return sources.Described(f"{case.reference} · {case.title}", reverse("cases:detail", args=[case.pk]))


def describe_activity(user: Any, activity: Any) -> sources.Described | None:
    from defensor.core.models import Activity

    if not Activity.objects.visible_to(user).filter(pk=activity.pk).exists():
        return None
    # The ledger row points at the record of the area that wrote it: link there when it can be shown.
    origin = sources.describe(user, activity.source_type, activity.source_id) if activity.source_type_id else None
    label = f"{activity.get_kind_display()}, {activity.occurred_on:%Y-%m-%d}: {activity.title}"
    return sources.Described(label, origin.url if origin is not None else "")


def register_all() -> None:
    from defensor.directory import sections
    from defensor.standards import engagements

    sections.register("recommendations", institution_recommendations, target="institution", order=20)
    engagements.register("recommendations", provision_recommendations)
    sources.register("cases.case", describe_case)
    sources.register("core.activity", describe_activity)
