"""Forms of recommendations and follow-ups. They parse input only; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from defensor.cases.forms import DateInput, ProvisionChoiceField, UserChoiceField, members_of
from defensor.cases.models import Case
from defensor.core.iso import country_choices, country_name
from defensor.core.models import Activity, Sensitivity
from defensor.directory.models import Institution
from defensor.recommendations.models import ActionKind, ImplementationStatus, Priority
from defensor.standards.models import Provision

# The interventions a follow-up can link to: the latest ones in the ledger.
LINKABLE_ACTIVITIES = 100


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class InstitutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.country})" if obj.country else obj.display_name


class CaseChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {str(obj.title)[:60]}"


class ActivityChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.occurred_on:%Y-%m-%d} · {obj.get_kind_display()} · {str(obj.title)[:70]}"


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As worded in the report or opinion."),
    )
    addressee = InstitutionChoiceField(
        label=_("Addressed to"), queryset=None, help_text=_("An institution of the directory.")
    )
    country = forms.ChoiceField(label=_("Country concerned"), required=False)
    case = CaseChoiceField(label=_("Case"), queryset=None, required=False)
    provisions = ProvisionChoiceField(
        label=_("Provisions"),
        queryset=Provision.objects.filter(active=True)
        .select_related("instrument")
        .order_by("instrument__code", "order"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM)
    made_on = forms.DateField(label=_("Made on"), widget=DateInput(), help_text=_("The date of the report or opinion."))
    due_on = forms.DateField(
        label=_("First response due"),
        widget=DateInput(),
        required=False,
        help_text=_("The owner is reminded 30 days before, and when it has passed without a follow-up."),
    )
    owner = UserChoiceField(label=_("Owner"), queryset=None, required=False)
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"),
        choices=Sensitivity.choices,
        initial=Sensitivity.INTERNAL,
        help_text=_("Confidential and secret ones are visible only to those who may see confidential records."),
    )

    def __init__(self, *args: Any, organisation: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["addressee"].queryset = Institution.objects.visible_to(user, organisation=organisation).order_by(
            "name_latin", "name"
        )
        fields["country"].choices = _blank(country_choices(), _("The addressee's country"))
        fields["case"].queryset = Case.objects.visible_to(user, organisation=organisation).order_by("-opened_on")
        fields["owner"].queryset = members_of(organisation)


class FollowUpForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    action = forms.ChoiceField(label=_("What was done"), choices=ActionKind.choices)
    implementation_status = forms.ChoiceField(
        label=_("Implementation status on that date"), choices=ImplementationStatus.choices
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Stored encrypted."),
    )
    activity = ActivityChoiceField(
        label=_("Recorded in Defensor as"),
        queryset=None,
        required=False,
        help_text=_("A letter, a statement or a submission already in the activity ledger."),
    )
    external_url = forms.URLField(
        label=_("Or a link to a web page"), required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args: Any, recommendation: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activities = Activity.objects.visible_to(user, organisation=recommendation.organisation_id)
        activity: Any = self.fields["activity"]
        activity.queryset = Activity.objects.filter(
            pk__in=list(activities.order_by("-occurred_on", "-id").values_list("pk", flat=True)[:LINKABLE_ACTIVITIES])
        ).order_by("-occurred_on", "-id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("activity") and data.get("external_url"):
            self.add_error("external_url", _("Link either a record in Defensor or a web page, not both."))
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "occurred_on": data["occurred_on"],
            "action": data["action"],
            "implementation_status": data["implementation_status"],
            "description": data["description"],
            "link": data.get("activity"),
            "external_url": data["external_url"],
        }


class BoardFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    addressee = forms.TypedChoiceField(label=_("Addressee"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(ImplementationStatus.choices, _("Any"))
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=_blank(Priority.choices, _("Any")))
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(
        self, *args: Any, organisation: Any, countries: list[str], addressees: list[Institution], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["country"].choices = _blank(
            sorted(((code, country_name(code)) for code in countries), key=lambda c: c[1]), _("Any")
        )
        fields["addressee"].choices = _blank([(str(i.pk), i.display_name) for i in addressees], _("Any"))
        owners = [(str(u.pk), u.full_name or u.email) for u in members_of(organisation)]
        fields["owner"].choices = _blank(owners, _("Anyone"))
