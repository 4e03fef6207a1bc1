"""The observer's side, made for a phone: my hearings, the questionnaire one section at a time
with autosave, submission, amendments; and the read-only view for plan staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import organisation_required
from defensor.monitoring import selectors, services
from defensor.monitoring.access import active_assignment
from defensor.monitoring.answers import display_answer
from defensor.monitoring.forms import AmendmentReasonForm
from defensor.monitoring.models import Observation, ObserverAssignment, Question, Section

FIELD_PREFIX = "q-"


@dataclass
class QuestionRow:
    question: Question
    value: Any
    error: str = ""

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.question.code

    @property
    def field_id(self) -> str:
        return "q-" + self.question.code.replace(".", "-")

    @property
    def display(self) -> str:
        return display_answer(self.question, self.value)


def _sections(observation: Observation) -> list[Section]:
    return list(observation.questionnaire.sections.order_by("order").prefetch_related("questions"))


def _section(observation: Observation, code: str) -> Section:
    section = observation.questionnaire.sections.filter(code=code).prefetch_related("questions__provisions").first()
    if section is None:
        raise Http404
    return section


def _posted_answers(request: HttpRequest, section: Section) -> dict[str, Any]:
    return {
        q.code: request.POST.get(FIELD_PREFIX + q.code)
        for q in section.questions.all()
        if FIELD_PREFIX + q.code in request.POST
    }


def _rows(section: Section, values: dict[str, Any], errors: dict[str, str] | None = None) -> list[QuestionRow]:
    errors = errors or {}
    return [QuestionRow(q, values.get(q.code), errors.get(q.code, "")) for q in section.questions.all()]


def _section_context(
    observation: Observation, section: Section, values: dict[str, Any], errors: dict[str, str] | None = None
) -> dict[str, Any]:
    sections = _sections(observation)
    codes = [s.code for s in sections]
    index = codes.index(section.code)
    answers = observation.answers or {}
    rows = _rows(section, values, errors)
    return {
        "observation": observation,
        "hearing": observation.hearing,
        "case": observation.hearing.plan.proceeding.case,
        "section": section,
        "index": [
            {
                "section": s,
                "answered": sum(1 for q in s.questions.all() if q.code in answers),
                "total": len(s.questions.all()),
            }
            for s in sections
        ],
        "previous": codes[index - 1] if index > 0 else "",
        "next": codes[index + 1] if index + 1 < len(codes) else "",
        "facts": [row for row in rows if row.question.part == "fact"],
        "assessment": [row for row in rows if row.question.part == "assessment"],
        "errors": errors or {},
    }


@organisation_required
def my_hearings(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/my_hearings.html", {"assignments": selectors.my_assignments(user=request.user)})


@require_POST
@organisation_required
def observation_start(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = selectors.hearing_get(user=request.user, pk=pk)
    assignment = active_assignment(request.user, hearing.plan, ObserverAssignment.Role.OBSERVER)
    if assignment is None or not assignment.covers(hearing):
        raise Http404
    try:
        observation = services.observation_start(actor=request.user, hearing=hearing)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitoring:my")
    return redirect("monitoring:observation", pk=observation.pk)


@organisation_required
def observation_resume(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if observation.is_submitted:
        return redirect("monitoring:observation_read", pk=pk)
    first = observation.questionnaire.sections.order_by("order").first()
    code = observation.current_section or (first.code if first else "")
    if not code:
        raise Http404
    return redirect("monitoring:observation_section", pk=pk, section=code)


@organisation_required
def observation_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if observation.is_submitted:
        return redirect("monitoring:observation_read", pk=pk)
    current = _section(observation, section)
    if request.method == "POST":
        raw = _posted_answers(request, current)
        target = request.POST.get("goto", "") or current.code
        codes = [s.code for s in _sections(observation)]
        resume = target if target in codes else current.code
        errors = services.observation_save(
            actor=request.user, observation=observation, section=current, answers=raw, resume_at=resume
        )
        if errors:
            values = (observation.answers or {}) | {code: raw.get(code, "") for code in errors}
            context = _section_context(observation, current, values, errors)
            return render(request, "monitoring/observation_section.html", context)
        if target == "submit":
            return redirect("monitoring:observation_submit", pk=pk)
        return redirect("monitoring:observation_section", pk=pk, section=resume)
    context = _section_context(observation, current, observation.answers or {})
    return render(request, "monitoring/observation_section.html", context)


@require_POST
@organisation_required
def observation_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave of one section (htmx): answers a small status text, never the answers."""
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if observation.is_submitted:
        return render(request, "monitoring/_save_status.html", {"locked": True}, status=409)
    current = _section(observation, request.POST.get("section", ""))
    errors = services.observation_save(
        actor=request.user, observation=observation, section=current, answers=_posted_answers(request, current)
    )
    questions = {q.code: q for q in current.questions.all()}
    problems = [(questions[code], message) for code, message in errors.items()]
    response = render(request, "monitoring/_save_status.html", {"observation": observation, "problems": problems})
    response["X-Saved-At"] = observation.last_saved_at.isoformat() if observation.last_saved_at else ""
    return response


