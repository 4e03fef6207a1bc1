"""Writes of trial monitoring. Every function is atomic, takes the acting user, checks, audits.

Audit entries never carry answers, rationales or letter text: only which fields or which
question codes changed.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defensor.cases.models import Case, Proceeding
from defensor.cases.services import proceeding_update
from defensor.core.audit import audit_record, changed_fields
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind
from defensor.core.permissions import Capability, has_capability
from defensor.directory.models import InstitutionKind
from defensor.monitoring import questionnaire_file
from defensor.monitoring.access import active_assignment, can_manage_plan, is_expert
from defensor.monitoring.answers import AnswerError, clean_answer
from defensor.monitoring.checklist import checklist_codes
from defensor.monitoring.models import (
    CalendarFeed,
    Finding,
    FindingValue,
    Hearing,
    MonitoringPlan,
    Observation,
    ObservationAmendment,
    ObserverAssignment,
    PlanCheck,
    Question,
    Questionnaire,
    Section,
    SelectionCriterion,
    TrialGrade,
    Tristate,
)
from defensor.standards.models import Provision

PLAN_SECRET_FIELDS = ("selection_note", "accreditation_note", "notification_text")


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _require_manage(actor: Any, plan: MonitoringPlan) -> None:
    if not can_manage_plan(actor, plan):
        raise _deny()


# ------------------------------------------------------------------ plans


def _check_partners(plan_organisation_id: int, partners: Iterable[Any]) -> list[Any]:
    chosen = list(partners)
    for partner in chosen:
        if partner.kind != InstitutionKind.PARTNER_NGO or partner.organisation_id != plan_organisation_id:
            raise ValidationError({"partners": _("Choose partner NGOs from your organisation's directory.")})
    return chosen


def _check_criteria(criteria: Sequence[str]) -> list[str]:
    unknown = set(criteria) - set(SelectionCriterion.values)
    if unknown:
        raise ValidationError({"selection_criteria": _("Unknown selection criterion.")})
    return [c for c in SelectionCriterion.values if c in set(criteria)]


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    proceeding: Proceeding,
    selection_criteria: Sequence[str] = (),
    selection_note: str = "",
    partners: Iterable[Any] = (),
    partners_note: str = "",
    status: str = MonitoringPlan.Status.PROPOSED,
) -> MonitoringPlan:
    """Start monitoring a proceeding. Only those who may edit the case may."""
    case = proceeding.case
    from defensor.cases.access import can_edit_case

    if not can_edit_case(actor, case):
        raise _deny()
    plan = MonitoringPlan(
        organisation_id=case.organisation_id,
        proceeding=proceeding,
        status=status,
        selection_criteria=_check_criteria(selection_criteria),
        selection_note=selection_note.strip(),
        partners_note=partners_note.strip(),
        created_by=actor,
    )
    chosen = _check_partners(case.organisation_id, partners)
    plan.full_clean()
    plan.save()
    plan.partners.set(chosen)
    audit_record(
        actor=actor,
        action="monitoring.plan.created",
        organisation=case.organisation_id,
        obj=plan,
        changes={"case": case.pk, "proceeding": proceeding.pk, "status": status},
    )
    return plan


PLAN_EDITABLE = (
    "status",
    "selection_criteria",
    "selection_note",
    "partners_note",
    "accreditation",
    "accreditation_note",
    "notify_court",
    "notify_ministry",
    "notification_language",
)


@transaction.atomic
def plan_update(*, actor: Any, plan: MonitoringPlan, **values: Any) -> MonitoringPlan:
    _require_manage(actor, plan)
    partners = values.pop("partners", None)
    unknown = set(values) - set(PLAN_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "selection_criteria" in values:
        values["selection_criteria"] = _check_criteria(values["selection_criteria"])
    before = {name: getattr(plan, name) for name in values}
    for name, value in values.items():
        setattr(plan, name, value.strip() if isinstance(value, str) and name.endswith("note") else value)
    for name in ("notify_court", "notify_ministry"):
        institution = getattr(plan, name)
        if institution is not None and institution.organisation_id != plan.organisation_id:
            raise ValidationError({name: _("Choose an institution of your organisation.")})
    plan.full_clean()
    plan.save()
    if partners is not None:
        plan.partners.set(_check_partners(plan.organisation_id, partners))
    audit_record(
        actor=actor,
        action="monitoring.plan.updated",
        organisation=plan.organisation_id,
        obj=plan,
        changes=changed_fields(
            {k: str(v) for k, v in before.items()},
            {k: str(getattr(plan, k)) for k in values},
            secret=PLAN_SECRET_FIELDS,
        )
        | ({"partners": "changed"} if partners is not None else {}),
    )
    return plan


@transaction.atomic
def plan_check_set(*, actor: Any, plan: MonitoringPlan, item: str, checked: bool) -> PlanCheck:
    """Tick or untick one do-no-harm item; each change is a new row (who, when)."""
    _require_manage(actor, plan)
    if item not in checklist_codes():
        raise ValidationError({"item": _("Unknown checklist item.")})
    check = PlanCheck.objects.create(plan=plan, item=item, checked=checked, by=actor)
    audit_record(
        actor=actor,
        action="monitoring.plan.checklist",
        organisation=plan.organisation_id,
        obj=plan,
        changes={"item": item, "checked": checked},
    )
    return check


@transaction.atomic
def plan_notification_record(
    *, actor: Any, plan: MonitoringPlan, text: str, language: str, sent_on: datetime.date | None = None
) -> MonitoringPlan:
    """Keep the letter as edited; with a date, record it as sent on that date."""
    _require_manage(actor, plan)
    if not text.strip():
        raise ValidationError({"text": _("The letter is empty.")})
    if sent_on is not None and sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date it was sent cannot be in the future.")})
    plan.notification_text = text.strip() + "\n"
    plan.notification_language = language
    if sent_on is not None:
        plan.notification_sent_on = sent_on
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action="monitoring.plan.notification_sent" if sent_on else "monitoring.plan.notification_saved",
        organisation=plan.organisation_id,
        obj=plan,
        changes={"notification_text": "changed", "language": language, "sent_on": str(sent_on or "")},
    )
    return plan


# ------------------------------------------------------------------ hearings

HEARING_FIELDS = (
    "kind",
    "scheduled_start",
    "actual_start",
    "actual_end",
    "court",
    "courtroom",
    "prosecutor",
    "adjourned",
    "adjournment_reason",
    "adjournment_note",
    "next_date",
)


def _check_hearing(hearing: Hearing) -> None:
    errors: dict[str, Any] = {}
    if hearing.court is not None and (
        hearing.court.kind != InstitutionKind.COURT or hearing.court.organisation_id != hearing.organisation_id
    ):
        errors["court"] = _("Choose a court of your organisation's directory.")
    if hearing.actual_start and hearing.actual_end and hearing.actual_end < hearing.actual_start:
        errors["actual_end"] = _("The hearing cannot end before it starts.")
    if hearing.adjourned and not hearing.adjournment_reason:
        errors["adjournment_reason"] = _("Say why the hearing was adjourned.")
    if not hearing.adjourned and hearing.adjournment_reason:
        errors["adjournment_reason"] = _("Only an adjourned hearing has a reason for the adjournment.")
    if errors:
        raise ValidationError(errors)


def _sync_next_hearing(actor: Any, proceeding: Proceeding) -> None:
    """Keep the proceeding's next hearing date in step with the monitored hearings."""
    today = timezone.localdate()
    hearings = Hearing.objects.filter(plan__proceeding=proceeding).exclude(plan__status=MonitoringPlan.Status.CANCELLED)
    dates = [timezone.localtime(h.scheduled_start).date() for h in hearings]
    dates += [h.next_date for h in hearings if h.next_date]
    upcoming = sorted(d for d in dates if d >= today)
    if upcoming and proceeding.next_hearing_on != upcoming[0]:
        proceeding_update(actor=actor, proceeding=proceeding, next_hearing_on=upcoming[0])


