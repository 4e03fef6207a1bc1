"""Writes of the dossier. Every function is atomic, takes the acting user, checks, audits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defensor.accounts.models import Membership, Organisation
from defensor.cases.access import can_edit_case, can_manage_access
from defensor.cases.models import (
    Case,
    CaseAccess,
    CaseProgramme,
    CasePublication,
    CaseShare,
    CaseSubject,
    Charge,
    Document,
    Event,
    Perpetrator,
    Proceeding,
    RiskAssessment,
    Source,
)
from defensor.core.audit import audit_record, changed_fields
from defensor.core.models import Sensitivity
from defensor.core.permissions import Capability, forget_grants, has_capability
from defensor.core.uploads import sanitise_upload

CASE_SECRET_FIELDS = ("title", "summary")


def _deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("You do not have permission to do this."))


def _require_edit(actor: Any, case: Case) -> None:
    if not can_edit_case(actor, case):
        raise _deny()


def _next_reference(organisation: Organisation, year: int) -> str:
    prefix = f"{(organisation.short_name or organisation.slug[:4]).upper()}-{year}-"
    taken = Case.objects.filter(organisation=organisation, reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in taken if ref.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:03d}"


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "title": case.title,
        "summary": case.summary,
        "country": case.country,
        "status": case.status,
        "sensitivity": case.sensitivity,
        "lead": case.lead_id,
        "opened_on": str(case.opened_on),
        "closed_on": str(case.closed_on) if case.closed_on else None,
        "tags": list(case.tags),
    }


def _set_programmes(case: Case, programmes: Iterable[str]) -> None:
    wanted = set(programmes)
    case.programmes.exclude(programme__in=wanted).delete()
    existing = set(case.programmes.values_list("programme", flat=True))
    CaseProgramme.objects.bulk_create(CaseProgramme(case=case, programme=p) for p in sorted(wanted - existing))


def _check_lead(organisation: Organisation, lead: Any) -> None:
    if not Membership.objects.filter(
        organisation=organisation, user=lead, status=Membership.Status.ACTIVE, role__can_edit=True
    ).exists():
        raise ValidationError({"lead": _("The lead must be a member of the organisation who may edit.")})


@transaction.atomic
def case_open(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    country: str,
    lead: Any,
    summary: str = "",
    status: str = Case.Status.INTAKE,
    risk_level: str = Case.Risk.UNKNOWN,
    risk_reason: str = "",
    sensitivity: str = Sensitivity.INTERNAL,
    opened_on: datetime.date | None = None,
    programmes: Sequence[str] = (),
    tags: Sequence[str] = (),
    subjects: Sequence[tuple[Any, str]] = (),
    reference: str = "",
) -> Case:
    """Open a case. A confidential or secret case is visible only to its access list, which starts with the lead."""
    if not has_capability(actor, organisation.pk, Capability.EDIT):
        raise _deny()
    _check_lead(organisation, lead)
    opened_on = opened_on or timezone.localdate()
    case = Case(
        organisation=organisation,
        reference=reference or _next_reference(organisation, opened_on.year),
        title=title.strip(),
        summary=summary.strip(),
        country=country.upper(),
        status=status,
        risk_level=risk_level,
        sensitivity=sensitivity,
        lead=lead,
        opened_on=opened_on,
        tags=sorted({t.strip() for t in tags if t.strip()}),
    )
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ValidationError({"reference": _("Another case already has this reference.")}) from exc
    _set_programmes(case, programmes)
    RiskAssessment.objects.create(
        case=case, level=risk_level, assessed_on=opened_on, assessed_by=actor, reason=risk_reason or _("At opening")
    )
    for person, role in subjects:
        _subject_add(case=case, person=person, role=role)
    audit_record(
        actor=actor,
        action="cases.case.opened",
        organisation=organisation,
        obj=case,
        changes={"reference": case.reference, "sensitivity": sensitivity, "fields": sorted(_snapshot(case))},
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: Any,
    case: Case,
    title: str,
    summary: str,
    country: str,
    status: str,
    sensitivity: str,
    lead: Any,
    opened_on: datetime.date,
    closed_on: datetime.date | None = None,
    programmes: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Case:
    _require_edit(actor, case)
    if lead.pk != case.lead_id:
        if not can_manage_access(actor, case) and not has_capability(actor, case.organisation_id, Capability.EDIT):
            raise _deny()
        _check_lead(case.organisation, lead)
    before = _snapshot(case)
    case.title, case.summary, case.country = title.strip(), summary.strip(), country.upper()
    case.status, case.sensitivity, case.lead = status, sensitivity, lead
    case.opened_on, case.closed_on = opened_on, closed_on
    case.tags = sorted({t.strip() for t in tags if t.strip()})
    if case.is_closed and case.closed_on is None:
        case.closed_on = timezone.localdate()
    if case.closed_on and case.closed_on < case.opened_on:
        raise ValidationError({"closed_on": _("A case cannot close before it opened.")})
    case.full_clean()
    case.save()
    _set_programmes(case, programmes)
    audit_record(
        actor=actor,
        action="cases.case.updated",
        organisation=case.organisation,
        obj=case,
        changes=changed_fields(before, _snapshot(case), secret=CASE_SECRET_FIELDS),
    )
    return case


def _subject_add(*, case: Case, person: Any, role: str) -> CaseSubject:
    if person.organisation_id != case.organisation_id:
        raise ValidationError({"person": _("That person belongs to another organisation's directory.")})
    subject, _created = CaseSubject.objects.get_or_create(case=case, person=person, role=role)
    return subject


@transaction.atomic
def subject_add(*, actor: Any, case: Case, person: Any, role: str, note: str = "") -> CaseSubject:
    _require_edit(actor, case)
    subject = _subject_add(case=case, person=person, role=role)
    if note:
        subject.note = note
        subject.save(update_fields=["note"])
    audit_record(
        actor=actor,
        action="cases.subject.added",
        organisation=case.organisation,
        obj=case,
        changes={"person": person.pk, "role": role},
    )
    return subject


@transaction.atomic
def subject_remove(*, actor: Any, subject: CaseSubject) -> None:
    case = subject.case
    _require_edit(actor, case)
    audit_record(
        actor=actor,
        action="cases.subject.removed",
        organisation=case.organisation,
        obj=case,
        changes={"person": subject.person_id, "role": subject.role},
    )
    subject.delete()


@transaction.atomic
def risk_assess(
    *, actor: Any, case: Case, level: str, reason: str, assessed_on: datetime.date | None = None
) -> RiskAssessment:
    """Record a new risk assessment; the case's current risk is the latest one."""
    _require_edit(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the risk is assessed this way.")})
    assessment = RiskAssessment(
        case=case,
        level=level,
        assessed_on=assessed_on or timezone.localdate(),
        assessed_by=actor,
        reason=reason.strip(),
    )
    assessment.full_clean(exclude=["case", "assessed_by"])
    assessment.save()
    latest = case.risk_assessments.order_by("-assessed_on", "-id").first()
    if latest is not None and case.risk_level != latest.level:
        case.risk_level = latest.level
        case.save(update_fields=["risk_level", "updated_at"])
    audit_record(
        actor=actor,
        action="cases.risk.assessed",
        organisation=case.organisation,
        obj=case,
        changes={"level": level, "assessed_on": str(assessment.assessed_on), "reason": "recorded"},
    )
    return assessment


@transaction.atomic
def access_grant(*, actor: Any, case: Case, user: Any, can_edit: bool = False) -> CaseAccess:
    """Put a member of the case's organisation on its access list (the lead decides)."""
    if not can_manage_access(actor, case):
        raise _deny(_("Only the lead of the case grants access."))
    if not Membership.objects.filter(
        organisation_id=case.organisation_id, user=user, status=Membership.Status.ACTIVE
    ).exists():
        raise ValidationError({"user": _("Access can be given only to members of the organisation.")})
    access = CaseAccess.objects.filter(case=case, user=user, revoked_at__isnull=True).first()
    if access is None:
        access = CaseAccess.objects.create(case=case, user=user, can_edit=can_edit, granted_by=actor)
    elif access.can_edit != can_edit:
        access.can_edit = can_edit
        access.save(update_fields=["can_edit"])
    forget_grants(user)
    audit_record(
        actor=actor,
        action="cases.access.granted",
        organisation=case.organisation,
        obj=case,
        changes={"user": user.email, "can_edit": can_edit},
    )
    return access


def _revoke(*, actor: Any, row: CaseAccess | CaseShare, case: Case, action: str, changes: dict[str, Any]) -> None:
    """End an access or a share, keeping the row and who ended it (revoking twice changes nothing)."""
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.revoked_by = actor
        row.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action=action, organisation=case.organisation, obj=case, changes=changes)


