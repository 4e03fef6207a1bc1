"""Views of institutions: thin — a selector, a form, one service call, then redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from defensor.core.decorators import capability_required, is_htmx
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.directory import selectors, services
from defensor.directory.forms import InstitutionFilterForm, InstitutionForm
from defensor.directory.models import Institution
from defensor.directory.sections import sections_for
from defensor.directory.views.common import active_organisation, institution_or_404, query_without_page

PAGE_SIZE = 25


@capability_required(Capability.VIEW)
def institution_list(request: HttpRequest) -> HttpResponse:
    organisation = active_organisation(request)
    form = InstitutionFilterForm(request.GET or None)
    filters = selectors.InstitutionFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.InstitutionFilters(query=data["q"], kind=data["kind"], country=data["country"])
    institutions = selectors.institution_list(user=request.user, organisation=organisation, filters=filters)
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_edit": selectors.can_edit(request.user, organisation.pk),
    }
    template = "directory/institution_list.html#results" if is_htmx(request) else "directory/institution_list.html"
    return render(request, template, context)


@capability_required(Capability.VIEW)
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = institution_or_404(request, pk)
    holders = selectors.institution_holders(user=request.user, institution=institution)
    context = {
        "institution": institution,
        "holders": holders,
        "parent": selectors.visible_institution(user=request.user, pk=institution.parent_id),
        "children": selectors.institution_children(user=request.user, institution=institution),
        "sections": sections_for(request.user, institution, target="institution"),
        "can_edit": selectors.can_edit(request.user, institution.organisation_id),
    }
    return render(request, "directory/institution_detail.html", context)


def _institution_form(request: HttpRequest, institution: Institution | None) -> HttpResponse:
    organisation = active_organisation(request)
    parents = selectors.institution_choices(user=request.user, organisation=organisation, exclude=institution)
    initial = InstitutionForm.initial_for(institution) if institution is not None else None
    form = InstitutionForm(request.POST or None, initial=initial, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            if institution is None:
                institution = services.institution_create(
                    actor=request.user, organisation=organisation, **form.institution_values()
                )
                messages.success(request, _("Institution added."))
            else:
                values: dict[str, Any] = form.institution_values(existing_salutations=institution.salutations)
                services.institution_update(actor=request.user, institution=institution, **values)
                messages.success(request, _("Changes saved."))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("directory:institution", pk=institution.pk)
    context = {"form": form, "institution": institution}
    return render(request, "directory/institution_form.html", context, status=400 if form.errors else 200)


@capability_required(Capability.EDIT)
def institution_create(request: HttpRequest) -> HttpResponse:
    return _institution_form(request, None)


@capability_required(Capability.EDIT)
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _institution_form(request, institution_or_404(request, pk))
