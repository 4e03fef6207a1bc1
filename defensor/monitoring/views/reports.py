"""The trial report: generate, edit section by section (inline, htmx), review, approve, publish, render."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import is_htmx, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability, has_capability
from defensor.core.rendering import selectors as render_selectors
from defensor.core.rendering import services as render_services
from defensor.monitoring import selectors
from defensor.monitoring.access import can_manage_plan, is_expert
from defensor.monitoring.models import TrialReport
from defensor.monitoring.reports import selectors as report_selectors
from defensor.monitoring.reports import services
from defensor.monitoring.reports.document import FORMATS, RENDER_KIND, addressees_of, recommendation_line
from defensor.monitoring.reports.forms import (
    GenerateForm,
    PublishForm,
    RecommendationForm,
    SectionForm,
    WithdrawForm,
)

# htmx swaps a 422 answer (see defensor.js): the inline form comes back with its errors.
UNPROCESSABLE = 422


def _readable_report(request: HttpRequest, pk: int) -> TrialReport:
    """The report, for plan staff, the plan's experts and those who may publish; 404 when it cannot be seen."""
    report = report_selectors.report_get(user=request.user, pk=pk)
    plan = report.plan
    if not (
        can_manage_plan(request.user, plan)
        or is_expert(request.user, plan)
        or services.can_publish(request.user, report)
    ):
        raise PermissionDenied
    return report


def _managed_report(request: HttpRequest, pk: int) -> TrialReport:
    report = report_selectors.report_get(user=request.user, pk=pk)
    if not can_manage_plan(request.user, report.plan):
        raise PermissionDenied
    return report


def _section_ids(key: str) -> str:
    """Every section's edit form gets ids of its own, so that each label names its own field."""
    return "section-" + re.sub(r"[^A-Za-z0-9]+", "-", key) + "-%s"


RECOMMENDATION_IDS = "recommendation-%s"


def _section_context(
    request: HttpRequest, report: TrialReport, item: dict[str, Any], form: Any = None
) -> dict[str, Any]:
    can_edit = report.is_editable and can_manage_plan(request.user, report.plan)
    if form is None and can_edit:
        form = SectionForm(initial={"heading": item.get("heading", ""), "text": item.get("text", "")}, prefix=None)
    if form is not None:
        form.auto_id = _section_ids(item["key"])
    return {
        "report": report,
        "item": item,
        "form": form,
        "can_edit": can_edit,
        "open": form is not None and form.errors,
    }


