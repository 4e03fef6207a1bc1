"""Forms of the back office of campaigns. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defensor.campaigns.letters import MERGE_FIELDS
from defensor.campaigns.models import Campaign, Delivery, LetterTemplate, Target
from defensor.cases.models import Case

LANGUAGE_CHOICES = [("en", _("English")), ("ru", _("Russian"))]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CampaignForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200, required=False)
    slug = forms.SlugField(
        label=_("Address of the public page"),
        max_length=80,
        help_text=_("Latin letters, numbers and hyphens; the public page is at /act/ followed by this address."),
    )
    ask_en = forms.CharField(label=_("What we ask (English)"), widget=forms.Textarea(attrs={"rows": 3}))
    ask_ru = forms.CharField(label=_("What we ask (Russian)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    background_en = forms.CharField(
        label=_("Background (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    background_ru = forms.CharField(
        label=_("Background (Russian)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    cases = forms.ModelMultipleChoiceField(label=_("Cases"), queryset=Case.objects.none(), required=False)
    mode = forms.ChoiceField(label=_("Letters"), choices=Campaign.Mode.choices)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    co_signing_organisations = forms.CharField(
        label=_("Co-signing organisations outside Defensor"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    public_page = forms.BooleanField(label=_("Public sign-on page"), required=False, initial=True)
    show_count = forms.BooleanField(label=_("Show the number of signatures"), required=False, initial=True)
    embed_origins = forms.CharField(
        label=_("Sites that may embed the form"),
        help_text=_("Origins such as https://partner.example, one per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    retention_days = forms.IntegerField(
        label=_("Days to keep signers' personal data after the campaign closes"), min_value=0, initial=90
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases  # type: ignore[attr-defined]

    def clean_co_signing_organisations(self) -> list[str]:
        return _lines(self.cleaned_data.get("co_signing_organisations", ""))

    def clean_embed_origins(self) -> list[str]:
        origins = _lines(self.cleaned_data.get("embed_origins", ""))
        for origin in origins:
            if not origin.startswith("https://") or "/" in origin[len("https://") :]:
                raise forms.ValidationError(
                    _("Write each site as https://name.example, without a path: %(origin)s is not one."),
                    params={"origin": origin},
                )
        return origins

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(campaign, name)
            for name in (
                "title_en",
                "title_ru",
                "slug",
                "ask_en",
                "ask_ru",
                "background_en",
                "background_ru",
                "mode",
                "starts_on",
                "deadline",
                "public_page",
                "show_count",
                "retention_days",
            )
        }
        initial["cases"] = list(campaign.cases.all())
        initial["co_signing_organisations"] = "\n".join(campaign.co_signing_organisations or [])
        initial["embed_origins"] = "\n".join(campaign.embed_origins or [])
        return initial


class TargetForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Target.objects.none())
    position = forms.CharField(
        label=_("Office"),
        max_length=200,
        required=False,
        help_text=_("e.g. Prosecutor General: the person holding it today is the addressee."),
    )
    language = forms.ChoiceField(label=_("Language of the letter"), choices=LANGUAGE_CHOICES)
    salutation = forms.CharField(
        label=_("Salutation"), max_length=300, required=False, help_text=_("Leave empty to use the directory's.")
    )
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("Leave empty to use the directory's."))
    postal_address = forms.CharField(
        label=_("Postal address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Leave empty to use the directory's."),
    )

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LetterTemplate.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text of the letter"), widget=forms.Textarea(attrs={"rows": 16}))

    merge_fields = MERGE_FIELDS


class PartnerRequestForm(forms.Form):
    slug = forms.SlugField(
        label=_("Address of the campaign's public page"),
        max_length=80,
        help_text=_("The part after /act/ in the address the lead organisation shared."),
    )


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept")), ("0", _("Decline"))],
        coerce=lambda value: value == "1",
    )


class RecordDeliveryForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Target"), queryset=Target.objects.none())
    channel = forms.ChoiceField(
        label=_("Sent by"), choices=[c for c in Delivery.Channel.choices if c[0] != Delivery.Channel.EMAIL]
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Letter"), choices=LetterTemplate.Kind.choices)

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]


class SendEmailForm(forms.Form):
    kind = forms.ChoiceField(label=_("Letter"), choices=LetterTemplate.Kind.choices)


class RenderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Letter"), choices=LetterTemplate.Kind.choices)


class ResponseForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution that answered"), queryset=Target.objects.none())
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    document = forms.FileField(label=_("Document"), required=False)

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 6}))
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200, required=False)
    body_ru = forms.CharField(label=_("Text (Russian)"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


class UpdateSendForm(forms.Form):
    follow_up_letters = forms.BooleanField(
        label=_("Also send the follow-up letter to the targets by email"), required=False
    )
