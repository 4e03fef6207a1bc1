"""The back office of campaigns. Thin: selector, form, one service call, redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from defensor.campaigns import delivery, letters, selectors, services
from defensor.campaigns.forms import (
    CampaignForm,
    DecisionForm,
    PartnerRequestForm,
    RecordDeliveryForm,
    RenderForm,
    ResponseForm,
    SendEmailForm,
    TargetForm,
    TemplateForm,
    UpdateForm,
    UpdateSendForm,
)
from defensor.campaigns.models import Campaign, LetterTemplate
from defensor.cases.models import Case
from defensor.core.decorators import capability_required, is_htmx, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability, has_capability
from defensor.core.rendering.selectors import render_job_can_download
from defensor.directory.models import Institution


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _editable(request: HttpRequest, pk: int) -> Campaign:
    """The campaign, for someone who may change it: 404 when unseen, 403 without the edit capability."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, campaign):
        raise PermissionDenied
    return campaign


def _status(form: Any) -> int:
    return 422 if form.errors else 200


@organisation_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    context = {
        "campaigns": selectors.campaign_list(user=request.user, organisation=organisation),
        "requests": selectors.partner_requests_of(organisation=organisation),
        "can_add": has_capability(request.user, organisation.pk, Capability.EDIT),
    }
    return render(request, "campaigns/list.html", context)


@organisation_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    editable = selectors.can_edit(request.user, campaign)
    targets = selectors.targets_of(campaign)
    jobs = list(selectors.render_jobs_of(user=request.user, campaign=campaign))
    context = {
        "campaign": campaign,
        "can_edit": editable,
        "can_publish": selectors.can_publish(request.user, campaign),
        "signatures": selectors.signature_counts(campaign),
        "partners": selectors.partners_of(campaign),
        "targets": targets,
        "templates": selectors.templates_of(campaign),
        "deliveries": selectors.deliveries_of(campaign),
        "delivery_counts": selectors.delivery_counts(campaign),
        "responses": selectors.responses_of(campaign),
        "updates": selectors.updates_of(campaign),
        "jobs": [(job, render_job_can_download(user=request.user, job=job)) for job in jobs],
        "render_form": RenderForm(),
        "send_form": SendEmailForm(),
        # Only the cases this user may see: a campaign can be for a confidential case.
        "cases": Case.objects.visible_to(request.user).filter(campaigns=campaign)
        if campaign.organisation_id == _organisation(request).pk
        else [],
    }
    return render(request, "campaigns/detail.html", context)


def _case_choices(request: HttpRequest) -> Any:
    return Case.objects.visible_to(request.user, organisation=_organisation(request)).order_by("-opened_on")


@capability_required(Capability.EDIT)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, cases=_case_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, organisation=_organisation(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The campaign was created as a draft. Add targets and write the letter."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "campaign": None}, status=_status(form))


@organisation_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = CampaignForm(request.POST or None, cases=_case_choices(request), initial=CampaignForm.initial_of(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign}, status=_status(form))


def _transition(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    try:
        action(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@organisation_required
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.campaign_launch, _("The campaign is live."))


@require_POST
@organisation_required
def campaign_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.campaign_pause, _("The campaign is paused."))


@require_POST
@organisation_required
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.campaign_close, _("The campaign is closed."))


# ---- coalition ----


@capability_required(Capability.EDIT)
def partner_request(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = PartnerRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = selectors.joinable_campaign(slug=form.cleaned_data["slug"], organisation=organisation)
        if campaign is None:
            form.add_error("slug", _("No live campaign of another organisation has this address."))
        else:
            try:
                services.partner_request(actor=request.user, campaign=campaign, partner=organisation)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Your request to join was sent to %(organisation)s.") % {"organisation": campaign.organisation},
                )
                return redirect("campaigns:list")
    return render(request, "campaigns/join.html", {"form": form}, status=_status(form))


