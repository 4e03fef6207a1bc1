"""Forms of the trial report. They parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from defensor.directory.models import Institution
from defensor.recommendations.models import Priority


class GenerateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)
    overwrite = forms.BooleanField(
        label=_("Replace the texts edited by hand with newly generated ones"),
        required=False,
        help_text=_("Left unticked, every section someone edited keeps its text."),
    )


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("A blank line starts a new paragraph."),
        error_messages={"required": _("Write the text of the section (it cannot be empty).")},
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the recommendation.")},
    )
    addressee = forms.ModelChoiceField(
        label=_("Addressed to"),
        queryset=Institution.objects.none(),
        error_messages={"required": _("Choose the institution it is addressed to.")},
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM)
    due_on = forms.DateField(
        label=_("First response due"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if there is none."),
        error_messages={"invalid": _("Enter a date as year-month-day, for example 2025-03-14.")},
    )

    def __init__(self, *args: Any, addressees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["addressee"]).queryset = addressees


class PublishForm(forms.Form):
    dated = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=DateInput(),
        help_text=_("Today when left empty. The recommendations are dated the same day."),
        error_messages={"invalid": _("Enter a date as year-month-day, for example 2025-03-14.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the report withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the report is withdrawn.")},
    )