@organisation_required
def observation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if observation.is_submitted:
        return redirect("monitoring:observation_read", pk=pk)
    if request.method == "POST":
        try:
            services.observation_submit(actor=request.user, observation=observation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Observation submitted. Thank you."))
            return redirect("monitoring:observation_read", pk=pk)
    context = {
        "observation": observation,
        "hearing": observation.hearing,
        "case": observation.hearing.plan.proceeding.case,
        "missing": services.missing_required(observation),
        "answered": len(observation.answers or {}),
        "total": observation.questionnaire.questions.count(),
    }
    return render(request, "monitoring/observation_submit.html", context)


@organisation_required
def observation_read(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_reader(user=request.user, pk=pk)
    answers = observation.answers or {}
    sections = []
    for section in _sections(observation):
        rows = _rows(section, answers)
        sections.append(
            {
                "section": section,
                "facts": [r for r in rows if r.question.part == "fact" and r.value not in (None, "")],
                "assessment": [r for r in rows if r.question.part == "assessment" and r.value not in (None, "")],
            }
        )
    questions = selectors.questionnaire_questions(observation.questionnaire)
    amendments = []
    for amendment in observation.amendments.select_related("by"):
        changes = [
            (
                questions.get(code),
                code,
                display_answer(questions[code], amendment.before.get(code)) if code in questions else "",
                display_answer(questions[code], amendment.after.get(code)) if code in questions else "",
            )
            for code in amendment.fields
        ]
        amendments.append({"amendment": amendment, "changes": changes})
    context = {
        "observation": observation,
        "hearing": observation.hearing,
        "plan": observation.hearing.plan,
        "case": observation.hearing.plan.proceeding.case,
        "sections": sections,
        "amendments": amendments,
        "is_observer": observation.observer_id == request.user.pk,
    }
    return render(request, "monitoring/observation_read.html", context)


@organisation_required
def observation_amend(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    observation = selectors.observation_for_observer(user=request.user, pk=pk)
    if not observation.is_submitted:
        return redirect("monitoring:observation_section", pk=pk, section=section)
    current = _section(observation, section)
    form = AmendmentReasonForm(request.POST or None)
    values = observation.answers or {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = _posted_answers(request, current)
        values = values | raw
        if form.is_valid():
            try:
                amendment = services.observation_amend(
                    actor=request.user,
                    observation=observation,
                    section=current,
                    answers=raw,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    errors = {k: " ".join(v) for k, v in exc.message_dict.items() if k != "reason"}
                    if "reason" in exc.message_dict:
                        form.add_error("reason", exc.message_dict["reason"])
                else:
                    form.add_error(None, exc.messages)
            except PermissionDenied:
                raise
            else:
                if amendment is None:
                    messages.info(request, _("Nothing was changed."))
                else:
                    messages.success(request, _("Amendment recorded (version %(v)s).") % {"v": amendment.version})
                return redirect("monitoring:observation_read", pk=pk)
    context = _section_context(observation, current, values, errors) | {"form": form, "amending": True}
    return render(request, "monitoring/observation_amend.html", context)