@transaction.atomic
def access_revoke(*, actor: Any, access: CaseAccess) -> CaseAccess:
    """Take someone off the access list; it takes effect on their next request."""
    case = access.case
    if not can_manage_access(actor, case):
        raise _deny(_("Only the lead of the case revokes access."))
    _revoke(actor=actor, row=access, case=case, action="cases.access.revoked", changes={"user": access.user.email})
    return access


@transaction.atomic
def share_grant(
    *,
    actor: Any,
    case: Case,
    partner: Organisation,
    consent: Any = None,
    override_reason: str = "",
    can_edit: bool = False,
) -> CaseShare:
    """Share one case with a partner organisation, on recorded consent or a recorded override."""
    if not can_manage_access(actor, case):
        raise _deny(_("Only the lead of the case shares it."))
    if partner.pk == case.organisation_id:
        raise ValidationError({"partner": _("A case cannot be shared with its own organisation.")})
    if consent is not None:
        subject_ids = set(case.subjects.values_list("person_id", flat=True))
        if consent.person_id not in subject_ids or consent.scope != "share_with_partner" or consent.is_withdrawn:
            raise ValidationError(
                {"consent": _("Choose an active consent to share with a partner, given by a subject of the case.")}
            )
    elif not override_reason.strip():
        raise ValidationError(
            {"override_reason": _("Without a recorded consent, say why the case is shared all the same.")}
        )
    share = CaseShare.objects.filter(case=case, partner=partner, revoked_at__isnull=True).first()
    if share is not None:
        raise ValidationError({"partner": _("The case is already shared with this organisation.")})
    share = CaseShare.objects.create(
        case=case,
        partner=partner,
        can_edit=can_edit,
        consent=consent,
        override_reason=override_reason.strip(),
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action="cases.share.granted",
        organisation=case.organisation,
        obj=case,
        changes={
            "partner": partner.pk,
            "can_edit": can_edit,
            "basis": "consent" if consent is not None else "override",
        },
    )
    return share