def _hearing_snapshot(hearing: Hearing) -> dict[str, str]:
    return {name: str(getattr(hearing, name)) for name in HEARING_FIELDS}


@transaction.atomic
def hearing_add(
    *,
    actor: Any,
    plan: MonitoringPlan,
    bench: Iterable[Any] = (),
    defence_counsel: Iterable[Any] = (),
    **values: Any,
) -> Hearing:
    _require_manage(actor, plan)
    unknown = set(values) - set(HEARING_FIELDS)
    if unknown:
        raise ValueError(f"unknown hearing fields: {sorted(unknown)}")
    hearing = Hearing(organisation_id=plan.organisation_id, plan=plan, **values)
    if hearing.court is None:
        hearing.court = plan.proceeding.body
    hearing.full_clean(exclude=["plan", "organisation"])
    _check_hearing(hearing)
    hearing.save()
    hearing.bench.set(list(bench))
    hearing.defence_counsel.set(list(defence_counsel))
    audit_record(
        actor=actor,
        action="monitoring.hearing.added",
        organisation=plan.organisation_id,
        obj=hearing,
        changes={"plan": plan.pk, "kind": hearing.kind, "scheduled_start": str(hearing.scheduled_start)},
    )
    _sync_next_hearing(actor, plan.proceeding)
    return hearing


