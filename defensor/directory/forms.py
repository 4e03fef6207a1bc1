"""Forms of the directory. They parse input only; services decide and write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from defensor.core.iso import country_choices, language_choices
from defensor.core.models import Sensitivity
from defensor.directory.models import (
    ConsentMethod,
    ConsentScope,
    ContactKind,
    CourtLevel,
    CourtType,
    ExpertiseArea,
    Gender,
    Institution,
    InstitutionKind,
    LanguageLevel,
    Messenger,
    Person,
    Profession,
)

# The languages a salutation can be written in on the institution form.
SALUTATION_LANGUAGES = (("en", _("Salutation in English")), ("ru", _("Salutation in Russian")))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _countries_or_blank() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices()]


def _languages_or_blank() -> list[tuple[str, str]]:
    return [("", "—"), *language_choices()]


class InstitutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.country})" if obj.country else obj.display_name


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        other = obj.other_script_name
        return f"{obj.display_name} ({other})" if other else obj.display_name


def _not_in_future(value: datetime.date | None) -> datetime.date | None:
    if value and value > datetime.date.today():
        raise forms.ValidationError(_("This date is in the future."))
    return value


# ------------------------------------------------------------------ people


class PersonForm(forms.Form):
    name = forms.CharField(
        label=_("Name in the original script"), max_length=200, help_text=_("For example: Гаспар Маталаев.")
    )
    name_latin = forms.CharField(
        label=_("Name in Latin script"),
        max_length=200,
        required=False,
        help_text=_("Left empty, it is transliterated from the name."),
    )
    aliases = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: maiden names, nicknames, other transliterations."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNSPECIFIED)
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("A year (1975), a year and month (1975-04) or a full date (1975-04-21). Confidential."),
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=_countries_or_blank, required=False)
    residence_country = forms.ChoiceField(label=_("Country of residence"), choices=_countries_or_blank, required=False)
    professions = forms.MultipleChoiceField(
        label=_("Professions"), choices=Profession.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    bar_association = InstitutionChoiceField(
        label=_("Bar association"), queryset=Institution.objects.none(), required=False, empty_label="—"
    )
    bar_number = forms.CharField(
        label=_("Bar membership number"), max_length=100, required=False, help_text=_("Confidential.")
    )
    expertise_areas = forms.MultipleChoiceField(
        label=_("Areas of legal expertise"),
        choices=ExpertiseArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    jurisdictions = forms.MultipleChoiceField(
        label=_("Jurisdictions"),
        choices=country_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Countries whose law the person practises or knows."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    security_notes = forms.CharField(
        label=_("Security notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Risks, safe ways to reach them, what never to do. Only members who see confidential records read this."
        ),
    )
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity"),
        choices=Sensitivity.choices,
        initial=Sensitivity.INTERNAL,
        help_text=_("Confidential and secret people are seen only by members who see confidential records."),
    )
    different_person = forms.BooleanField(
        label=_("This is a different person: save anyway"), required=False, widget=forms.CheckboxInput
    )

    CONFIDENTIAL_FIELDS = ("birth_date", "bar_number", "security_notes")

    def __init__(self, *args: Any, bar_associations: Any, confidential: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bar_field: Any = self.fields["bar_association"]
        bar_field.queryset = bar_associations
        if not confidential:
            # Those who may not read them may not see, nor overwrite, the confidential fields.
            for name in self.CONFIDENTIAL_FIELDS:
                del self.fields[name]
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["name_latin"].widget.attrs.update({"autocomplete": "off"})

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "name_latin": person.name_latin,
            "aliases": "\n".join(person.aliases),
            "gender": person.gender,
            "birth_date": person.birth_date,
            "nationality": person.nationality,
            "residence_country": person.residence_country,
            "professions": person.profession_codes(),
            "bar_association": person.bar_association_id,
            "bar_number": person.bar_number,
            "expertise_areas": person.expertise_areas,
            "jurisdictions": person.jurisdictions,
            "notes": person.notes,
            "security_notes": person.security_notes,
            "sensitivity": person.sensitivity,
        }

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("aliases", "").splitlines() if line.strip()]

    def person_values(self) -> dict[str, Any]:
        """The cleaned values, named as the services name them (without the language rows)."""
        data = dict(self.cleaned_data)
        data.pop("different_person", None)
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_languages_or_blank, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *LanguageLevel.choices], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("language") and not data.get("level"):
            self.add_error("level", _("Choose a level for this language."))
        if data.get("level") and not data.get("language"):
            self.add_error("language", _("Choose the language."))
        return data


class BaseLanguageFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("language") if hasattr(form, "cleaned_data") else None
            if not code:
                continue
            if code in seen:
                form.add_error("language", _("This language is listed twice."))
            seen.add(code)

    def languages(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["language"], form.cleaned_data["level"])
            for form in self.forms
            if form.cleaned_data.get("language")
        ]


LanguageFormSet = forms.formset_factory(LanguageForm, formset=BaseLanguageFormSet, extra=2, max_num=30)


def language_formset(data: Any = None, *, person: Person | None = None) -> Any:
    initial = [{"language": lang.language, "level": lang.level} for lang in person.languages.all()] if person else []
    return LanguageFormSet(data, initial=initial, prefix="languages")


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, help_text=_("In any script: Matveev finds Матвеев."))
    profession = forms.ChoiceField(label=_("Profession"), choices=[("", _("All")), *Profession.choices], required=False)
    country = forms.ChoiceField(label=_("Country"), choices=_countries_or_blank, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("name", _("Name")), ("-name", _("Name, Z to A")), ("updated", _("Last changed"))],
    )
    archived = forms.BooleanField(label=_("Archived people only"), required=False)


# ------------------------------------------------------------------ contacts, consent, photo


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    messenger = forms.ChoiceField(
        label=_("Messenger app"),
        choices=[("", "—"), *Messenger.choices],
        required=False,
        help_text=_("Only for a messenger handle."),
    )
    value = forms.CharField(
        label=_("Number, address or handle"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Stored encrypted; seen only by members who see confidential records."),
    )


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Consent to"), choices=ConsentScope.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput(), initial=datetime.date.today)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the written consent is kept, what exactly was agreed, limits."),
    )

    def clean_given_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("given_on"))


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput(), initial=datetime.date.today)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_withdrawn_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("withdrawn_on"))


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG, GIF, WebP or TIFF. Location and camera data are removed before it is stored."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


# ------------------------------------------------------------------ institutions


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, help_text=_("In the original language or script."))
    name_latin = forms.CharField(
        label=_("Name in Latin script or English"),
        max_length=300,
        required=False,
        help_text=_("Left empty, it is transliterated from the name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    court_level = forms.ChoiceField(
        label=_("Court level"), choices=[("", "—"), *CourtLevel.choices], required=False, help_text=_("Courts only.")
    )
    court_type = forms.ChoiceField(
        label=_("Court type"), choices=[("", "—"), *CourtType.choices], required=False, help_text=_("Courts only.")
    )
    country = forms.ChoiceField(label=_("Country"), choices=_countries_or_blank, required=False)
    parent = InstitutionChoiceField(
        label=_("Part of"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("The larger institution this one belongs to, if any."),
    )
    postal_address = forms.CharField(
        label=_("Postal address for letters"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email = forms.EmailField(label=_("Email for letters"), required=False)
    salutation_en = forms.CharField(
        label=SALUTATION_LANGUAGES[0][1], max_length=300, required=False, help_text=_("For example: Dear Sir or Madam,")
    )
    salutation_ru = forms.CharField(
        label=SALUTATION_LANGUAGES[1][1],
        max_length=300,
        required=False,
        help_text=_("For example: Уважаемый господин Генеральный прокурор!"),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_field: Any = self.fields["parent"]
        parent_field.queryset = parents

    @classmethod
    def initial_for(cls, institution: Institution) -> dict[str, Any]:
        return {
            "name": institution.name,
            "name_latin": institution.name_latin,
            "kind": institution.kind,
            "court_level": institution.court_level,
            "court_type": institution.court_type,
            "country": institution.country,
            "parent": institution.parent_id,
            "postal_address": institution.postal_address,
            "email": institution.email,
            **{
                f"salutation_{code}": (institution.salutations or {}).get(code, "") for code, _l in SALUTATION_LANGUAGES
            },
            "website": institution.website,
            "notes": institution.notes,
            "sensitivity": institution.sensitivity,
        }

    def institution_values(self, *, existing_salutations: dict[str, str] | None = None) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        salutations = dict(existing_salutations or {})
        for code, _label in SALUTATION_LANGUAGES:
            salutations[code] = data.pop(f"salutation_{code}", "")
        data["salutations"] = salutations
        return data


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *InstitutionKind.choices], required=False)
    country = forms.ChoiceField(label=_("Country"), choices=_countries_or_blank, required=False)


# ------------------------------------------------------------------ affiliations


class AffiliationForm(forms.Form):
    """A position: from a person's page (choose the institution) or an institution's (choose the person)."""

    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    position = forms.CharField(
        label=_("Position"), max_length=200, help_text=_("As written on letters: Prosecutor General, Chair, Member.")
    )
    start_date = forms.DateField(label=_("Since"), required=False, widget=DateInput())
    end_date = forms.DateField(
        label=_("Until"), required=False, widget=DateInput(), help_text=_("Empty while they hold it.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: Any = None, institutions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            person_field: Any = self.fields["person"]
            person_field.queryset = people
        if institutions is None:
            del self.fields["institution"]
        else:
            institution_field: Any = self.fields["institution"]
            institution_field.queryset = institutions

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date comes before the start date."))
        return data


class AffiliationEndForm(forms.Form):
    end_date = forms.DateField(label=_("Left the position on"), widget=DateInput(), initial=datetime.date.today)