@transaction.atomic
def share_revoke(*, actor: Any, share: CaseShare) -> CaseShare:
    case = share.case
    if not can_manage_access(actor, case):
        raise _deny(_("Only the lead of the case ends a share."))
    _revoke(actor=actor, row=share, case=case, action="cases.share.revoked", changes={"partner": share.partner_id})
    return share


def _publish_requires(case: Case, scope: str) -> bool:
    """Every subject of the case has an active consent of this scope."""
    subjects = list(case.subjects.select_related("person"))
    return bool(subjects) and all(s.person.has_consent(scope) for s in subjects)


@transaction.atomic
def publication_update(
    *,
    actor: Any,
    case: Case,
    pseudonym: str,
    use_real_name: bool,
    fields: Sequence[str],
    public_summary: str = "",
) -> CasePublication:
    """What the public page of a case may show. Nothing is published without consent."""
    if not has_capability(actor, case.organisation_id, Capability.PUBLISH) or not can_edit_case(actor, case):
        raise _deny()
    unknown = set(fields) - set(CasePublication.PUBLISHABLE_FIELDS)
    if unknown:
        raise ValidationError({"fields": _("These fields cannot be published: %(f)s") % {"f": ", ".join(unknown)}})
    if not pseudonym.strip():
        raise ValidationError({"pseudonym": _("A pseudonym is required: it is what the public page shows.")})
    if use_real_name and not _publish_requires(case, "publish_name"):
        raise ValidationError(
            {"use_real_name": _("Every subject of the case must have consented to publishing their name.")}
        )
    if "photo" in fields and not _publish_requires(case, "publish_photo"):
        raise ValidationError({"fields": _("Every subject of the case must have consented to publishing a photo.")})
    if fields and not _publish_requires(case, "publish_name") and not _publish_requires(case, "store"):
        raise ValidationError({"fields": _("Nothing can be published before the subjects have consented.")})
    publication, _created = CasePublication.objects.update_or_create(
        case=case,
        defaults={
            "pseudonym": pseudonym.strip(),
            "use_real_name": use_real_name,
            "fields": sorted(set(fields)),
            "public_summary": public_summary.strip(),
            "updated_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="cases.publication.updated",
        organisation=case.organisation,
        obj=case,
        changes={"use_real_name": use_real_name, "fields": sorted(set(fields))},
    )
    return publication


@transaction.atomic
def event_add(
    *,
    actor: Any,
    case: Case,
    title: str,
    occurred_on: datetime.date,
    category: str = Event.Category.REPRISAL,
    event_type: Any = None,
    description: str = "",
    precision: str = "day",
    approximate: bool = False,
    ended_on: datetime.date | None = None,
    place: str = "",
    country: str = "",
    verification: str = Event.Verification.ALLEGED,
    sensitivity: str | None = None,
    provisions: Iterable[Any] = (),
    perpetrators: Iterable[dict[str, Any]] = (),
    sources: Iterable[dict[str, Any]] = (),
) -> Event:
    """Add an event to the case timeline, with who did it, where it is known from, what it engages."""
    _require_edit(actor, case)
    event = Event(
        organisation_id=case.organisation_id,
        case=case,
        category=category,
        event_type=event_type,
        title=title.strip(),
        description=description.strip(),
        occurred_on=occurred_on,
        precision=precision,
        approximate=approximate,
        ended_on=ended_on,
        place=place.strip(),
        country=(country or case.country).upper(),
        verification=verification,
        sensitivity=sensitivity or case.sensitivity,
        recorded_by=actor,
    )
    if ended_on and ended_on < occurred_on:
        raise ValidationError({"ended_on": _("The end cannot come before the start.")})
    event.full_clean(exclude=["case", "recorded_by", "organisation"])
    event.save()
    event.provisions.set(list(provisions))
    for row in perpetrators:
        perpetrator = Perpetrator(event=event, **row)
        perpetrator.full_clean(exclude=["event"])
        perpetrator.save()
    for row in sources:
        source = Source(event=event, **row)
        source.full_clean(exclude=["event"])
        source.save()
    audit_record(
        actor=actor,
        action="cases.event.added",
        organisation=case.organisation,
        obj=event,
        changes={
            "case": case.pk,
            "category": category,
            "occurred_on": str(occurred_on),
            "provisions": sorted(p.code for p in event.provisions.all()),
        },
    )
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, **values: Any) -> Event:
    _require_edit(actor, event.case)
    provisions = values.pop("provisions", None)
    before = {name: getattr(event, name) for name in values}
    for name, value in values.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    if event.ended_on and event.ended_on < event.occurred_on:
        raise ValidationError({"ended_on": _("The end cannot come before the start.")})
    event.full_clean(exclude=["case", "recorded_by", "organisation"])
    event.save()
    if provisions is not None:
        event.provisions.set(list(provisions))
    after = {name: getattr(event, name) for name in values}
    audit_record(
        actor=actor,
        action="cases.event.updated",
        organisation=event.case.organisation,
        obj=event,
        changes=changed_fields(before, after, secret=("title", "description", "place")),
    )
    return event


