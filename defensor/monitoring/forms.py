"""Forms of trial monitoring. They parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defensor.accounts.models import Membership, User
from defensor.cases.models import CaseShare
from defensor.directory.models import Institution, InstitutionKind, Person
from defensor.directory.selectors import institution_choices, person_choices
from defensor.monitoring.models import (
    AnswerType,
    FindingValue,
    Hearing,
    MonitoringPlan,
    ObserverAssignment,
    Part,
    Question,
    SelectionCriterion,
    TrialGrade,
    Tristate,
)
from defensor.standards.models import Provision


def _choices_of(form: forms.Form, name: str, queryset: Any) -> None:
    cast(Any, form.fields[name]).queryset = queryset


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label: Any, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class PlanForm(forms.Form):
    selection_criteria = forms.MultipleChoiceField(
        label=_("Why this trial"),
        choices=SelectionCriterion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    selection_note = forms.CharField(
        label=_("Why this trial, in your words"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"), queryset=Institution.objects.none(), required=False
    )
    partners_note = forms.CharField(
        label=_("Other partners"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Partners not in the directory, one per line."),
    )

    def __init__(self, *args: Any, organisation: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_of(
            self,
            "partners",
            institution_choices(user=user, organisation=organisation, kind=InstitutionKind.PARTNER_NGO),
        )


class PlanCreateForm(PlanForm):
    proceeding = forms.TypedChoiceField(label=_("Proceeding"), coerce=int)

    field_order = ["proceeding"]

    def __init__(self, *args: Any, proceedings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proceedings = {p.pk: p for p in proceedings}
        cast(Any, self.fields["proceeding"]).choices = [("", "—")] + [
            (p.pk, f"{p.case.reference} · {p}") for p in proceedings
        ]

    def clean_proceeding(self) -> Any:
        return self.proceedings[self.cleaned_data["proceeding"]]


class PlanEditForm(PlanForm):
    status = forms.ChoiceField(label=_("Status"), choices=MonitoringPlan.Status.choices)
    accreditation = forms.ChoiceField(label=_("Accreditation"), choices=MonitoringPlan.Accreditation.choices)
    accreditation_note = forms.CharField(
        label=_("Accreditation notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    notify_court = forms.ModelChoiceField(
        label=_("Court to notify"), queryset=Institution.objects.none(), required=False
    )
    notify_ministry = forms.ModelChoiceField(
        label=_("Ministry to notify"), queryset=Institution.objects.none(), required=False
    )
    notification_language = forms.ChoiceField(label=_("Language of the notification"), choices=settings.LANGUAGES)

    field_order = ["status"]

    def __init__(self, *args: Any, organisation: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, user=user, **kwargs)
        _choices_of(
            self, "notify_court", institution_choices(user=user, organisation=organisation, kind=InstitutionKind.COURT)
        )
        _choices_of(
            self,
            "notify_ministry",
            institution_choices(user=user, organisation=organisation, kind=InstitutionKind.MINISTRY),
        )


class NotificationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    text = forms.CharField(label=_("Letter"), widget=forms.Textarea(attrs={"rows": 18}))
    sent_on = forms.DateField(
        label=_("Sent on"),
        widget=DateInput(),
        required=False,
        help_text=_("Fill in the date only when the letter has been sent."),
    )


class HearingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Hearing.Kind.choices)
    scheduled_start = _datetime_field(_("Scheduled start"), required=True)
    actual_start = _datetime_field(_("Actual start"))
    actual_end = _datetime_field(_("Actual end"))
    court = forms.ModelChoiceField(label=_("Court"), queryset=Institution.objects.none(), required=False)
    courtroom = forms.CharField(label=_("Courtroom"), max_length=100, required=False)
    bench = forms.ModelMultipleChoiceField(label=_("Bench"), queryset=Person.objects.none(), required=False)
    prosecutor = forms.ModelChoiceField(label=_("Prosecutor"), queryset=Person.objects.none(), required=False)
    defence_counsel = forms.ModelMultipleChoiceField(
        label=_("Defence counsel"), queryset=Person.objects.none(), required=False
    )
    adjourned = forms.BooleanField(label=_("Adjourned"), required=False)
    adjournment_reason = forms.ChoiceField(
        label=_("Reason for the adjournment"),
        choices=[("", "—"), *Hearing.AdjournmentReason.choices],
        required=False,
    )
    adjournment_note = forms.CharField(label=_("Adjournment details"), max_length=300, required=False)
    next_date = forms.DateField(label=_("Next date"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, organisation: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = person_choices(user=user, organisation=organisation).order_by("name_latin", "name")
        for name in ("bench", "prosecutor", "defence_counsel"):
            _choices_of(self, name, people)
        _choices_of(
            self, "court", institution_choices(user=user, organisation=organisation, kind=InstitutionKind.COURT)
        )

    @staticmethod
    def initial_for(hearing: Hearing) -> dict[str, Any]:
        def local(value: datetime.datetime | None) -> Any:
            return timezone.localtime(value) if value else None

        return {
            "kind": hearing.kind,
            "scheduled_start": local(hearing.scheduled_start),
            "actual_start": local(hearing.actual_start),
            "actual_end": local(hearing.actual_end),
            "court": hearing.court_id,
            "courtroom": hearing.courtroom,
            "bench": list(hearing.bench.all()),
            "prosecutor": hearing.prosecutor_id,
            "defence_counsel": list(hearing.defence_counsel.all()),
            "adjourned": hearing.adjourned,
            "adjournment_reason": hearing.adjournment_reason,
            "adjournment_note": hearing.adjournment_note,
            "next_date": hearing.next_date,
        }


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ObserverAssignment.Role.choices)
    hearings = forms.ModelMultipleChoiceField(
        label=_("Hearings"),
        queryset=Hearing.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to assign every hearing of the plan, present and future."),
    )

    def __init__(self, *args: Any, plan: MonitoringPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = plan.proceeding.case
        partner_ids = CaseShare.objects.filter(case=case, revoked_at__isnull=True).values("partner_id")
        members = Membership.objects.filter(status=Membership.Status.ACTIVE).filter(
            organisation_id=case.organisation_id
        ) | Membership.objects.filter(status=Membership.Status.ACTIVE, organisation_id__in=partner_ids)
        _choices_of(
            self,
            "user",
            User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name", "email"),
        )
        cast(Any, self.fields["user"]).label_from_instance = lambda u: f"{u.get_full_name()} <{u.email}>"
        _choices_of(self, "hearings", plan.hearings.order_by("scheduled_start"))


class QuestionnaireNewForm(forms.Form):
    label = forms.CharField(label=_("Label of the new version"), max_length=40)


class QuestionnaireLoadForm(forms.Form):
    file = forms.FileField(label=_("Questionnaire file (TOML)"))
    label = forms.CharField(
        label=_("Label"), max_length=40, required=False, help_text=_("Leave empty to use the label in the file.")
    )


class ChoicesField(forms.CharField):
    """Choices typed one per line as `code | English | Russian`."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{c['code']} | {c.get('en', '')} | {c.get('ru', '')}" for c in value)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        choices = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not all(parts):
                raise forms.ValidationError(
                    _("Line %(n)s: write code | English | Russian."), params={"n": number}, code="choice_line"
                )
            choices.append({"code": parts[0], "en": parts[1], "ru": parts[2]})
        return choices


class QuestionForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Z]\.[a-z][a-z0-9_]*$",
        max_length=80,
        help_text=_("The section letter, a dot and a lowercase name: it never changes once published."),
        error_messages={"invalid": _("Write the section letter, a dot and a lowercase name, e.g. C.hearing_public.")},
    )
    text_en = forms.CharField(label=_("Question (English)"), max_length=400)
    text_ru = forms.CharField(label=_("Question (Russian)"), max_length=400)
    help_en = forms.CharField(label=_("Help (English)"), max_length=400, required=False)
    help_ru = forms.CharField(label=_("Help (Russian)"), max_length=400, required=False)
    answer_type = forms.ChoiceField(label=_("Answer type"), choices=AnswerType.choices)
    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice question: one per line, code | English | Russian."),
    )
    part = forms.ChoiceField(label=_("Part"), choices=Part.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    provisions = forms.ModelMultipleChoiceField(
        label=_("Guarantees"), queryset=Provision.objects.filter(active=True).order_by("code"), required=False
    )

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(question, name) for name in ("code", "text_en", "text_ru")}
        initial |= {name: getattr(question, name) for name in ("help_en", "help_ru", "answer_type", "part")}
        initial |= {"choices": question.choices, "required": question.required}
        initial["provisions"] = list(question.provisions.all())
        return initial


class FindingForm(forms.Form):
    provision = forms.CharField(widget=forms.HiddenInput)
    value = forms.ChoiceField(label=_("Finding"), choices=FindingValue.choices)
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you change the proposed finding."),
    )


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=TrialGrade.Grade.choices)
    serious_violation = forms.BooleanField(label=_("A serious violation was found"), required=False)
    affected_outcome = forms.ChoiceField(label=_("The violations affected the outcome"), choices=Tristate.choices)
    significant_harm = forms.ChoiceField(
        label=_("The violations resulted in significant harm"), choices=Tristate.choices
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4}))


class AmendmentReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you change the submitted observation?"), widget=forms.Textarea(attrs={"rows": 3})
    )
