from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from defensor.cases.selectors import my_open_cases, next_hearings
from defensor.core.decorators import organisation_required
from defensor.core.models import ActivityKind
from defensor.core.selectors import activity_counts_by_year, activity_recent
from defensor.monitoring.selectors import upcoming_hearings


@organisation_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    labels = dict(ActivityKind.choices)
    counts = activity_counts_by_year(user=request.user, organisation=organisation)
    by_year = [
        {"year": year, "kinds": [{"label": labels.get(r["kind"], r["kind"]), "count": r["count"]} for r in rows]}
        for year, rows in groupby(counts, key=lambda r: r["year"])
    ]
    context = {
        "recent": activity_recent(user=request.user, organisation=organisation),
        "by_year": by_year,
        "hearings": next_hearings(user=request.user, organisation=organisation),
        "monitored": upcoming_hearings(user=request.user, organisation=organisation, days=30),
        "my_cases": my_open_cases(user=request.user, organisation=organisation),
    }
    return render(request, "reporting/dashboard.html", context)