@transaction.atomic
def proceeding_add(*, actor: Any, case: Case, **values: Any) -> Proceeding:
    _require_edit(actor, case)
    judges = values.pop("judges", [])
    counsel = values.pop("defence_counsel", [])
    proceeding = Proceeding(organisation_id=case.organisation_id, case=case, **values)
    proceeding.full_clean(exclude=["case", "organisation"])
    proceeding.save()
    proceeding.judges.set(judges)
    proceeding.defence_counsel.set(counsel)
    audit_record(
        actor=actor,
        action="cases.proceeding.added",
        organisation=case.organisation,
        obj=proceeding,
        changes={"case": case.pk, "kind": proceeding.kind},
    )
    return proceeding


@transaction.atomic
def proceeding_update(*, actor: Any, proceeding: Proceeding, **values: Any) -> Proceeding:
    _require_edit(actor, proceeding.case)
    judges = values.pop("judges", None)
    counsel = values.pop("defence_counsel", None)
    before = {name: getattr(proceeding, name) for name in values}
    for name, value in values.items():
        setattr(proceeding, name, value)
    proceeding.full_clean(exclude=["case", "organisation"])
    proceeding.save()
    if judges is not None:
        proceeding.judges.set(judges)
    if counsel is not None:
        proceeding.defence_counsel.set(counsel)
    audit_record(
        actor=actor,
        action="cases.proceeding.updated",
        organisation=proceeding.case.organisation,
        obj=proceeding,
        changes=changed_fields(
            {k: str(v) for k, v in before.items()},
            {k: str(getattr(proceeding, k)) for k in values},
            secret=("notes",),
        ),
    )
    return proceeding


