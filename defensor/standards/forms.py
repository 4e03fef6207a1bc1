from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search provisions"),
        required=False,
        max_length=200,
        help_text=_("A code such as ICCPR-14.3.b, or words from the title or paraphrase."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={"max_length": _("Use at most %(limit_value)d characters.")},
    )
    to_verify = forms.BooleanField(label=_("Only items to verify"), required=False)
