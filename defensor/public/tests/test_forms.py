"""The sign-on form's quick check (`cleaned_if_valid`) says what the form itself says."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.http import QueryDict

from defensor.public.forms import SignOnForm

VALID = {
    "name": "Ирина Петрова",
    "profession": "lawyer",
    "bar_association": "Moscow Regional Bar",
    "country": "ru",
    "email": "irina.petrova@example.org",
    "consent_letter": "on",
    "consent_updates": "on",
    "website": "",
    "started": "a-signed-note",
}

CASES: list[dict[str, Any]] = [
    {},
    {"consent_letter": None, "consent_updates": None, "bar_association": None, "country": None},
    {"name": ""},
    {"name": "x" * 201},
    {"profession": "astronaut"},
    {"profession": None},
    {"email": "not an email"},
    {"email": None},
    {"country": "ZZ"},
    {"country": "RUS"},
    {"country": ""},
    {"started": None},
    {"website": "http://spam.example"},
    {"bar_association": "x" * 201},
]


def _data(overrides: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in {**VALID, **overrides}.items():
        if value is not None:
            data[key] = value
    return data


@pytest.mark.parametrize("overrides", CASES)
def test_the_quick_check_agrees_with_the_form(overrides: dict[str, Any]) -> None:
    data = _data(overrides)
    form = SignOnForm(data)
    expected = form.cleaned_data if form.is_valid() else None
    assert SignOnForm.cleaned_if_valid(data) == expected


def test_the_quick_check_normalises_the_country_as_the_form_does() -> None:
    cleaned = SignOnForm.cleaned_if_valid(_data({"country": "fr"}))
    assert cleaned is not None
    assert cleaned["country"] == "FR"


def test_the_form_has_no_checks_the_quick_check_would_miss() -> None:
    hooks = {name for name in vars(SignOnForm) if name.startswith("clean")}
    assert hooks == {"clean_country", "cleaned_if_valid"}
    assert SignOnForm.clean is forms.Form.clean
    assert SignOnForm._post_clean is forms.Form._post_clean