@transaction.atomic
def hearing_update(
    *,
    actor: Any,
    hearing: Hearing,
    bench: Iterable[Any] | None = None,
    defence_counsel: Iterable[Any] | None = None,
    **values: Any,
) -> Hearing:
    _require_manage(actor, hearing.plan)
    unknown = set(values) - set(HEARING_FIELDS)
    if unknown:
        raise ValueError(f"unknown hearing fields: {sorted(unknown)}")
    before = _hearing_snapshot(hearing)
    for name, value in values.items():
        setattr(hearing, name, value)
    hearing.full_clean(exclude=["plan", "organisation"])
    _check_hearing(hearing)
    hearing.save()
    changes = changed_fields(before, _hearing_snapshot(hearing))
    if bench is not None:
        hearing.bench.set(list(bench))
        changes["bench"] = "set"
    if defence_counsel is not None:
        hearing.defence_counsel.set(list(defence_counsel))
        changes["defence_counsel"] = "set"
    audit_record(
        actor=actor,
        action="monitoring.hearing.updated",
        organisation=hearing.organisation_id,
        obj=hearing,
        changes=changes,
    )
    _sync_next_hearing(actor, hearing.plan.proceeding)
    return hearing


# ------------------------------------------------------------------ assignments


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    plan: MonitoringPlan,
    user: Any,
    role: str = ObserverAssignment.Role.OBSERVER,
    hearings: Iterable[Hearing] = (),
) -> ObserverAssignment:
    """Assign someone who can see the case: a member, or someone of a partner it is shared with."""
    _require_manage(actor, plan)
    if not Case.objects.visible_to(user).filter(pk=plan.proceeding.case_id).exists():
        raise ValidationError(
            {
                "user": _(
                    "This person cannot see the case: choose a member of your organisation (or of a partner the "
                    "case is shared with), and for a confidential case put them on its access list first."
                )
            }
        )
    chosen = list(hearings)
    if any(h.plan_id != plan.pk for h in chosen):
        raise ValidationError({"hearings": _("Choose hearings of this plan.")})
    assignment = ObserverAssignment(
        organisation_id=plan.organisation_id, plan=plan, user=user, role=role, assigned_by=actor
    )
    assignment.full_clean(exclude=["plan", "organisation", "user", "assigned_by"])
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise ValidationError({"user": _("This person already has this role on the plan.")}) from exc
    assignment.hearings.set(chosen)
    audit_record(
        actor=actor,
        action="monitoring.assignment.added",
        organisation=plan.organisation_id,
        obj=assignment,
        changes={"plan": plan.pk, "user": user.pk, "role": role, "hearings": sorted(h.pk for h in chosen)},
    )
    return assignment


@transaction.atomic
def assignment_end(*, actor: Any, assignment: ObserverAssignment) -> ObserverAssignment:
    _require_manage(actor, assignment.plan)
    if assignment.ended_at is None:
        assignment.ended_at = timezone.now()
        assignment.ended_by = actor
        assignment.save(update_fields=["ended_at", "ended_by", "updated_at"])
        audit_record(
            actor=actor,
            action="monitoring.assignment.ended",
            organisation=assignment.organisation_id,
            obj=assignment,
            changes={"user": assignment.user_id, "role": assignment.role},
        )
    return assignment


# ------------------------------------------------------------------ questionnaire


def _require_questionnaire_edit(actor: Any, questionnaire: Questionnaire) -> None:
    if questionnaire.organisation_id is None or not has_capability(
        actor, questionnaire.organisation_id, Capability.EDIT
    ):
        raise _deny()


