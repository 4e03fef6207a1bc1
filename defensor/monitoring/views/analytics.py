"""Findings across trials (table and chart), and the user's private calendar feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from defensor.core import iso
from defensor.core.decorators import organisation_required
from defensor.monitoring import selectors, services
from defensor.monitoring.charts import Bar, Series, stacked_bars
from defensor.monitoring.models import FindingValue


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


@organisation_required
def findings_analytics(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    countries = selectors.analytics_countries(user=request.user, organisation=organisation)
    country = request.GET.get("country", "").upper()
    if country not in countries:
        country = ""
    rows = selectors.findings_analytics(user=request.user, organisation=organisation, country=country)
    series = [Series(value, str(label)) for value, label in FindingValue.choices]
    by_provision: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = by_provision.setdefault(row.provision.code, {})
        for value, n in row.counts.items():
            counts[value] = counts.get(value, 0) + n
    bars = [Bar(code, counts) for code, counts in sorted(by_provision.items())]
    chart = stacked_bars(bars, series, title=_("Confirmed findings per guarantee")) if bars else ""
    context = {
        "rows": [(row, [row.counts.get(value, 0) for value, _label in FindingValue.choices]) for row in rows],
        "values": FindingValue.choices,
        "countries": [(code, iso.country_name(code)) for code in countries],
        "country": country,
        "chart": chart,
    }
    return render(request, "monitoring/analytics.html", context)


@organisation_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Create, regenerate or revoke the private feed. Its address is shown once, on creation."""
    url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.calendar_feed_revoke(actor=request.user):
                messages.success(request, _("The calendar feed was revoked: calendars using it stop updating."))
            return redirect("monitoring:calendar")
        _feed, token = services.calendar_feed_create(actor=request.user)
        url = request.build_absolute_uri(reverse("monitoring_ical_feed", kwargs={"token": token}))
    context = {"feed": selectors.calendar_feed_of(user=request.user), "url": url}
    return render(request, "monitoring/calendar.html", context)
