"""What the directory's views share: the active organisation, object lookups, the simple form page."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from defensor.directory import selectors
from defensor.directory.models import Institution, Person


def active_organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def person_or_404(request: HttpRequest, pk: int) -> Person:
    person = selectors.person_get(user=request.user, organisation=active_organisation(request), pk=pk)
    if person is None:
        raise Http404
    return person


def institution_or_404(request: HttpRequest, pk: int) -> Institution:
    institution = selectors.institution_get(user=request.user, organisation=active_organisation(request), pk=pk)
    if institution is None:
        raise Http404
    return institution


def query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    for key in [k for k, v in query.items() if not v]:
        query.pop(key)
    return query.urlencode()


def simple_form(
    request: HttpRequest, form: Any, *, title: str, back: str, submit: str, intro: str = "", multipart: bool = False
) -> HttpResponse:
    """A page with one small form: a title, an optional introduction, the fields, submit and cancel."""
    context = {"form": form, "title": title, "back": back, "submit": submit, "intro": intro, "multipart": multipart}
    return render(request, "directory/simple_form.html", context, status=400 if form.errors else 200)
