"""Writes of the back office of campaigns: the campaign, its coalition, targets, templates, letters,
responses and "further information" updates. Atomic, with the acting user, checked, audited.

Signatures are written by the public side (`campaigns.signatures`); delivery of the letters is in
`campaigns.delivery`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from defensor.accounts.models import Organisation
from defensor.campaigns import letters
from defensor.campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignUpdate,
    LetterTemplate,
    Response,
    Signature,
    Target,
)
from defensor.campaigns.signatures import link_token, signature_unsign_token_issue
from defensor.cases.models import Case
from defensor.core.audit import audit_record, changed_fields
from defensor.core.languages import LANGUAGES
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind, RenderJob
from defensor.core.permissions import Capability, has_capability
from defensor.core.rendering.services import render_job_start
from defensor.core.tasks import enqueue_on_commit
from defensor.directory.models import Institution
from defensor.directory.selectors import office_holder

logger = logging.getLogger(__name__)

CAMPAIGN_FIELDS = (
    "slug",
    "title_en",
    "title_ru",
    "ask_en",
    "ask_ru",
    "background_en",
    "background_ru",
    "mode",
    "starts_on",
    "deadline",
    "co_signing_organisations",
    "public_page",
    "show_count",
    "embed_origins",
    "retention_days",
)


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _require(actor: Any, organisation_id: int, capability: str) -> None:
    if not has_capability(actor, organisation_id, capability):
        raise _deny()


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    values = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    values["starts_on"] = str(campaign.starts_on) if campaign.starts_on else None
    values["deadline"] = str(campaign.deadline) if campaign.deadline else None
    values["cases"] = sorted(campaign.cases.values_list("pk", flat=True)) if campaign.pk else []
    return values


def _check_cases(actor: Any, organisation_id: int, cases: Iterable[Case]) -> list[Case]:
    chosen = list(cases)
    visible = set(
        Case.objects.visible_to(actor, organisation=organisation_id)
        .filter(pk__in=[case.pk for case in chosen])
        .values_list("pk", flat=True)
    )
    if any(case.pk not in visible for case in chosen):
        raise ValidationError({"cases": _("Choose cases of your organisation that you can see.")})
    return chosen


def _clean_lists(values: dict[str, Any]) -> None:
    for name in ("co_signing_organisations", "embed_origins"):
        if name in values:
            values[name] = [str(item).strip() for item in values[name] or [] if str(item).strip()]


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    organisation: Organisation,
    slug: str,
    title_en: str,
    ask_en: str,
    cases: Iterable[Case] = (),
    **values: Any,
) -> Campaign:
    """A new campaign, in draft: nothing is public until it is launched."""
    _require(actor, organisation.pk, Capability.EDIT)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    _clean_lists(values)
    campaign = Campaign(
        organisation=organisation,
        slug=slug.strip().lower(),
        title_en=title_en.strip(),
        ask_en=ask_en.strip(),
        created_by=actor,
        **values,
    )
    campaign.full_clean()
    chosen = _check_cases(actor, organisation.pk, cases)
    campaign.save()
    campaign.cases.set(chosen)
    audit_record(
        actor=actor,
        action="campaigns.campaign.created",
        organisation=organisation,
        obj=campaign,
        changes={"slug": campaign.slug, "mode": campaign.mode, "cases": [case.pk for case in chosen]},
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, cases: Iterable[Case] | None = None, **values: Any) -> Campaign:
    _require(actor, campaign.organisation_id, Capability.EDIT)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    if campaign.status != Campaign.Status.DRAFT and "slug" in values and values["slug"] != campaign.slug:
        raise ValidationError({"slug": _("The address of a launched campaign cannot change: people have shared it.")})
    _clean_lists(values)
    before = _snapshot(campaign)
    for name, value in values.items():
        setattr(campaign, name, value.strip() if isinstance(value, str) else value)
    campaign.full_clean()
    campaign.save()
    if cases is not None:
        campaign.cases.set(_check_cases(actor, campaign.organisation_id, cases))
    changes = changed_fields(before, _snapshot(campaign))
    if changes:
        audit_record(
            actor=actor,
            action="campaigns.campaign.updated",
            organisation=campaign.organisation,
            obj=campaign,
            changes=changes,
        )
    return campaign


def _status_change(actor: Any, campaign: Campaign, status: str) -> None:
    audit_record(
        actor=actor,
        action=f"campaigns.campaign.{status}",
        organisation=campaign.organisation_id,
        obj=campaign,
        changes={"status": status},
    )


@transaction.atomic
def campaign_launch(*, actor: Any, campaign: Campaign) -> Campaign:
    """Open the campaign (its public page takes signatures); the first launch goes to the ledger."""
    _require(actor, campaign.organisation_id, Capability.PUBLISH)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PAUSED):
        raise ValidationError(_("Only a draft or paused campaign can be launched."))
    if not campaign.templates.filter(kind=LetterTemplate.Kind.LETTER).exists():
        raise ValidationError(_("Write the letter before launching: signers sign a letter."))
    first_launch = campaign.launched_at is None
    campaign.status = Campaign.Status.LIVE
    if first_launch:
        campaign.launched_at = timezone.now()
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    _status_change(actor, campaign, "launched")
    if first_launch:
        activity_record(
            actor=actor,
            organisation=campaign.organisation,
            kind=ActivityKind.CAMPAIGN_LAUNCHED,
            occurred_on=timezone.localdate(),
            title=_("Campaign launched: %(title)s") % {"title": campaign.title_en},
            source=campaign,
            concerns=list(campaign.cases.all()),
        )
    return campaign


@transaction.atomic
def campaign_pause(*, actor: Any, campaign: Campaign) -> Campaign:
    _require(actor, campaign.organisation_id, Capability.EDIT)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.LIVE:
        raise ValidationError(_("Only a live campaign can be paused."))
    campaign.status = Campaign.Status.PAUSED
    campaign.save(update_fields=["status", "updated_at"])
    _status_change(actor, campaign, "paused")
    return campaign


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Stop taking signatures for good; signers' personal data is erased `retention_days` later."""
    _require(actor, campaign.organisation_id, Capability.EDIT)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(_("The campaign is already closed."))
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    _status_change(actor, campaign, "closed")
    return campaign