def _page(
    request: HttpRequest, report: TrialReport, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    failed = failed or {}
    user = request.user
    plan = report.plan
    manage = can_manage_plan(user, plan)
    publish = services.can_publish(user, report)
    addressees = report_selectors.report_addressees(user=user, report=report)
    known = addressees_of(report)
    sections = [
        _section_context(request, report, item, failed.get("section") if failed.get("key") == item["key"] else None)
        for item in report.sections or []
    ]
    recommendations = [
        {"entry": entry, "line": recommendation_line(entry, known, report.language)}
        for entry in report.recommendations or []
    ]
    context = {
        "report": report,
        "plan": plan,
        "case": plan.proceeding.case,
        "sections": sections,
        "recommendations": recommendations,
        "can_manage": manage,
        "can_publish": publish,
        "can_render": has_capability(user, report.organisation_id, Capability.EXPORT),
        "formats": FORMATS,
        "generate_form": failed.get("generate") or GenerateForm(initial={"language": report.language}),
        "recommendation_form": failed.get("recommendation")
        or RecommendationForm(addressees=addressees, auto_id=RECOMMENDATION_IDS),
        "publish_form": failed.get("publish") or PublishForm(),
        "withdraw_form": failed.get("withdraw") or WithdrawForm(),
        "jobs": [
            {"job": job, "can_download": render_selectors.render_job_can_download(user=user, job=job)}
            for job in report_selectors.report_jobs(user=user, report=report)
        ],
        "versions": report_selectors.report_versions(report=report),
        "made": list(report_selectors.report_recommendations_made(user=user, report=report)),
        "step_error": failed.get("step_error"),
    }
    return render(request, "monitoring/report_detail.html", context, status=status)


@require_POST
@organisation_required
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_generate(
                actor=request.user,
                plan=plan,
                language=form.cleaned_data["language"],
                overwrite=form.cleaned_data["overwrite"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report was generated from the plan's data."))
            return redirect("monitoring:report", pk=report.pk)
    else:
        messages.error(request, _("Choose a language of the application."))
    return redirect("monitoring:plan", pk=plan.pk)


@organisation_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _readable_report(request, pk))


@organisation_required
def report_section(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One section: its edit form saves it; htmx gets the section back (with errors, as 422)."""
    report = _managed_report(request, pk)
    item = report.section(key)
    if item is None:
        raise Http404
    if request.method != "POST":
        return render(request, "monitoring/_report_section.html", _section_context(request, report, item))
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_section_edit(
                actor=request.user,
                report=report,
                key=key,
                text=form.cleaned_data["text"],
                heading=form.cleaned_data["heading"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            saved = report.section(key) or item
            if is_htmx(request):
                context = _section_context(request, report, saved) | {"saved": True}
                return render(request, "monitoring/_report_section.html", context)
            messages.success(request, _("Section saved."))
            return redirect("monitoring:report", pk=report.pk)
    if is_htmx(request):
        context = _section_context(request, report, item, form)
        return render(request, "monitoring/_report_section.html", context, status=UNPROCESSABLE)
    return _page(request, report, failed={"key": key, "section": form})


@require_POST
@organisation_required
def report_recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = _managed_report(request, pk)
    addressees = report_selectors.report_addressees(user=request.user, report=report)
    form = RecommendationForm(request.POST, addressees=addressees, auto_id=RECOMMENDATION_IDS)
    if form.is_valid():
        try:
            services.report_recommendation_add(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Recommendation added."))
            return redirect("monitoring:report", pk=report.pk)
    return _page(request, report, failed={"recommendation": form})


@require_POST
@organisation_required
def report_recommendation_remove(request: HttpRequest, pk: int, entry: str) -> HttpResponse:
    report = _managed_report(request, pk)
    try:
        services.report_recommendation_remove(actor=request.user, report=report, entry_id=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recommendation removed."))
    return redirect("monitoring:report", pk=report.pk)


STEPS = ("submit", "return", "approve", "publish", "withdraw")


@require_POST
@organisation_required
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A step of the workflow: send for review, back to draft, approve, publish, withdraw."""
    report = _readable_report(request, pk)
    if step not in STEPS:
        raise Http404
    user = request.user
    done = {
        "submit": _("The report was sent for review."),
        "return": _("The report is a draft again."),
        "approve": _("The report was approved."),
        "publish": _("The report was published and its recommendations are now followed up."),
        "withdraw": _("The report was withdrawn."),
    }
    try:
        if step == "submit":
            services.report_submit(actor=user, report=report)
        elif step == "return":
            services.report_return_to_draft(actor=user, report=report)
        elif step == "approve":
            services.report_approve(actor=user, report=report)
        elif step == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                return _page(request, report, failed={"publish": form})
            try:
                services.report_publish(actor=user, report=report, dated=form.cleaned_data["dated"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
                return _page(request, report, failed={"publish": form})
        else:
            withdraw = WithdrawForm(request.POST)
            if not withdraw.is_valid():
                return _page(request, report, failed={"withdraw": withdraw})
            services.report_withdraw(actor=user, report=report, reason=withdraw.cleaned_data["reason"])
    except ValidationError as exc:
        return _page(request, report, failed={"step_error": " ".join(exc.messages)})
    messages.success(request, done[step])
    return redirect("monitoring:report", pk=report.pk)


@require_POST
@organisation_required
def report_render(request: HttpRequest, pk: int) -> HttpResponse:
    """Start rendering the report as PDF or DOCX in the background; show its progress, then the file."""
    report = _readable_report(request, pk)
    kind = request.POST.get("format", "")
    if kind not in FORMATS:
        messages.error(request, _("This document format is not available."))
        return redirect("monitoring:report", pk=report.pk)
    job = render_services.render_job_start(
        actor=request.user,
        organisation=report.organisation,
        kind=RENDER_KIND,
        obj=report,
        params={"format": kind, "language": report.language},
    )
    if is_htmx(request):
        context = {"job": job, "can_download": render_selectors.render_job_can_download(user=request.user, job=job)}
        return render(request, "core/rendering/job_progress.html", context)
    return redirect("core:render_job", pk=job.pk)


@organisation_required
def plan_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The reports of a plan and the form that generates one (a section of the plan page, loaded by htmx)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    manage = can_manage_plan(request.user, plan)
    if not (
        manage
        or is_expert(request.user, plan)
        or has_capability(request.user, plan.organisation_id, Capability.PUBLISH)
    ):
        raise PermissionDenied
    existing = report_selectors.plan_reports(user=request.user, plan=plan)
    taken = {report.language for report in existing}
    context = {
        "plan": plan,
        "case": plan.proceeding.case,
        "reports": existing,
        "can_manage": manage,
        "generate_form": GenerateForm(),
        "languages_left": [(code, str(name)) for code, name in settings.LANGUAGES if code not in taken],
    }
    template = "monitoring/_plan_reports.html" if is_htmx(request) else "monitoring/plan_reports.html"
    return render(request, template, context)
