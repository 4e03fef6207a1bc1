"""Findings per guarantee and the grade: proposed by the rules, confirmed by an expert."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import organisation_required
from defensor.core.forms import apply_validation_error
from defensor.monitoring import selectors, services
from defensor.monitoring.access import is_expert
from defensor.monitoring.forms import FindingForm, GradeForm
from defensor.monitoring.grading import GRADING_SCALE, SCALE_TO_VERIFY
from defensor.monitoring.models import MonitoringPlan
from defensor.standards.models import Provision


def _finding_ids(code: str) -> str:
    """Each guarantee's form on the page gets ids of its own, so that every label names its own field."""
    return "finding-" + code.replace(".", "-") + "-%s"


NEW_FINDING_IDS = "new-finding-%s"
GRADE_IDS = "grade-%s"


def _expert_plan(request: HttpRequest, pk: int) -> MonitoringPlan:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not is_expert(request.user, plan):
        raise PermissionDenied
    return plan


def _page(
    request: HttpRequest,
    plan: MonitoringPlan,
    *,
    grade_form: GradeForm | None = None,
    failed: FindingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = selectors.plan_findings(plan=plan)
    forms = []
    for row in rows:
        if failed is not None and failed.data.get("provision") == row.provision.code:
            failed.auto_id = _finding_ids(row.provision.code)
            forms.append((row, failed))
            continue
        value = row.finding.confirmed_value if row.finding else (row.proposal.value if row.proposal else "")
        rationale = row.finding.rationale if row.finding else ""
        forms.append(
            (
                row,
                FindingForm(
                    initial={"provision": row.provision.code, "value": value, "rationale": rationale},
                    auto_id=_finding_ids(row.provision.code),
                ),
            )
        )
    grade = selectors.grade_current(plan=plan)
    if grade_form is None:
        initial = {}
        if grade is not None:
            initial = {
                "grade": grade.grade,
                "serious_violation": grade.serious_violation,
                "affected_outcome": grade.affected_outcome,
                "significant_harm": grade.significant_harm,
            }
        grade_form = GradeForm(initial=initial, auto_id=GRADE_IDS)
    context = {
        "plan": plan,
        "case": plan.proceeding.case,
        "rows": forms,
        "new_form": failed
        if failed is not None and not any(f is failed for _r, f in forms)
        else FindingForm(auto_id=NEW_FINDING_IDS),
        "provisions": Provision.objects.filter(active=True).order_by("code"),
        "grade": grade,
        "grade_history": list(plan.grades.select_related("grader").order_by("-graded_at", "-id")[1:]),
        "grade_form": grade_form,
        "warnings": selectors.grade_warnings(plan),
        "scale": GRADING_SCALE,
        "scale_to_verify": SCALE_TO_VERIFY,
    }
    return render(request, "monitoring/findings.html", context, status=status)


@organisation_required
def plan_findings(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _expert_plan(request, pk)
    if request.method != "POST":
        return _page(request, plan)
    form = FindingForm(request.POST, auto_id=NEW_FINDING_IDS)
    if form.is_valid():
        provision = Provision.objects.filter(code=form.cleaned_data["provision"]).first()
        if provision is None:
            form.add_error(None, _("Choose a guarantee of the standards catalogue."))
        else:
            try:
                services.finding_confirm(
                    actor=request.user,
                    plan=plan,
                    provision=provision,
                    value=form.cleaned_data["value"],
                    rationale=form.cleaned_data["rationale"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Finding on %(code)s confirmed.") % {"code": provision.code})
                return redirect("monitoring:findings", pk=plan.pk)
    return _page(request, plan, failed=form)


@require_POST
@organisation_required
def plan_grade(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _expert_plan(request, pk)
    form = GradeForm(request.POST, auto_id=GRADE_IDS)
    if form.is_valid():
        try:
            services.grade_set(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Grade recorded."))
            return redirect("monitoring:findings", pk=plan.pk)
    return _page(request, plan, grade_form=form)
