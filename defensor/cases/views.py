"""Views of the dossier: thin — a selector, a form, one service call, then redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.cases import selectors, services
from defensor.cases.access import can_edit_case, can_manage_access, is_partner_view, sees_restricted_records
from defensor.cases.forms import (
    AccessGrantForm,
    CaseFilterForm,
    CaseForm,
    CaseOpenForm,
    ChargeForm,
    DocumentForm,
    EventForm,
    ProceedingForm,
    PublicationForm,
    RiskForm,
    ShareForm,
    SubjectForm,
)
from defensor.cases.models import Case, CaseAccess, CaseShare, CaseSubject
from defensor.core.decorators import capability_required, is_htmx, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.core.uploads import attachment_response

PAGE_SIZE = 25


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _require_edit(request: HttpRequest, case: Case) -> None:
    if not can_edit_case(request.user, case):
        raise PermissionDenied


@organisation_required
def case_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    countries = list(
        Case.objects.visible_to(request.user, organisation=organisation)
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    form = CaseFilterForm(request.GET or None, organisation=organisation, countries=countries)
    filters = selectors.CaseFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            country=data["country"],
            risk=data["risk"],
            status=data["status"],
            reprisal=data["reprisal"],
            programme=data["programme"],
            lead=data["lead"],
            open_only=data["open_only"],
            sort=data["sort"] or "opened",
        )
    cases = selectors.case_list_visible_to(user=request.user, organisation=organisation, filters=filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "form": form,
        "page": page,
        "query": query,
        "total": page.paginator.count,
        "can_open": can_open(request),
    }
    template = "cases/_case_table.html" if is_htmx(request) else "cases/case_list.html"
    return render(request, template, context)


def can_open(request: HttpRequest) -> bool:
    from defensor.core.permissions import has_capability

    return has_capability(request.user, _organisation(request).pk, Capability.EDIT)


@capability_required(Capability.EDIT)
def case_open(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    initial = {"lead": request.user.pk, "opened_on": timezone.localdate(), "status": Case.Status.INTAKE}
    form = CaseOpenForm(request.POST or None, organisation=organisation, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                organisation=organisation,
                title=data["title"],
                summary=data["summary"],
                country=data["country"],
                status=data["status"],
                sensitivity=data["sensitivity"],
                lead=data["lead"],
                opened_on=data["opened_on"],
                programmes=data["programmes"],
                tags=data["tags"],
                risk_level=data["risk_level"],
                risk_reason=data["risk_reason"],
                subjects=[(data["subject"], data["subject_role"])] if data.get("subject") else [],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@organisation_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    services.case_viewed(actor=request.user, case=case)
    timeline_filter = request.GET.get("timeline", "")
    show_all = request.GET.get("all") == "1"
    dossier = selectors.dossier(user=request.user, case=case, timeline_filter=timeline_filter, show_all=show_all)
    editable = can_edit_case(request.user, case)
    context = {
        "case": case,
        "dossier": dossier,
        "timeline_filter": timeline_filter,
        "show_all": show_all,
        "can_edit": editable,
        "can_manage_access": can_manage_access(request.user, case),
        "sees_restricted": sees_restricted_records(request.user, case),
        "partner_view": is_partner_view(request.user, case),
        "document_form": DocumentForm(initial={"sensitivity": case.sensitivity}) if editable else None,
    }
    if is_htmx(request) and request.GET.get("part") == "timeline":
        return render(request, "cases/_timeline.html", context)
    return render(request, "cases/case_detail.html", context)


def _fresh_event_form(request: HttpRequest, case: Case) -> EventForm:
    return EventForm(
        organisation=case.organisation,
        user=request.user,
        initial={"sensitivity": case.sensitivity, "occurred_on": timezone.localdate()},
    )


@organisation_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    initial = {
        "title": case.title,
        "summary": case.summary,
        "country": case.country,
        "status": case.status,
        "sensitivity": case.sensitivity,
        "lead": case.lead_id,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "programmes": list(case.programmes.values_list("programme", flat=True)),
        "tags": ", ".join(case.tags),
    }
    form = CaseForm(request.POST or None, organisation=case.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update(actor=request.user, case=case, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@organisation_required
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The form (fetched when the editor opens it, to keep the dossier page light) and its submission."""
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    if request.method != "POST":
        context = {"case": case, "event_form": _fresh_event_form(request, case), "can_edit": True}
        template = "cases/_event_form.html" if is_htmx(request) else "cases/event_form_page.html"
        return render(request, template, context)
    form = EventForm(request.POST, organisation=case.organisation, user=request.user)
    if form.is_valid():
        try:
            services.event_add(actor=request.user, case=case, **form.service_values())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if is_htmx(request):
                dossier = selectors.dossier(user=request.user, case=case)
                fresh = _fresh_event_form(request, case)
                context = {"case": case, "dossier": dossier, "event_form": fresh, "can_edit": True, "saved": True}
                return render(request, "cases/_event_added.html", context)
            messages.success(request, _("The event was added to the timeline."))
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "event_form": form, "can_edit": True}
    if is_htmx(request):
        return render(request, "cases/_event_form.html", context, status=422)
    return render(request, "cases/event_form_page.html", context, status=422)