def _require_draft(questionnaire: Questionnaire) -> None:
    if not questionnaire.is_draft:
        raise ValidationError(_("A published version never changes: draft a new version instead."))


@transaction.atomic
def questionnaire_load(
    *,
    actor: Any,
    content: bytes | str,
    source: str,
    organisation: Any = None,
    publish: bool = False,
    label: str | None = None,
) -> Questionnaire:
    """Load a version from a data file as a draft (of `organisation`, or shipped when None)."""
    # actor None: an operator on the command line (`defensor questionnaire load`).
    if (
        organisation is not None
        and actor is not None
        and not has_capability(actor, getattr(organisation, "pk", organisation), "edit")
    ):
        raise _deny()
    known = set(Provision.objects.values_list("code", flat=True))
    try:
        spec = questionnaire_file.parse(content, known_provisions=known, name=source or "file")
    except questionnaire_file.QuestionnaireFileError as exc:
        raise ValidationError(exc.problems) from exc
    taken = Questionnaire.objects.filter(organisation=organisation, label=label or spec.label).exists()
    if taken:
        raise ValidationError({"label": _("A version with this label exists already.")})
    questionnaire = questionnaire_file.build(
        spec,
        questionnaire_model=Questionnaire,
        section_model=Section,
        question_model=Question,
        provision_model=Provision,
        organisation=organisation,
        source=source,
        label=label,
    )
    audit_record(
        actor=actor,
        action="monitoring.questionnaire.loaded",
        organisation=getattr(organisation, "pk", organisation),
        obj=questionnaire,
        changes={"label": questionnaire.label, "source": source, "questions": spec.question_count},
    )
    if publish:
        questionnaire_publish(actor=actor, questionnaire=questionnaire, _checked=True)
    return questionnaire


@transaction.atomic
def questionnaire_draft_new(*, actor: Any, organisation: Any, label: str) -> Questionnaire:
    """A new draft for the organisation, copied from the latest published version it uses."""
    if not has_capability(actor, organisation.pk, Capability.EDIT):
        raise _deny()
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Give the new version a label.")})
    if Questionnaire.objects.filter(organisation=organisation, label=label).exists():
        raise ValidationError({"label": _("A version with this label exists already.")})
    base = latest_published(organisation)
    if base is None:
        raise ValidationError(_("There is no published version to copy."))
    draft = Questionnaire.objects.create(
        organisation=organisation, label=label, title_en=base.title_en, title_ru=base.title_ru, based_on=base
    )
    for section in base.sections.prefetch_related("questions__provisions"):
        copy = Section.objects.create(
            questionnaire=draft,
            code=section.code,
            title_en=section.title_en,
            title_ru=section.title_ru,
            order=section.order,
        )
        for question in section.questions.all():
            provisions = list(question.provisions.all())
            question.pk = None
            question.id = None
            question._state.adding = True
            question.questionnaire = draft
            question.section = copy
            question.save()
            question.provisions.set(provisions)
    audit_record(
        actor=actor,
        action="monitoring.questionnaire.drafted",
        organisation=organisation.pk,
        obj=draft,
        changes={"label": label, "based_on": base.pk},
    )
    return draft


def latest_published(organisation: Any) -> Questionnaire | None:
    """The version new observations use: the organisation's own latest published, else the shipped one."""
    published = Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED)
    own = published.filter(organisation=organisation).order_by("-published_at", "-id").first()
    return own or published.filter(organisation__isnull=True).order_by("-published_at", "-id").first()


@transaction.atomic
def questionnaire_publish(*, actor: Any, questionnaire: Questionnaire, _checked: bool = False) -> Questionnaire:
    """Freeze a draft: from now on its sections and questions never change."""
    if not _checked and (
        questionnaire.organisation_id is None
        or not has_capability(actor, questionnaire.organisation_id, Capability.PUBLISH)
    ):
        raise _deny()
    _require_draft(questionnaire)
    if not questionnaire.questions.exists():
        raise ValidationError(_("A version without questions cannot be published."))
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save()
    audit_record(
        actor=actor,
        action="monitoring.questionnaire.published",
        organisation=questionnaire.organisation_id,
        obj=questionnaire,
        changes={"label": questionnaire.label},
    )
    return questionnaire


