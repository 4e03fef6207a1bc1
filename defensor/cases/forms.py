"""Forms of the dossier. They parse input only; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from defensor.accounts.models import Membership, Organisation
from defensor.cases.models import Case, CaseSubject, DatePrecision, Document, Event, Perpetrator, Proceeding, Programme
from defensor.core.iso import country_choices, language_choices
from defensor.core.models import Sensitivity
from defensor.directory.models import Institution, Person
from defensor.standards.models import Provision, Term


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _field(form: forms.Form, name: str) -> Any:
    """A form field with the attributes its class has (queryset, choices), for setting them per request."""
    return form.fields[name]


def members_who_edit(organisation: Organisation) -> Any:
    from defensor.accounts.models import User

    return User.objects.filter(
        memberships__organisation=organisation,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role__can_edit=True,
    ).order_by("full_name", "email")


def members_of(organisation: Organisation) -> Any:
    from defensor.accounts.models import User

    return User.objects.filter(
        memberships__organisation=organisation, memberships__status=Membership.Status.ACTIVE
    ).order_by("full_name", "email")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


class TermChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        depth = obj.code.count(".") - 1 if obj.parent_id else 0
        return ("· " * max(depth, 0)) + obj.label + (" ⚠" if obj.to_verify else "")


class ProvisionChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.title}"


def terms_of(vocabulary: str) -> Any:
    return Term.objects.filter(vocabulary__code=vocabulary, active=True).order_by("order", "code")


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    country = forms.ChoiceField(label=_("Country"))
    status = forms.ChoiceField(label=_("Handling status"), choices=Case.Status.choices)
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"),
        choices=Sensitivity.choices,
        initial=Sensitivity.INTERNAL,
        help_text=_("Confidential and secret cases are visible only to the people on their access list."),
    )
    lead = UserChoiceField(label=_("Lead"), queryset=None)
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), required=False)
    programmes = forms.MultipleChoiceField(
        label=_("Programmes"), choices=Programme.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "country").choices = _blank(country_choices())
        _field(self, "lead").queryset = members_who_edit(organisation)

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class CaseOpenForm(CaseForm):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=Case.Risk.choices, initial=Case.Risk.UNKNOWN)
    risk_reason = forms.CharField(label=_("Why this risk level"), required=False, max_length=1000)
    subject = forms.ModelChoiceField(label=_("Person at risk"), queryset=Person.objects.none(), required=False)
    subject_role = forms.ChoiceField(
        label=_("Their role"), choices=CaseSubject.Role.choices, initial=CaseSubject.Role.LAWYER_AT_RISK
    )

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields.pop("closed_on")
        _field(self, "subject").queryset = Person.objects.visible_to(user, organisation=organisation).order_by(
            "name_latin", "name"
        )


class EventForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Event.Category.choices)
    event_type = TermChoiceField(label=_("Type"), queryset=None, required=False)
    title = forms.CharField(label=_("What happened"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    precision = forms.ChoiceField(
        label=_("Precision of the date"),
        choices=DatePrecision.choices,
        initial="day",
    )
    approximate = forms.BooleanField(label=_("The date is approximate"), required=False)
    ended_on = forms.DateField(label=_("Until"), widget=DateInput(), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    verification = forms.ChoiceField(label=_("Verification"), choices=Event.Verification.choices)
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)
    provisions = ProvisionChoiceField(
        label=_("Provisions engaged"),
        queryset=Provision.objects.filter(active=True)
        .select_related("instrument")
        .order_by("instrument__code", "order"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    perpetrator_institution = forms.ModelChoiceField(
        label=_("Perpetrator: institution"), queryset=Institution.objects.none(), required=False
    )
    perpetrator_person = forms.ModelChoiceField(
        label=_("Perpetrator: person"), queryset=Person.objects.none(), required=False
    )
    perpetrator_type = TermChoiceField(label=_("Perpetrator type"), queryset=None, required=False)
    involvement = forms.ChoiceField(
        label=_("Degree of involvement"), choices=Perpetrator.Involvement.choices, required=False
    )
    source_description = forms.CharField(label=_("Source"), max_length=500, required=False)
    source_reliability = TermChoiceField(label=_("Reliability of the source"), queryset=None, required=False)
    source_anonymous = forms.BooleanField(label=_("The source asked not to be named"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "event_type").queryset = Term.objects.filter(
            vocabulary__code__in=("reprisal_type", "proceeding_stage"), active=True
        ).order_by("vocabulary__order", "order", "code")
        _field(self, "perpetrator_type").queryset = terms_of("perpetrator_type")
        _field(self, "source_reliability").queryset = terms_of("source_reliability")
        _field(self, "perpetrator_institution").queryset = Institution.objects.visible_to(
            user, organisation=organisation
        ).order_by("name")
        _field(self, "perpetrator_person").queryset = Person.objects.visible_to(
            user, organisation=organisation
        ).order_by("name_latin", "name")
        _field(self, "country").choices = _blank(country_choices(), str(_("Same as the case")))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        perpetrators = []
        if data.get("perpetrator_institution") or data.get("perpetrator_person") or data.get("perpetrator_type"):
            perpetrators.append(
                {
                    "institution": data.get("perpetrator_institution"),
                    "person": data.get("perpetrator_person"),
                    "perpetrator_type": data.get("perpetrator_type"),
                    "involvement": data.get("involvement") or Perpetrator.Involvement.CARRIED_OUT,
                }
            )
        sources = []
        if data.get("source_description") or data.get("source_reliability"):
            sources.append(
                {
                    "description": data.get("source_description", ""),
                    "reliability": data.get("source_reliability"),
                    "anonymous": bool(data.get("source_anonymous")),
                }
            )
        return {
            "category": data["category"],
            "event_type": data.get("event_type"),
            "title": data["title"],
            "description": data.get("description", ""),
            "occurred_on": data["occurred_on"],
            "precision": data["precision"],
            "approximate": data.get("approximate", False),
            "ended_on": data.get("ended_on"),
            "place": data.get("place", ""),
            "country": data.get("country", ""),
            "verification": data["verification"],
            "sensitivity": data["sensitivity"],
            "provisions": list(data.get("provisions") or []),
            "perpetrators": perpetrators,
            "sources": sources,
        }


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.OTHER)
    language = forms.ChoiceField(label=_("Language"), required=False)
    document_date = forms.DateField(label=_("Date of the document"), widget=DateInput(), required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "language").choices = _blank(language_choices())


class AccessGrantForm(forms.Form):
    user = UserChoiceField(label=_("Member"), queryset=None)
    can_edit = forms.BooleanField(label=_("May edit the case"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "user").queryset = members_of(organisation)


class ShareForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=Organisation.objects.none())
    consent = forms.ModelChoiceField(label=_("Consent it relies on"), queryset=Person.objects.none(), required=False)
    override_reason = forms.CharField(
        label=_("Or: why share without recorded consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    can_edit = forms.BooleanField(label=_("The partner may edit"), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from defensor.directory.models import Consent

        _field(self, "partner").queryset = Organisation.objects.exclude(pk=case.organisation_id).order_by("name")
        _field(self, "consent").queryset = Consent.objects.filter(
            person__case_roles__case=case, scope="share_with_partner", withdrawn_on__isnull=True
        ).distinct()


class RiskForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=Case.Risk.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SubjectForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CaseSubject.Role.choices)

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "person").queryset = Person.objects.visible_to(user, organisation=organisation).order_by(
            "name_latin", "name"
        )


class ProceedingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Proceeding.Kind.choices)
    body = forms.ModelChoiceField(label=_("Court or body"), queryset=Institution.objects.none(), required=False)
    case_number = forms.CharField(label=_("Case number"), max_length=100, required=False)
    stage = TermChoiceField(label=_("Stage"), queryset=None, required=False)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput(), required=False)
    next_hearing_on = forms.DateField(label=_("Next hearing"), widget=DateInput(), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Proceeding.Outcome.choices)
    sentence = forms.CharField(label=_("Sentence"), max_length=300, required=False)
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput(), required=False)
    prosecutor = forms.ModelChoiceField(label=_("Prosecutor"), queryset=Person.objects.none(), required=False)
    judges = forms.ModelMultipleChoiceField(label=_("Judges"), queryset=Person.objects.none(), required=False)
    defence_counsel = forms.ModelMultipleChoiceField(
        label=_("Defence counsel"), queryset=Person.objects.none(), required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(user, organisation=organisation).order_by("name_latin", "name")
        _field(self, "body").queryset = Institution.objects.visible_to(user, organisation=organisation).order_by("name")
        _field(self, "stage").queryset = terms_of("proceeding_stage")
        for name in ("prosecutor", "judges", "defence_counsel"):
            _field(self, name).queryset = people


class ChargeForm(forms.Form):
    article = forms.CharField(label=_("Article of the code"), max_length=100)
    text = forms.CharField(label=_("Text of the article"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    max_penalty = forms.CharField(label=_("Maximum penalty"), max_length=200, required=False)


class CaseFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False, choices=_blank(Case.Risk.choices, "—"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Case.Status.choices, "—"))
    reprisal = forms.ChoiceField(label=_("Reprisal type"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False, choices=_blank(Programme.choices, "—"))
    lead = forms.TypedChoiceField(label=_("Lead"), required=False, coerce=int, empty_value=None)
    open_only = forms.BooleanField(label=_("Open cases only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("opened", _("Newest first")),
            ("-opened", _("Oldest first")),
            ("risk", _("Highest risk first")),
            ("country", _("Country")),
            ("reference", _("Reference")),
            ("updated", _("Recently changed")),
        ],
    )

    def __init__(self, *args: Any, organisation: Organisation, countries: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from defensor.core.iso import country_name

        _field(self, "country").choices = _blank(sorted(((c, country_name(c)) for c in countries), key=lambda p: p[1]))
        _field(self, "reprisal").choices = _blank(
            [(t.code, ("· " if t.parent_id else "") + t.label) for t in terms_of("reprisal_type")]
        )
        _field(self, "lead").choices = _blank(
            [(str(u.pk), u.full_name or u.email) for u in members_who_edit(organisation)]
        )


class PublicationForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"), max_length=200, help_text=_("What the public page calls the person by default.")
    )
    use_real_name = forms.BooleanField(
        label=_("Publish the real name"),
        required=False,
        help_text=_("Only possible when every person in the case has consented to publishing their name."),
    )
    published_fields = forms.MultipleChoiceField(
        label=_("What may be published"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("summary", _("The public summary")),
            ("country", _("The country")),
            ("status", _("The status of the case")),
            ("events", _("Public events of the timeline")),
            ("proceedings", _("The proceedings")),
            ("photo", _("The photo")),
        ],
    )
    public_summary = forms.CharField(
        label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
