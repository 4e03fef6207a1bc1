"""Plans, hearings and observers: thin views over the selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import capability_required, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.monitoring import selectors, services
from defensor.monitoring.access import can_manage_plan, is_expert
from defensor.monitoring.checklist import checklist_codes
from defensor.monitoring.forms import AssignmentForm, HearingForm, NotificationForm, PlanCreateForm, PlanEditForm
from defensor.monitoring.letters import notification_draft
from defensor.monitoring.models import MonitoringPlan, ObserverAssignment


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _managed_plan(request: HttpRequest, pk: int) -> MonitoringPlan:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied
    return plan


@organisation_required
def plan_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MonitoringPlan.Status.values:
        status = ""
    plans = selectors.plan_list(user=request.user, organisation=_organisation(request), status=status)
    from defensor.core.permissions import has_capability

    context = {
        "plans": plans,
        "status": status,
        "statuses": MonitoringPlan.Status.choices,
        "can_create": has_capability(request.user, _organisation(request).pk, Capability.EDIT),
    }
    return render(request, "monitoring/plan_list.html", context)


@capability_required(Capability.EDIT)
def plan_create(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    proceedings = selectors.proceedings_for_new_plan(user=request.user, organisation=organisation)
    initial = {"proceeding": request.GET.get("proceeding", "")}
    form = PlanCreateForm(
        request.POST or None, organisation=organisation, user=request.user, proceedings=proceedings, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                proceeding=data["proceeding"],
                selection_criteria=data["selection_criteria"],
                selection_note=data["selection_note"],
                partners=data["partners"],
                partners_note=data["partners_note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Monitoring plan created."))
            return redirect("monitoring:plan", pk=plan.pk)
    return render(request, "monitoring/plan_form.html", {"form": form, "plan": None, "proceedings": proceedings})


@organisation_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    manage = can_manage_plan(request.user, plan)
    context = {
        "plan": plan,
        "case": plan.proceeding.case,
        "hearings": selectors.plan_hearings(plan=plan),
        "can_manage": manage,
        "is_expert": is_expert(request.user, plan),
        # Observers' identities and work are for the plan's staff only.
        "assignments": selectors.plan_assignments(plan=plan) if manage else [],
        "observations": selectors.plan_observations(plan=plan) if manage else [],
        "checklist": selectors.plan_checklist(plan=plan) if manage else [],
        "grade": selectors.grade_current(plan=plan),
        "partners": list(plan.partners.all()),
    }
    return render(request, "monitoring/plan_detail.html", context)


@organisation_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    initial = {
        name: getattr(plan, name)
        for name in (
            "status",
            "selection_criteria",
            "selection_note",
            "partners_note",
            "accreditation",
            "accreditation_note",
            "notify_court",
            "notify_ministry",
            "notification_language",
        )
    }
    initial["partners"] = list(plan.partners.all())
    form = PlanEditForm(request.POST or None, organisation=plan.organisation, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("monitoring:plan", pk=plan.pk)
    return render(request, "monitoring/plan_form.html", {"form": form, "plan": plan})


@require_POST
@organisation_required
def plan_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    item = request.POST.get("item", "")
    if item in checklist_codes():
        services.plan_check_set(actor=request.user, plan=plan, item=item, checked=request.POST.get("checked") == "1")
    return redirect("monitoring:plan", pk=plan.pk)


@organisation_required
def plan_notification(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    language = request.GET.get("language") or plan.notification_language
    if request.method == "POST":
        form = NotificationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_notification_record(
                    actor=request.user, plan=plan, text=data["text"], language=data["language"], sent_on=data["sent_on"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request, _("Notification recorded as sent.") if data["sent_on"] else _("Notification saved.")
                )
                return redirect("monitoring:plan", pk=plan.pk)
    else:
        regenerate = "language" in request.GET or not plan.notification_text
        text = notification_draft(plan, language=language) if regenerate else plan.notification_text
        form = NotificationForm(initial={"language": language, "text": text, "sent_on": plan.notification_sent_on})
    return render(request, "monitoring/notification.html", {"plan": plan, "form": form})


def _hearing_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["adjournment_reason"] = values.get("adjournment_reason") or ""
    return values


@organisation_required
def hearing_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = HearingForm(
        request.POST or None,
        organisation=plan.organisation,
        user=request.user,
        initial={"court": plan.proceeding.body_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_add(actor=request.user, plan=plan, **_hearing_values(form.cleaned_data))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Hearing added."))
            return redirect("monitoring:plan", pk=plan.pk)
    return render(request, "monitoring/hearing_form.html", {"form": form, "plan": plan, "hearing": None})


@organisation_required
def hearing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = selectors.hearing_get(user=request.user, pk=pk)
    plan = hearing.plan
    manage = can_manage_plan(request.user, plan)
    assignment = ObserverAssignment.objects.filter(
        plan=plan,
        user_id=getattr(request.user, "pk", None) or 0,
        role=ObserverAssignment.Role.OBSERVER,
        ended_at__isnull=True,
    ).first()
    context = {
        "hearing": hearing,
        "plan": plan,
        "case": plan.proceeding.case,
        "can_manage": manage,
        "can_observe": assignment is not None and assignment.covers(hearing),
        "bench": list(hearing.bench.all()),
        "counsel": list(hearing.defence_counsel.all()),
        "observations": list(hearing.observations.select_related("observer")) if manage else [],
    }
    return render(request, "monitoring/hearing_detail.html", context)


@organisation_required
def hearing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = selectors.hearing_get(user=request.user, pk=pk)
    plan = hearing.plan
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied
    form = HearingForm(
        request.POST or None,
        organisation=plan.organisation,
        user=request.user,
        initial=HearingForm.initial_for(hearing),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_update(actor=request.user, hearing=hearing, **_hearing_values(form.cleaned_data))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Hearing saved."))
            return redirect("monitoring:hearing", pk=hearing.pk)
    return render(request, "monitoring/hearing_form.html", {"form": form, "plan": plan, "hearing": hearing})


@organisation_required
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = AssignmentForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_add(
                actor=request.user, plan=plan, user=data["user"], role=data["role"], hearings=data["hearings"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Added to the plan: %(name)s.") % {"name": data["user"].get_full_name()})
            return redirect("monitoring:plan", pk=plan.pk)
    return render(request, "monitoring/assignment_form.html", {"form": form, "plan": plan})


@require_POST
@organisation_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    plans = selectors.plan_list(user=request.user, organisation=_organisation(request))
    assignment = get_object_or_404(
        ObserverAssignment.objects.select_related("plan"), pk=pk, plan__in=plans.values("pk")
    )
    if not can_manage_plan(request.user, assignment.plan):
        raise PermissionDenied
    services.assignment_end(actor=request.user, assignment=assignment)
    messages.success(request, _("Assignment ended."))
    return redirect("monitoring:plan", pk=assignment.plan_id)