@transaction.atomic
def questionnaire_retire(*, actor: Any, questionnaire: Questionnaire) -> Questionnaire:
    if questionnaire.organisation_id is None or not has_capability(
        actor, questionnaire.organisation_id, Capability.PUBLISH
    ):
        raise _deny()
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    questionnaire.status = Questionnaire.Status.RETIRED
    questionnaire.retired_at = timezone.now()
    questionnaire.save()
    audit_record(
        actor=actor,
        action="monitoring.questionnaire.retired",
        organisation=questionnaire.organisation_id,
        obj=questionnaire,
        changes={"label": questionnaire.label},
    )
    return questionnaire


QUESTION_FIELDS = ("code", "text_en", "text_ru", "help_en", "help_ru", "answer_type", "choices", "part", "required")


@transaction.atomic
def question_save(
    *,
    actor: Any,
    section: Section,
    question: Question | None = None,
    provisions: Iterable[Provision] = (),
    **values: Any,
) -> Question:
    """Add a question to a draft's section, or change one. Published versions refuse."""
    questionnaire = section.questionnaire
    _require_questionnaire_edit(actor, questionnaire)
    _require_draft(questionnaire)
    unknown = set(values) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"unknown question fields: {sorted(unknown)}")
    adding = question is None
    if question is None:
        last = section.questions.order_by("-order").first()
        question = Question(questionnaire=questionnaire, section=section, order=(last.order + 10) if last else 10)
    elif question.questionnaire_id != questionnaire.pk:
        raise ValidationError(_("This question belongs to another version."))
    before = {name: str(getattr(question, name)) for name in values}
    for name, value in values.items():
        setattr(question, name, value)
    errors: dict[str, Any] = {}
    if question.answer_type == "choice" and not question.choices:
        errors["choices"] = _("A choice question needs choices.")
    if question.answer_type != "choice" and question.choices:
        errors["choices"] = _("Only a choice question has choices.")
    if question.code and not question.code.startswith(f"{section.code}."):
        errors["code"] = _("The code must start with the section letter and a dot, for example %(example)s.") % {
            "example": f"{section.code}.hearing_public"
        }
    clash = Question.objects.filter(questionnaire=questionnaire, code=question.code).exclude(pk=question.pk)
    if clash.exists():
        errors["code"] = _("Another question of this version has this code.")
    if errors:
        raise ValidationError(errors)
    question.full_clean(exclude=["questionnaire", "section"])
    question.save()
    question.provisions.set(list(provisions))
    audit_record(
        actor=actor,
        action="monitoring.question.added" if adding else "monitoring.question.changed",
        organisation=questionnaire.organisation_id,
        obj=question,
        changes={"questionnaire": questionnaire.pk, "code": question.code}
        | ({} if adding else {"fields": sorted(k for k in values if before[k] != str(getattr(question, k)))}),
    )
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    questionnaire = question.questionnaire
    _require_questionnaire_edit(actor, questionnaire)
    _require_draft(questionnaire)
    code, pk = question.code, question.pk
    question.delete()
    audit_record(
        actor=actor,
        action="monitoring.question.deleted",
        organisation=questionnaire.organisation_id,
        obj=None,
        changes={"questionnaire": questionnaire.pk, "question": pk, "code": code},
    )


# ------------------------------------------------------------------ observations


@transaction.atomic
def observation_start(*, actor: Any, hearing: Hearing) -> Observation:
    """The actor's observation of a hearing they are assigned to; made on first opening."""
    plan = hearing.plan
    assignment = active_assignment(actor, plan, ObserverAssignment.Role.OBSERVER)
    if assignment is None or not assignment.covers(hearing):
        raise _deny()
    existing = Observation.objects.filter(hearing=hearing, observer=actor).first()
    if existing is not None:
        return existing
    questionnaire = latest_published(plan.organisation)
    if questionnaire is None:
        raise ValidationError(_("No questionnaire is published yet."))
    first_section = questionnaire.sections.order_by("order").first()
    observation = Observation.objects.create(
        organisation_id=plan.organisation_id,
        hearing=hearing,
        observer=actor,
        questionnaire=questionnaire,
        current_section=first_section.code if first_section else "",
    )
    audit_record(
        actor=actor,
        action="monitoring.observation.started",
        organisation=plan.organisation_id,
        obj=observation,
        changes={"hearing": hearing.pk, "questionnaire": questionnaire.label},
    )
    return observation