# ---- coalition ----


@transaction.atomic
def partner_request(*, actor: Any, campaign: Campaign, partner: Organisation) -> CampaignPartner:
    """Another organisation of the deployment asks to join the campaign (from its own side)."""
    _require(actor, partner.pk, Capability.EDIT)
    if partner.pk == campaign.organisation_id:
        raise ValidationError(_("Your organisation leads this campaign already."))
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(_("This campaign is closed."))
    existing = CampaignPartner.objects.select_for_update().filter(campaign=campaign, partner=partner).first()
    if existing is not None:
        if existing.status in (CampaignPartner.Status.REQUESTED, CampaignPartner.Status.ACCEPTED):
            raise ValidationError(_("Your organisation has already asked to join this campaign."))
        existing.status = CampaignPartner.Status.REQUESTED
        existing.requested_by = actor
        existing.decided_by = None
        existing.decided_at = None
        existing.save()
        membership = existing
    else:
        membership = CampaignPartner(campaign=campaign, partner=partner, requested_by=actor)
        membership.full_clean()
        membership.save()
    for organisation_id in (partner.pk, campaign.organisation_id):
        audit_record(
            actor=actor,
            action="campaigns.partner.requested",
            organisation=organisation_id,
            obj=membership,
            changes={"campaign": campaign.pk, "partner": partner.pk},
        )
    return membership


@transaction.atomic
def partner_decide(*, actor: Any, membership: CampaignPartner, accept: bool) -> CampaignPartner:
    """The lead organisation accepts or declines a request to join."""
    campaign = membership.campaign
    _require(actor, campaign.organisation_id, Capability.EDIT)
    membership = CampaignPartner.objects.select_for_update().get(pk=membership.pk)
    if membership.status != CampaignPartner.Status.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    membership.status = CampaignPartner.Status.ACCEPTED if accept else CampaignPartner.Status.DECLINED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save()
    for organisation_id in (campaign.organisation_id, membership.partner_id):
        audit_record(
            actor=actor,
            action="campaigns.partner.accepted" if accept else "campaigns.partner.declined",
            organisation=organisation_id,
            obj=membership,
            changes={"campaign": campaign.pk, "partner": membership.partner_id},
        )
    return membership


# ---- targets and templates ----


@transaction.atomic
def target_add(
    *,
    actor: Any,
    campaign: Campaign,
    institution: Institution,
    position: str = "",
    language: str = "en",
    on: datetime.date | None = None,
    salutation: str = "",
    email: str = "",
    postal_address: str = "",
) -> Target:
    """An authority to write to: whoever holds `position` at `institution` on the day (today) is the addressee.

    Salutation, email and postal address come from the directory unless given here.
    """
    _require(actor, campaign.organisation_id, Capability.EDIT)
    if (
        not Institution.objects.visible_to(actor, organisation=campaign.organisation_id)
        .filter(pk=institution.pk)
        .exists()
    ):
        raise ValidationError({"institution": _("Choose an institution of your organisation's directory.")})
    if language not in LANGUAGES:
        raise ValidationError({"language": _("Choose a language the letters are written in.")})
    position = position.strip()
    holder = office_holder(institution, position, on=on, user=actor) if position else None
    target = Target(
        campaign=campaign,
        institution=institution,
        position=holder.position if holder is not None else position,
        person=holder.person if holder is not None else None,
        language=language,
        salutation=salutation.strip() or institution.salutation(language),
        email=email.strip() or institution.email,
        postal_address=postal_address.strip() or institution.postal_address,
    )
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        action="campaigns.target.added",
        organisation=campaign.organisation_id,
        obj=target,
        changes={
            "campaign": campaign.pk,
            "institution": institution.pk,
            "position": target.position,
            "person": target.person_id,
            "language": language,
        },
    )
    return target


