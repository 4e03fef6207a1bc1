"""The sign-on form: what the signer types, plus three defences (honeypot, fill time, proof of work)."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from defensor.campaigns.models import Signature
from defensor.core.iso import country_choices, country_codes
from defensor.core.memo import until_settings_change

MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 24 * 3600
FORM_SALT = "defensor.public.signon.started"


@until_settings_change("SECRET_KEY", "SECRET_KEY_FALLBACKS")
def _started_signer() -> signing.TimestampSigner:
    """The signer of the fill-time note (`signing.dumps` and `loads` with our salt), made once per process.

    Making it on every sign-on read the settings and cost about a third of checking the note.
    """
    return signing.TimestampSigner(salt=FORM_SALT)


def started_token(slug: str) -> str:
    """A signed note of when the form was shown, and for which campaign."""
    return _started_signer().sign_object({"c": slug, "t": time.time()}, compress=False)


def seconds_since_start(token: str, slug: str) -> float | None:
    """How long ago the form was shown, or None when the note is missing, forged or stale."""
    try:
        data = _started_signer().unsign_object(token, max_age=MAX_FORM_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != slug or not isinstance(data.get("t"), (int, float)):
        return None
    return time.time() - float(data["t"])


def _country(value: Any) -> str:
    code = str(value or "").upper()
    if code and code not in country_codes():
        raise forms.ValidationError(_("Choose a country from the list."))
    return code


class SignOnForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    profession = forms.ChoiceField(
        label=_("Profession"), choices=Signature.Profession.choices, widget=forms.RadioSelect
    )
    bar_association = forms.CharField(
        label=_("Bar association"), max_length=200, required=False, help_text=_("If you are a lawyer.")
    )
    # Validated against the ISO list; its 250 options are only built when the form is shown.
    country = forms.CharField(label=_("Country"), required=False, max_length=2, widget=forms.Select)
    email = forms.EmailField(
        label=_("Email"), max_length=254, help_text=_("We send you a link to confirm your signature.")
    )
    consent_letter = forms.BooleanField(label=_("Put my name on the letter"), required=False)
    consent_updates = forms.BooleanField(label=_("Keep me informed about this case by email"), required=False)
    # Left empty by people (hidden by CSS, skipped by keyboard and screen readers); bots fill it.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    started = forms.CharField(widget=forms.HiddenInput)
    # The proof of work arrives as "altcha", a field the widget adds to the form itself.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["country"].widget.attrs.update({"autocomplete": "country"})

    def show_countries(self) -> SignOnForm:
        widget = self.fields["country"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "—"), *country_choices()]
        return self

    def clean_country(self) -> str:
        return _country(self.cleaned_data.get("country"))

    @classmethod
    def cleaned_if_valid(cls, data: Any) -> dict[str, Any] | None:
        """What `cleaned_data` would be for `data` when the form is valid; None when it is not.

        The sign-on's usual case, without building the form: Django copies every field (and its
        widget) for each form it builds, so that one form can be changed for display without
        touching the others; cleaning changes no field, so the class's own fields are used
        here. On None the caller builds the form, which finds and shows the errors. This must
        stay what the form does: `clean_<field>` hooks are called the same way, and the form
        has no `clean()` of its own (a test holds both).
        """
        cleaned: dict[str, Any] = {}
        try:
            for name, field in cls.base_fields.items():
                cleaned[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
            cleaned["country"] = _country(cleaned["country"])
        except forms.ValidationError:
            return None
        return cleaned
