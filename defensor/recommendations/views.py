"""The follow-up board, a recommendation with its follow-ups, and the forms. Thin: selector, form, one service call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import capability_required, is_htmx, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.recommendations import access, selectors, services
from defensor.recommendations.forms import BoardFilterForm, FollowUpForm, RecommendationForm
from defensor.recommendations.models import Recommendation

PAGE_SIZE = 25


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


@organisation_required
def board(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    today = timezone.localdate()
    countries, addressees = selectors.board_choices(user=request.user, organisation=organisation)
    form = BoardFilterForm(request.GET or None, organisation=organisation, countries=countries, addressees=addressees)
    filters = selectors.BoardFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.BoardFilters(
            country=data["country"],
            addressee=data["addressee"],
            status=data["status"],
            priority=data["priority"],
            owner=data["owner"],
            overdue_only=data["overdue"],
        )
    rows = selectors.board(user=request.user, organisation=organisation, today=today, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query_without_status = urlencode([(k, str(v)) for k, v in request.GET.items() if k not in ("page", "status") and v])
    context = {
        "form": form,
        "page": page,
        "query": urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v]),
        "query_without_status": query_without_status,
        "counts": selectors.board_counts(user=request.user, organisation=organisation, today=today, filters=filters),
        "filters": filters,
        "today": today,
        "can_add": access.can_add(request.user, organisation.pk),
    }
    template = "recommendations/_board.html" if is_htmx(request) else "recommendations/board.html"
    return render(request, template, context)


def _detail_context(request: HttpRequest, recommendation: Recommendation, **extra: Any) -> dict[str, Any]:
    editable = access.can_edit(request.user, recommendation)
    context = {
        "recommendation": recommendation,
        "timeline": selectors.followup_timeline(user=request.user, recommendation=recommendation),
        "source": selectors.source_of(user=request.user, recommendation=recommendation),
        "provisions": recommendation.provisions.select_related("instrument").order_by("instrument__code", "order"),
        "overdue": recommendation.is_overdue(timezone.localdate()),
        "can_edit": editable,
    }
    if editable and "followup_form" not in extra:
        extra["followup_form"] = _fresh_followup_form(request, recommendation)
    context.update(extra)
    return context


def _fresh_followup_form(request: HttpRequest, recommendation: Recommendation) -> FollowUpForm:
    return FollowUpForm(
        recommendation=recommendation,
        user=request.user,
        initial={"occurred_on": timezone.localdate(), "implementation_status": recommendation.status},
    )


@organisation_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_get(user=request.user, pk=pk)
    return render(request, "recommendations/detail.html", _detail_context(request, recommendation))


@capability_required(Capability.EDIT)
def add(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    initial = {"made_on": timezone.localdate(), "owner": request.user.pk}
    form = RecommendationForm(request.POST or None, organisation=organisation, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_add(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The recommendation was recorded."))
            return redirect("recommendations:detail", pk=recommendation.pk)
    status = 422 if form.errors else 200
    return render(request, "recommendations/form.html", {"form": form, "recommendation": None}, status=status)


@organisation_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_get(user=request.user, pk=pk)
    if not access.can_edit(request.user, recommendation):
        raise PermissionDenied
    initial = {
        "text": recommendation.text,
        "addressee": recommendation.addressee_id,
        "country": recommendation.country,
        "case": recommendation.case_id,
        "provisions": list(recommendation.provisions.all()),
        "priority": recommendation.priority,
        "made_on": recommendation.made_on,
        "due_on": recommendation.due_on,
        "owner": recommendation.owner_id,
        "sensitivity": recommendation.sensitivity,
    }
    form = RecommendationForm(
        request.POST or None, organisation=recommendation.organisation, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_update(actor=request.user, recommendation=recommendation, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The recommendation was saved."))
            return redirect("recommendations:detail", pk=recommendation.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "recommendation": recommendation}
    return render(request, "recommendations/form.html", context, status=status)


@require_POST
@organisation_required
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_get(user=request.user, pk=pk)
    if not access.can_edit(request.user, recommendation):
        raise PermissionDenied
    form = FollowUpForm(request.POST, recommendation=recommendation, user=request.user)
    if form.is_valid():
        try:
            services.followup_add(actor=request.user, recommendation=recommendation, **form.service_values())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if is_htmx(request):
                context = _detail_context(request, recommendation, saved=True)
                return render(request, "recommendations/_followup_added.html", context)
            messages.success(request, _("The follow-up was recorded."))
            return redirect("recommendations:detail", pk=recommendation.pk)
    if is_htmx(request):
        # htmx swaps only 2xx answers: the partial carries the errors itself.
        context = {"recommendation": recommendation, "followup_form": form, "can_edit": True}
        return render(request, "recommendations/_followup_form.html", context)
    context = _detail_context(request, recommendation, followup_form=form)
    return render(request, "recommendations/detail.html", context, status=422)