@transaction.atomic
def target_remove(*, actor: Any, target: Target) -> Target:
    """Stop writing to a target; it stays on record with its deliveries and responses."""
    _require(actor, target.campaign.organisation_id, Capability.EDIT)
    target.active = False
    target.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="campaigns.target.removed",
        organisation=target.campaign.organisation_id,
        obj=target,
        changes={"campaign": target.campaign_id},
    )
    return target


@transaction.atomic
def template_save(
    *, actor: Any, campaign: Campaign, language: str, subject: str, body: str, kind: str = LetterTemplate.Kind.LETTER
) -> LetterTemplate:
    """Write (or rewrite) the letter of `kind` in `language`; merge fields other than the known ones are refused."""
    _require(actor, campaign.organisation_id, Capability.EDIT)
    if language not in LANGUAGES:
        raise ValidationError({"language": _("Choose a language the letters are written in.")})
    letters.validate_template_text(subject, field="subject")
    letters.validate_template_text(body, field="body")
    template = LetterTemplate.objects.filter(campaign=campaign, kind=kind, language=language).first()
    created = template is None
    if template is None:
        template = LetterTemplate(campaign=campaign, kind=kind, language=language)
    before = {"subject": template.subject, "body": template.body}
    template.subject = subject.strip()
    template.body = body.strip()
    template.full_clean()
    template.save()
    audit_record(
        actor=actor,
        action="campaigns.template.saved",
        organisation=campaign.organisation_id,
        obj=template,
        changes={
            "campaign": campaign.pk,
            "kind": kind,
            "language": language,
            "created": created,
            "changed": sorted(changed_fields(before, {"subject": template.subject, "body": template.body})),
        },
    )
    return template


# ---- letters ----


def letters_render_start(*, actor: Any, campaign: Campaign, kind: str = LetterTemplate.Kind.LETTER) -> RenderJob:
    """Queue the rendering of the letters (a background job with progress); see `letters.render_letters`."""
    _require(actor, campaign.organisation_id, Capability.EDIT)
    if not campaign.targets.filter(active=True).exists():
        raise ValidationError(_("Add at least one target before producing the letters."))
    if not campaign.templates.filter(kind=kind).exists():
        raise ValidationError(_("Write the letter template before producing the letters."))
    return render_job_start(
        actor=actor,
        organisation=campaign.organisation,
        kind=letters.RENDER_KIND,
        obj=campaign,
        params={"kind": kind},
    )


# ---- responses ----


@transaction.atomic
def response_add(
    *,
    actor: Any,
    campaign: Campaign,
    institution: Institution,
    received_on: datetime.date,
    summary: str,
    target: Target | None = None,
    document_data: bytes | None = None,
    document_name: str = "",
) -> Response:
    """An authority answered: recorded, its document filed with the campaign's first case, on the case timelines."""
    _require(actor, campaign.organisation_id, Capability.EDIT)
    if target is not None and target.campaign_id != campaign.pk:
        raise ValidationError({"target": _("Choose a target of this campaign.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date cannot be in the future.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise what the authority answered.")})
    cases = list(campaign.cases.order_by("opened_on", "id"))
    document = None
    if document_data is not None:
        if not cases:
            raise ValidationError({"document": _("Link the campaign to a case first: documents are kept in cases.")})
        from defensor.cases.services import document_add

        document = document_add(
            actor=actor,
            case=cases[0],
            data=document_data,
            filename=document_name or "response",
            title=_("Response of %(institution)s") % {"institution": institution.display_name},
            document_date=received_on,
        )
    response = Response(
        organisation=campaign.organisation,
        campaign=campaign,
        target=target,
        institution=institution,
        received_on=received_on,
        summary=summary.strip(),
        document=document,
        recorded_by=actor,
    )
    response.full_clean()
    response.save()
    audit_record(
        actor=actor,
        action="campaigns.response.added",
        organisation=campaign.organisation_id,
        obj=response,
        changes={"campaign": campaign.pk, "institution": institution.pk, "document": bool(document), "summary": "set"},
    )
    activity_record(
        actor=actor,
        organisation=campaign.organisation,
        kind=ActivityKind.RESPONSE_RECEIVED,
        occurred_on=received_on,
        title=_("Response of %(institution)s to the campaign %(title)s")
        % {"institution": institution.display_name, "title": campaign.title_en},
        source=response,
        concerns=cases,
    )
    return response