@require_POST
@organisation_required
def partner_decide(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    membership = selectors.partner_get(campaign=campaign, pk=partner_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to decline."))
    else:
        try:
            services.partner_decide(actor=request.user, membership=membership, accept=form.cleaned_data["accept"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your answer was recorded."))
    return redirect("campaigns:detail", pk=campaign.pk)


# ---- targets and templates ----


@organisation_required
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    institutions = selectors.institutions_for(user=request.user, campaign=campaign)
    form = TargetForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_add(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The target was added."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/target_form.html", {"form": form, "campaign": campaign}, status=_status(form))


@require_POST
@organisation_required
def target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    target = campaign.targets.filter(pk=target_pk).first()
    if target is None:
        raise Http404
    services.target_remove(actor=request.user, target=target)
    messages.success(request, _("The target was removed; what was sent to it stays on record."))
    return redirect("campaigns:detail", pk=campaign.pk)


@organisation_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    kind = request.GET.get("kind") or LetterTemplate.Kind.LETTER
    language = request.GET.get("language") or "en"
    existing = campaign.templates.filter(kind=kind, language=language).first()
    initial = {"kind": kind, "language": language}
    if existing is not None:
        initial.update(subject=existing.subject, body=existing.body)
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The letter was saved."))
            return redirect("campaigns:detail", pk=campaign.pk)
    values = form.data if form.is_bound else initial
    preview = letters.preview(
        campaign=campaign,
        subject=str(values.get("subject", "")),
        body=str(values.get("body", "")),
        language=str(values.get("language", "en")),
    )
    context = {"form": form, "campaign": campaign, "preview": preview, "merge_fields": letters.MERGE_FIELDS}
    return render(request, "campaigns/template_form.html", context, status=_status(form))


@require_POST
@organisation_required
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview of the editor (htmx): the letter as the first target would receive it."""
    campaign = _editable(request, pk)
    language = request.POST.get("language", "en")
    preview = letters.preview(
        campaign=campaign,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
        language=language if language in ("en", "ru") else "en",
    )
    return render(request, "campaigns/_preview.html", {"preview": preview, "campaign": campaign})


# ---- letters and delivery ----


@require_POST
@organisation_required
def letters_render(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = RenderForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else LetterTemplate.Kind.LETTER
    try:
        job = services.letters_render_start(actor=request.user, campaign=campaign, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaigns:detail", pk=campaign.pk)
    if is_htmx(request):
        return render(request, "core/rendering/job_progress.html", {"job": job, "can_download": False})
    messages.success(request, _("The letters are being produced; the progress shows below."))
    return redirect(f"{campaign_url(campaign)}#letters")


def campaign_url(campaign: Campaign) -> str:
    return reverse("campaigns:detail", kwargs={"pk": campaign.pk})


@require_POST
@organisation_required
def deliveries_email(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = SendEmailForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else LetterTemplate.Kind.LETTER
    try:
        queued = delivery.deliveries_queue_email(actor=request.user, campaign=campaign, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d letter queued for sending by email.",
                "%(count)d letters queued for sending by email.",
                len(queued),
            )
            % {"count": len(queued)},
        )
    return redirect(f"{campaign_url(campaign)}#deliveries")


@organisation_required
def delivery_record(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = RecordDeliveryForm(request.POST or None, targets=selectors.targets_of(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            delivery.delivery_record(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The letter was recorded as sent."))
            return redirect(f"{campaign_url(campaign)}#deliveries")
    return render(request, "campaigns/delivery_form.html", {"form": form, "campaign": campaign}, status=_status(form))


# ---- responses and updates ----


@organisation_required
def response_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    target_institutions = selectors.targets_of(campaign).values("institution_id")
    institutions = Institution.objects.visible_to(request.user, organisation=campaign.organisation_id).filter(
        pk__in=target_institutions
    )
    form = ResponseForm(
        request.POST or None,
        request.FILES or None,
        institutions=institutions,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("document", None)
        institution = data["institution"]
        target = selectors.targets_of(campaign).filter(institution=institution).first()
        try:
            services.response_add(
                actor=request.user,
                campaign=campaign,
                target=target,
                document_data=upload.read() if upload else None,
                document_name=upload.name if upload else "",
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The response was recorded; it shows on the case timeline."))
            return redirect(f"{campaign_url(campaign)}#responses")
    return render(request, "campaigns/response_form.html", {"form": form, "campaign": campaign}, status=_status(form))


@organisation_required
def update_write(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_write(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The update was saved. Send it when it is ready."))
            return redirect(f"{campaign_url(campaign)}#updates")
    return render(request, "campaigns/update_form.html", {"form": form, "campaign": campaign}, status=_status(form))


@require_POST
@organisation_required
def update_send(request: HttpRequest, pk: int, update_pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    update = selectors.update_get(user=request.user, campaign=campaign, pk=update_pk)
    form = UpdateSendForm(request.POST)
    follow_up = form.is_valid() and form.cleaned_data["follow_up_letters"]
    try:
        update = services.update_send(actor=request.user, update=update, follow_up_letters=follow_up)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The update is being sent to %(count)d signer.",
                "The update is being sent to %(count)d signers.",
                update.recipients,
            )
            % {"count": update.recipients},
        )
    return redirect(f"{campaign_url(campaign)}#updates")