def _clean_section_answers(
    observation: Observation, section: Section, raw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for the section's questions found in `raw` (None = cleared) and errors by question code."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in section.questions.all():
        if question.code not in raw:
            continue
        try:
            values[question.code] = clean_answer(question, raw[question.code])
        except AnswerError as exc:
            errors[question.code] = str(exc)
    return values, errors


def _merge(answers: dict[str, Any], values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    merged = dict(answers)
    changed: list[str] = []
    for code, value in values.items():
        if value is None:
            if code in merged:
                del merged[code]
                changed.append(code)
        elif merged.get(code) != value:
            merged[code] = value
            changed.append(code)
    return merged, sorted(changed)


def _require_observer(actor: Any, observation: Observation) -> None:
    if observation.observer_id != getattr(actor, "pk", None):
        raise _deny()


@transaction.atomic
def observation_save(
    *, actor: Any, observation: Observation, section: Section, answers: dict[str, Any], resume_at: str = ""
) -> dict[str, str]:
    """Save one section's answers of a draft (autosave); other sections stay as they were.

    Valid answers are saved even when others are not; returns the errors by question code.
    `resume_at` is the section the observer goes to next (where the page reopens).
    """
    _require_observer(actor, observation)
    if observation.is_submitted:
        raise ValidationError(_("This observation is submitted: change it through an amendment."))
    if section.questionnaire_id != observation.questionnaire_id:
        raise ValidationError(_("This section belongs to another version of the questionnaire."))
    values, errors = _clean_section_answers(observation, section, answers)
    merged, changed = _merge(observation.answers or {}, values)
    observation.answers = merged
    observation.current_section = resume_at or section.code
    observation.last_saved_at = timezone.now()
    observation.save()
    audit_record(
        actor=actor,
        action="monitoring.observation.saved",
        organisation=observation.organisation_id,
        obj=observation,
        changes={"section": section.code, "questions": changed},
    )
    return errors


def missing_required(observation: Observation) -> list[Question]:
    answers = observation.answers or {}
    return [
        q
        for q in observation.questionnaire.questions.filter(required=True).select_related("section")
        if answers.get(q.code) in (None, "")
    ]


@transaction.atomic
def observation_submit(*, actor: Any, observation: Observation) -> Observation:
    """Lock the observation; from now on it changes only through amendments. Written to the ledger."""
    _require_observer(actor, observation)
    if observation.is_submitted:
        return observation
    missing = missing_required(observation)
    if missing:
        raise ValidationError(
            _("Answer the required questions first: %(codes)s.") % {"codes": ", ".join(q.code for q in missing)}
        )
    observation.status = Observation.Status.SUBMITTED
    observation.submitted_at = timezone.now()
    observation.save()
    hearing = observation.hearing
    case = hearing.plan.proceeding.case
    audit_record(
        actor=actor,
        action="monitoring.observation.submitted",
        organisation=observation.organisation_id,
        obj=observation,
        changes={"hearing": hearing.pk, "answered": len(observation.answers or {})},
    )
    activity_record(
        actor=actor,
        organisation=case.organisation,
        kind=ActivityKind.HEARING_OBSERVED,
        occurred_on=timezone.localtime(hearing.actual_start or hearing.scheduled_start).date(),
        title=_("Hearing observed: %(reference)s") % {"reference": case.reference},
        source=observation,
        concerns=[case],
        sensitivity=case.sensitivity,
    )
    return observation


@transaction.atomic
def observation_amend(
    *, actor: Any, observation: Observation, section: Section, answers: dict[str, Any], reason: str
) -> ObservationAmendment | None:
    """Change a submitted observation: the old and new answers are kept (encrypted), with the reason."""
    _require_observer(actor, observation)
    if not observation.is_submitted:
        raise ValidationError(_("A draft is changed directly, not amended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you change a submitted observation.")})
    values, errors = _clean_section_answers(observation, section, answers)
    if errors:
        raise ValidationError(errors)
    before_answers = observation.answers or {}
    merged, changed = _merge(before_answers, values)
    if not changed:
        return None
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    observation.version += 1
    amendment = ObservationAmendment(
        observation=observation,
        version=observation.version,
        fields=changed,
        reason=reason.strip(),
        by=actor,
    )
    amendment.before = {code: before_answers.get(code) for code in changed}
    amendment.after = {code: merged.get(code) for code in changed}
    amendment.save()
    observation.answers = merged
    observation.last_saved_at = timezone.now()
    observation.save()
    audit_record(
        actor=actor,
        action="monitoring.observation.amended",
        organisation=observation.organisation_id,
        obj=observation,
        changes={"version": observation.version, "questions": changed, "reason": "given"},
    )
    return amendment


# ------------------------------------------------------------------ findings and grade


@transaction.atomic
def finding_confirm(
    *, actor: Any, plan: MonitoringPlan, provision: Provision, value: str, rationale: str = ""
) -> Finding:
    """An expert confirms (or changes) the finding on one guarantee; a change needs a rationale."""
    if not is_expert(actor, plan):
        raise _deny()
    if value not in FindingValue.values:
        raise ValidationError({"value": _("Choose a finding.")})
    from defensor.monitoring.selectors import findings_propose

    proposal = findings_propose(plan).get(provision.code)
    proposed_value = proposal.value if proposal else ""
    if value != proposed_value and not rationale.strip():
        raise ValidationError({"rationale": _("Explain why the finding differs from the proposal.")})
    finding = Finding.objects.filter(plan=plan, provision=provision).first() or Finding(
        organisation_id=plan.organisation_id, plan=plan, provision=provision
    )
    before = {"value": finding.confirmed_value} if finding.pk else {}
    finding.proposed_value = proposed_value
    finding.proposed_basis = [basis.as_dict() for basis in proposal.basis] if proposal else []
    finding.confirmed_value = value
    finding.rationale = rationale.strip()
    finding.confirmed_by = actor
    finding.confirmed_at = timezone.now()
    finding.full_clean(exclude=["plan", "organisation", "provision", "confirmed_by"])
    finding.save()
    audit_record(
        actor=actor,
        action="monitoring.finding.confirmed",
        organisation=plan.organisation_id,
        obj=finding,
        changes={
            "provision": provision.code,
            "proposed": proposed_value,
            "value": value,
            "rationale": "given" if rationale.strip() else "",
        }
        | ({"previous": before["value"]} if before else {}),
    )
    return finding


@transaction.atomic
def grade_set(
    *,
    actor: Any,
    plan: MonitoringPlan,
    grade: str,
    rationale: str,
    serious_violation: bool = False,
    affected_outcome: str = Tristate.UNKNOWN,
    significant_harm: str = Tristate.UNKNOWN,
) -> TrialGrade:
    """Grade the trial; the previous grades stay as its history."""
    if not is_expert(actor, plan):
        raise _deny()
    if not rationale.strip():
        raise ValidationError({"rationale": _("Explain the grade.")})
    row = TrialGrade(
        organisation_id=plan.organisation_id,
        plan=plan,
        grade=grade,
        serious_violation=serious_violation,
        affected_outcome=affected_outcome,
        significant_harm=significant_harm,
        rationale=rationale.strip(),
        grader=actor,
    )
    row.full_clean(exclude=["plan", "organisation", "grader"])
    row.save()
    audit_record(
        actor=actor,
        action="monitoring.grade.set",
        organisation=plan.organisation_id,
        obj=row,
        changes={
            "plan": plan.pk,
            "grade": grade,
            "serious_violation": serious_violation,
            "affected_outcome": affected_outcome,
            "significant_harm": significant_harm,
        },
    )
    return row


# ------------------------------------------------------------------ calendar feed


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Any) -> tuple[CalendarFeed, str]:
    """A new private feed; any earlier one stops working. The token is returned once, never stored."""
    calendar_feed_revoke(actor=actor)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token))
    audit_record(actor=actor, action="monitoring.calendar_feed.created", obj=feed, changes={})
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: Any) -> int:
    feeds = list(CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True))
    for feed in feeds:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="monitoring.calendar_feed.revoked", obj=feed, changes={})
    return len(feeds)


def calendar_feed_used(*, feed: CalendarFeed) -> None:
    """Note when a calendar last fetched the feed (at most once a minute, to spare writes)."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > datetime.timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
