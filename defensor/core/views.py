from __future__ import annotations

import csv

from allauth.account.decorators import reauthentication_required
from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defensor.core.audit import audit_record
from defensor.core.decorators import capability_required
from defensor.core.permissions import Capability
from defensor.core.selectors import audit_entries_visible_to


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _filtered(request: HttpRequest):  # type: ignore[no-untyped-def]
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_visible_to(user=request.user, organisation=request.organisation, **filters)  # type: ignore[attr-defined]
    return form, entries


@capability_required(Capability.ADMINISTER)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


class _Echo:
    def write(self, value: str) -> str:
        return value


@capability_required(Capability.ADMINISTER)
@reauthentication_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form, entries = _filtered(request)
    audit_record(
        actor=request.user,
        action="core.audit.exported",
        organisation=request.organisation,  # type: ignore[attr-defined]
        changes={
            "filters": {
                k: str(v) for k, v in (form.cleaned_data if form.is_bound and form.is_valid() else {}).items() if v
            }
        },
    )
    writer = csv.writer(_Echo())
    header = [
        "seq",
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "changes",
        "request_id",
        "ip_address",
        "entry_hash",
        "prev_hash",
    ]

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(header)
        for e in entries.order_by("seq").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.created_at.isoformat(),
                    e.actor_label,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.changes,
                    e.request_id,
                    e.ip_address or "",
                    e.entry_hash,
                    e.prev_hash,
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
