"""The standards catalogue: instruments, provisions and vocabularies, readable by every signed-in member."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from defensor.core.decorators import is_htmx, organisation_required
from defensor.standards import engagements, selectors
from defensor.standards.forms import CatalogueSearchForm
from defensor.standards.models import Provision


@organisation_required
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueSearchForm(request.GET or None)
    searching = False
    results = []
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        to_verify = form.cleaned_data["to_verify"]
        searching = bool(query or to_verify)
        if searching:
            results = selectors.provision_search(query=query, to_verify_only=to_verify)
    context = {"form": form, "searching": searching, "results": results}
    restoring_history = request.headers.get("HX-History-Restore-Request") == "true"
    if is_htmx(request) and not restoring_history:
        # htmx swaps only 2xx answers; the partial carries the error message itself.
        return render(request, "standards/catalogue.html#results", context)
    status = 400 if form.errors else 200
    context["instruments"] = selectors.instrument_list()
    return render(request, "standards/catalogue.html", context, status=status)


@organisation_required
def instrument_detail(request: HttpRequest, code: str) -> HttpResponse:
    instrument = selectors.instrument_get(code)
    if instrument is None:
        raise Http404
    context = {"instrument": instrument, "sections": selectors.provision_tree(instrument)}
    return render(request, "standards/instrument_detail.html", context)


@organisation_required
def provision_detail(request: HttpRequest, code: str) -> HttpResponse:
    provision = selectors.provision_get(code)
    if provision is None:
        raise Http404
    ancestors: list[Provision] = []
    parent = provision.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    context = {
        "provision": provision,
        "instrument": provision.instrument,
        "ancestors": ancestors,
        "children": selectors.provision_children(provision),
        "siblings": selectors.provision_siblings(provision),
        "terms": selectors.provision_terms(provision),
        "engagements": engagements.engagements_for(request.user, provision),
    }
    return render(request, "standards/provision_detail.html", context)


@organisation_required
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    return render(request, "standards/vocabularies.html", {"vocabularies": selectors.vocabulary_tree()})