@organisation_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    return render(
        request,
        "cases/event_detail.html",
        {"event": event, "case": event.case, "sees_restricted": sees_restricted_records(request.user, event.case)},
    )


@require_POST
@organisation_required
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_add(
                actor=request.user,
                case=case,
                data=upload.read(),
                filename=upload.name,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
                document_date=form.cleaned_data["document_date"],
                source=form.cleaned_data["source"],
                sensitivity=form.cleaned_data["sensitivity"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            if is_htmx(request):
                dossier = selectors.dossier(user=request.user, case=case)
                context = {
                    "case": case,
                    "dossier": dossier,
                    "document_form": DocumentForm(initial={"sensitivity": case.sensitivity}),
                    "can_edit": True,
                    "saved": True,
                }
                return render(request, "cases/_documents.html", context)
            messages.success(request, _("The document was stored."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#documents")
    if is_htmx(request):
        dossier = selectors.dossier(user=request.user, case=case)
        context = {"case": case, "dossier": dossier, "document_form": form, "can_edit": True}
        return render(request, "cases/_documents.html", context, status=422)
    return render(request, "cases/document_form_page.html", {"case": case, "document_form": form}, status=422)


@organisation_required  # type: ignore[arg-type]
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = selectors.document_get(user=request.user, pk=pk)
    content = services.document_read(actor=request.user, document=document)
    return attachment_response(content, filename=document.original_name, mime=document.mime)


@organisation_required
def access_manage(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not can_manage_access(request.user, case):
        raise PermissionDenied
    grant_form = AccessGrantForm(request.POST or None, organisation=case.organisation, prefix="grant")
    if request.method == "POST" and grant_form.is_valid():
        try:
            services.access_grant(
                actor=request.user,
                case=case,
                user=grant_form.cleaned_data["user"],
                can_edit=grant_form.cleaned_data["can_edit"],
            )
        except ValidationError as exc:
            apply_validation_error(grant_form, exc)
        else:
            messages.success(request, _("Access granted."))
            return redirect("cases:access", pk=case.pk)
    context = {
        "case": case,
        "grant_form": grant_form,
        "share_form": ShareForm(case=case, prefix="share"),
        "access": case.access.select_related("user", "granted_by", "revoked_by"),
        "shares": case.shares.select_related("partner", "granted_by", "revoked_by"),
    }
    return render(request, "cases/access.html", context)


@require_POST
@organisation_required
def access_revoke(request: HttpRequest, pk: int, access_pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    access = CaseAccess.objects.filter(case=case, pk=access_pk).select_related("user").first()
    if access is None:
        raise Http404
    services.access_revoke(actor=request.user, access=access)
    messages.success(request, _("Access revoked. It takes effect on their next request."))
    return redirect("cases:access", pk=case.pk)


@require_POST
@organisation_required
def share_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not can_manage_access(request.user, case):
        raise PermissionDenied
    form = ShareForm(request.POST, case=case, prefix="share")
    if form.is_valid():
        try:
            services.share_grant(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The case is shared."))
            return redirect("cases:access", pk=case.pk)
    context = {
        "case": case,
        "grant_form": AccessGrantForm(organisation=case.organisation, prefix="grant"),
        "share_form": form,
        "access": case.access.select_related("user", "granted_by", "revoked_by"),
        "shares": case.shares.select_related("partner", "granted_by", "revoked_by"),
    }
    return render(request, "cases/access.html", context, status=422)


@require_POST
@organisation_required
def share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    share = CaseShare.objects.filter(case=case, pk=share_pk).first()
    if share is None:
        raise Http404
    services.share_revoke(actor=request.user, share=share)
    messages.success(request, _("The share has ended."))
    return redirect("cases:access", pk=case.pk)


@organisation_required
def risk_assess(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    form = RiskForm(request.POST or None, initial={"level": case.risk_level, "assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_assess(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The risk assessment was recorded."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": _("Assess the risk")})


@organisation_required
def subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    form = SubjectForm(request.POST or None, organisation=case.organisation, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": _("Add a person")})


@require_POST
@organisation_required
def subject_remove(request: HttpRequest, pk: int, subject_pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    subject = CaseSubject.objects.filter(case=case, pk=subject_pk).first()
    if subject is None:
        raise Http404
    services.subject_remove(actor=request.user, subject=subject)
    return redirect("cases:detail", pk=case.pk)


def _proceeding_initial(proceeding: Any) -> dict[str, Any]:
    names = [
        "kind",
        "body",
        "case_number",
        "stage",
        "started_on",
        "next_hearing_on",
        "outcome",
        "sentence",
        "ended_on",
        "prosecutor",
        "notes",
    ]
    initial = {name: getattr(proceeding, name) for name in names}
    initial["judges"] = list(proceeding.judges.all())
    initial["defence_counsel"] = list(proceeding.defence_counsel.all())
    return initial


@organisation_required
def proceeding_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    _require_edit(request, case)
    form = ProceedingForm(request.POST or None, organisation=case.organisation, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.proceeding_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The proceeding was added."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#proceedings")
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": _("Add a proceeding")})


@organisation_required
def proceeding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proceeding = selectors.proceeding_get(user=request.user, pk=pk)
    case = proceeding.case
    _require_edit(request, case)
    form = ProceedingForm(
        request.POST or None, organisation=case.organisation, user=request.user, initial=_proceeding_initial(proceeding)
    )
    charge_form = ChargeForm(prefix="charge")
    if request.method == "POST" and form.is_valid():
        try:
            services.proceeding_update(actor=request.user, proceeding=proceeding, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The proceeding was saved."))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#proceedings")
    context = {"case": case, "proceeding": proceeding, "form": form, "charge_form": charge_form}
    return render(request, "cases/proceeding_form.html", context)


@require_POST
@organisation_required
def charge_add(request: HttpRequest, pk: int) -> HttpResponse:
    proceeding = selectors.proceeding_get(user=request.user, pk=pk)
    case = proceeding.case
    _require_edit(request, case)
    form = ChargeForm(request.POST, prefix="charge")
    if form.is_valid():
        try:
            services.charge_add(actor=request.user, proceeding=proceeding, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The charge was added."))
            return redirect("cases:proceeding_edit", pk=proceeding.pk)
    context = {
        "case": case,
        "proceeding": proceeding,
        "form": ProceedingForm(
            organisation=case.organisation, user=request.user, initial=_proceeding_initial(proceeding)
        ),
        "charge_form": form,
    }
    return render(request, "cases/proceeding_form.html", context, status=422)


@organisation_required
def publication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """What a public page of the case may show; the consent rules are the service's."""
    from defensor.core.permissions import has_capability

    case = selectors.case_get(user=request.user, pk=pk)
    if not has_capability(request.user, case.organisation_id, Capability.PUBLISH) or not can_edit_case(
        request.user, case
    ):
        raise PermissionDenied
    current = getattr(case, "publication", None)
    initial = (
        {
            "pseudonym": current.pseudonym,
            "use_real_name": current.use_real_name,
            "published_fields": current.fields,
            "public_summary": current.public_summary,
        }
        if current
        else {}
    )
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.publication_update(
                actor=request.user,
                case=case,
                pseudonym=data["pseudonym"],
                use_real_name=data["use_real_name"],
                fields=data["published_fields"],
                public_summary=data["public_summary"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The publication settings were saved."))
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "title": _("Public page settings")}
    return render(request, "cases/simple_form.html", context)