# ---- "further information" updates ----


@transaction.atomic
def update_write(
    *, actor: Any, campaign: Campaign, title_en: str, body_en: str, title_ru: str = "", body_ru: str = ""
) -> CampaignUpdate:
    _require(actor, campaign.organisation_id, Capability.EDIT)
    update = CampaignUpdate(
        organisation=campaign.organisation,
        campaign=campaign,
        title_en=title_en.strip(),
        body_en=body_en.strip(),
        title_ru=title_ru.strip(),
        body_ru=body_ru.strip(),
        written_by=actor,
    )
    update.full_clean()
    update.save()
    audit_record(
        actor=actor,
        action="campaigns.update.written",
        organisation=campaign.organisation_id,
        obj=update,
        changes={"campaign": campaign.pk},
    )
    return update


def update_recipients(campaign: Campaign) -> Any:
    return Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED, consent_updates=True)


def unsign_url(signature: Signature, token: str) -> str:
    """The public page where a signer withdraws (absolute), for the link in every email; `token` is the raw one."""
    try:
        path = reverse(
            "public:unsign", kwargs={"slug": signature.campaign.slug, "token": link_token(signature.pk, token)}
        )
    except NoReverseMatch as exc:
        raise ValidationError(
            _("The public page where signers withdraw is not available: updates cannot be sent yet.")
        ) from exc
    return str(settings.SITE_URL).rstrip("/") + path


@transaction.atomic
def update_send(*, actor: Any, update: CampaignUpdate, follow_up_letters: bool = False) -> CampaignUpdate:
    """Send the update to the signers who asked to be kept informed (after commit, in the background).

    With `follow_up_letters`, the follow-up letter is also queued to every target that has an email.
    """
    campaign = update.campaign
    _require(actor, campaign.organisation_id, Capability.EDIT)
    update = CampaignUpdate.objects.select_for_update().get(pk=update.pk)
    if update.sent_at is not None:
        raise ValidationError(_("This update has already been sent."))
    # Fail now, not in the worker, when the withdrawal link cannot be made.
    try:
        reverse("public:unsign", kwargs={"slug": campaign.slug, "token": "x"})
    except NoReverseMatch as exc:
        raise ValidationError(
            _("The public page where signers withdraw is not available: updates cannot be sent yet.")
        ) from exc
    if follow_up_letters and not campaign.templates.filter(kind=LetterTemplate.Kind.FOLLOW_UP).exists():
        raise ValidationError(_("Write the follow-up letter first, or send the update without it."))
    update.sent_at = timezone.now()
    update.recipients = update_recipients(campaign).count()
    update.save(update_fields=["sent_at", "recipients", "updated_at"])
    audit_record(
        actor=actor,
        action="campaigns.update.sent",
        organisation=campaign.organisation_id,
        obj=update,
        changes={"campaign": campaign.pk, "recipients": update.recipients, "follow_up_letters": follow_up_letters},
    )
    from defensor.campaigns import tasks

    enqueue_on_commit(tasks.send_update, update.pk)
    if follow_up_letters:
        from defensor.campaigns.delivery import deliveries_queue_email

        deliveries_queue_email(actor=actor, campaign=campaign, kind=LetterTemplate.Kind.FOLLOW_UP)
    return update


def _update_message(update: CampaignUpdate, signature: Signature) -> EmailMessage:
    language = signature.language if signature.language in LANGUAGES else "en"
    link = unsign_url(signature, signature_unsign_token_issue(signature=signature))
    with translation.override(language):
        title = (update.title_ru if language == "ru" else "") or update.title_en
        body = (update.body_ru if language == "ru" else "") or update.body_en
        campaign_title = update.campaign.title
        footer = _(
            "You receive this because you signed “%(campaign)s” and asked to be kept informed. "
            "To withdraw your signature and receive nothing more: %(link)s"
        ) % {"campaign": campaign_title, "link": link}
    return EmailMessage(
        subject=title,
        body=f"{body}\n\n-- \n{footer}\n",
        to=[signature.email],
        headers={"List-Unsubscribe": f"<{link}>"},
    )


def update_emails_send(*, update_id: int) -> int:
    """Email an update to each signer who asked to be kept informed; safe to run once per update (the worker)."""
    update = CampaignUpdate.objects.select_related("campaign").get(pk=update_id)
    sent = 0
    for signature in update_recipients(update.campaign).select_related("campaign").iterator(chunk_size=500):
        if not signature.email:
            continue
        try:
            _update_message(update, signature).send()
        except Exception:
            # One bad address must not stop the others; it is logged without the address.
            logger.exception("the update %s could not be emailed to signature %s", update.pk, signature.pk)
            continue
        sent += 1
    return sent
