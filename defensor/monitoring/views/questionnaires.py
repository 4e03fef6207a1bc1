"""Versions of the observation questionnaire: read them, draft a new one, load one from a file,
edit a draft's questions, publish (which freezes it) and retire."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import capability_required, organisation_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability, has_capability
from defensor.monitoring import selectors, services
from defensor.monitoring.forms import QuestionForm, QuestionnaireLoadForm, QuestionnaireNewForm
from defensor.monitoring.models import Question, Questionnaire, QuestionnaireFrozen


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _own_draft(request: HttpRequest, questionnaire: Questionnaire) -> None:
    if questionnaire.organisation_id != _organisation(request).pk or not has_capability(
        request.user, questionnaire.organisation_id, Capability.EDIT
    ):
        raise PermissionDenied
    if not questionnaire.is_draft:
        raise PermissionDenied(_("A published version never changes."))


@organisation_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    context = {
        "questionnaires": selectors.questionnaire_list(organisation=organisation),
        "in_use": services.latest_published(organisation),
        "can_edit": has_capability(request.user, organisation.pk, Capability.EDIT),
        "new_form": QuestionnaireNewForm(),
    }
    return render(request, "monitoring/questionnaire_list.html", context)


@organisation_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    questionnaire = selectors.questionnaire_get(organisation=organisation, pk=pk)
    sections = questionnaire.sections.order_by("order").prefetch_related("questions__provisions")
    own = questionnaire.organisation_id == organisation.pk
    context = {
        "questionnaire": questionnaire,
        "sections": sections,
        "can_edit": own and questionnaire.is_draft and has_capability(request.user, organisation.pk, Capability.EDIT),
        "can_publish": own and has_capability(request.user, organisation.pk, Capability.PUBLISH),
    }
    return render(request, "monitoring/questionnaire_detail.html", context)


@require_POST
@capability_required(Capability.EDIT)
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireNewForm(request.POST)
    if form.is_valid():
        try:
            draft = services.questionnaire_draft_new(
                actor=request.user, organisation=_organisation(request), label=form.cleaned_data["label"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Draft %(label)s created.") % {"label": draft.label})
            return redirect("monitoring:questionnaire", pk=draft.pk)
    else:
        messages.error(request, _("Give the new version a label."))
    return redirect("monitoring:questionnaires")


@capability_required(Capability.EDIT)
def questionnaire_load(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireLoadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft = services.questionnaire_load(
                actor=request.user,
                content=upload.read(),
                source=upload.name,
                organisation=_organisation(request),
                label=form.cleaned_data["label"] or None,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                problems = exc.messages
        else:
            messages.success(request, _("Draft %(label)s loaded.") % {"label": draft.label})
            return redirect("monitoring:questionnaire", pk=draft.pk)
    return render(request, "monitoring/questionnaire_load.html", {"form": form, "problems": problems})


@require_POST
@organisation_required
def questionnaire_publish(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get(organisation=_organisation(request), pk=pk)
    try:
        services.questionnaire_publish(actor=request.user, questionnaire=questionnaire)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(label)s published.") % {"label": questionnaire.label})
    return redirect("monitoring:questionnaire", pk=pk)


@require_POST
@organisation_required
def questionnaire_retire(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get(organisation=_organisation(request), pk=pk)
    try:
        services.questionnaire_retire(actor=request.user, questionnaire=questionnaire)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(label)s retired.") % {"label": questionnaire.label})
    return redirect("monitoring:questionnaire", pk=pk)


def _question_values(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    values = dict(data)
    provisions = values.pop("provisions")
    return values, provisions


@organisation_required
def question_add(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get(organisation=_organisation(request), pk=pk)
    _own_draft(request, questionnaire)
    section = get_object_or_404(questionnaire.sections, pk=section_pk)
    form = QuestionForm(request.POST or None, initial={"code": f"{section.code}."})
    if request.method == "POST" and form.is_valid():
        values, provisions = _question_values(form.cleaned_data)
        try:
            services.question_save(actor=request.user, section=section, provisions=provisions, **values)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("monitoring:questionnaire", pk=pk)
    context = {"form": form, "questionnaire": questionnaire, "section": section, "question": None}
    return render(request, "monitoring/question_form.html", context)


def _draft_question(request: HttpRequest, pk: int) -> Question:
    organisation = _organisation(request)
    questionnaires = selectors.questionnaire_list(organisation=organisation)
    question = get_object_or_404(
        Question.objects.select_related("section", "questionnaire"), pk=pk, questionnaire__in=questionnaires
    )
    _own_draft(request, question.questionnaire)
    return question


@organisation_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _draft_question(request, pk)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        values, provisions = _question_values(form.cleaned_data)
        try:
            services.question_save(
                actor=request.user, section=question.section, question=question, provisions=provisions, **values
            )
        except (ValidationError, QuestionnaireFrozen) as exc:
            if isinstance(exc, ValidationError):
                apply_validation_error(form, exc)
            else:
                form.add_error(None, _("A published version never changes."))
        else:
            messages.success(request, _("Question saved."))
            return redirect("monitoring:questionnaire", pk=question.questionnaire_id)
    context = {
        "form": form,
        "questionnaire": question.questionnaire,
        "section": question.section,
        "question": question,
    }
    return render(request, "monitoring/question_form.html", context)


@require_POST
@organisation_required
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _draft_question(request, pk)
    questionnaire_id = question.questionnaire_id
    services.question_delete(actor=request.user, question=question)
    messages.success(request, _("Question removed from the draft."))
    return redirect("monitoring:questionnaire", pk=questionnaire_id)
