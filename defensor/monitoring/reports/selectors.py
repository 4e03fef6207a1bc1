"""Reads of trial reports, through `visible_to`: a report the user may not see does not exist."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404

from defensor.core.models import RenderJob
from defensor.core.rendering.selectors import render_jobs_for
from defensor.directory.models import Institution
from defensor.monitoring.models import MonitoringPlan, ReportVersion, TrialReport
from defensor.monitoring.reports.document import RENDER_KIND
from defensor.recommendations.models import Recommendation


def report_get(*, user: Any, pk: int) -> TrialReport:
    report = (
        TrialReport.objects.visible_to(user)
        .select_related("plan__proceeding__case", "plan__proceeding__body", "organisation", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return cast(TrialReport, report)


def plan_reports(*, user: Any, plan: MonitoringPlan) -> list[TrialReport]:
    return list(TrialReport.objects.visible_to(user).filter(plan=plan).order_by("language"))


def report_versions(*, report: TrialReport) -> list[ReportVersion]:
    return list(report.versions.select_related("by").order_by("-at", "-id"))


def report_jobs(*, user: Any, report: TrialReport) -> list[RenderJob]:
    return list(render_jobs_for(user=user, obj=report, kind=RENDER_KIND)[:5])


def report_addressees(*, user: Any, report: TrialReport) -> QuerySet[Institution]:
    """The institutions a recommendation of the report may be addressed to."""
    return cast(
        "QuerySet[Institution]",
        Institution.objects.visible_to(user, organisation=report.organisation_id).order_by("name_latin", "name"),
    )


def report_recommendations_made(*, user: Any, report: TrialReport) -> QuerySet[Recommendation]:
    """The tracked recommendations the report made when it was published, as far as the user may see them."""
    source_type = ContentType.objects.get_for_model(TrialReport)
    return cast(
        "QuerySet[Recommendation]",
        Recommendation.objects.visible_to(user)
        .filter(source_type=source_type, source_id=str(report.pk))
        .select_related("addressee")
        .order_by("id"),
    )