@transaction.atomic
def charge_add(*, actor: Any, proceeding: Proceeding, article: str, text: str = "", max_penalty: str = "") -> Charge:
    _require_edit(actor, proceeding.case)
    charge = Charge(proceeding=proceeding, article=article.strip(), text=text.strip(), max_penalty=max_penalty.strip())
    charge.full_clean(exclude=["proceeding"])
    charge.save()
    audit_record(
        actor=actor,
        action="cases.charge.added",
        organisation=proceeding.case.organisation,
        obj=proceeding,
        changes={"article": charge.article},
    )
    return charge


@transaction.atomic
def document_add(
    *,
    actor: Any,
    case: Case,
    data: bytes,
    filename: str,
    title: str = "",
    kind: str = Document.Kind.OTHER,
    language: str = "",
    document_date: datetime.date | None = None,
    source: str = "",
    sensitivity: str | None = None,
) -> Document:
    """Store a document: type sniffed from its content, metadata stripped, encrypted at rest."""
    _require_edit(actor, case)
    clean = sanitise_upload(data, filename)
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = stem.rsplit(".", 1)[0] if "." in stem else stem
    document = Document(
        organisation_id=case.organisation_id,
        case=case,
        title=(title or base).strip()[:300],
        kind=kind,
        original_name=f"{base}.{clean.extension}",
        mime=clean.mime,
        size=clean.size,
        sha256=clean.sha256,
        original_sha256=clean.original_sha256,
        stripped=list(clean.stripped),
        language=language,
        document_date=document_date,
        source=source.strip(),
        sensitivity=sensitivity or case.sensitivity,
        text=clean.text,
        uploaded_by=actor,
    )
    from django.core.files.base import ContentFile

    document.file.save("upload", ContentFile(clean.content), save=False)
    document.full_clean(exclude=["case", "uploaded_by", "organisation", "file"])
    document.save()
    audit_record(
        actor=actor,
        action="cases.document.added",
        organisation=case.organisation,
        obj=document,
        changes={"case": case.pk, "mime": clean.mime, "size": clean.size, "stripped": list(clean.stripped)},
    )
    return document


def document_read(*, actor: Any, document: Document) -> bytes:
    """The plaintext of a document, for download; confidential ones leave a trace in the audit log."""
    with document.file.open("rb") as handle:
        content = handle.read()
    if Sensitivity.is_restricted(document.sensitivity) or Sensitivity.is_restricted(document.case.sensitivity):
        audit_record(
            actor=actor,
            action="cases.document.downloaded",
            organisation=document.organisation_id,
            obj=document,
            changes={"case": document.case_id},
        )
    return bytes(content)


def case_viewed(*, actor: Any, case: Case) -> None:
    """Each read of a confidential case is audited."""
    if case.is_restricted:
        audit_record(actor=actor, action="cases.case.viewed", organisation=case.organisation_id, obj=case)
