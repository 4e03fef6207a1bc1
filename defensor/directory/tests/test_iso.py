"""Country and language codes and their names in the reader's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from defensor.core import iso


def test_country_choices_hold_only_two_letter_country_codes():
    codes = [code for code, _name in iso.country_choices()]
    assert "TM" in codes and "KZ" in codes and "TR" in codes
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in codes)


@pytest.mark.parametrize("not_a_country", ["001", "150", "EU", "UN", "ZZ", "EZ", "QO"])
def test_regions_and_groupings_are_not_countries(not_a_country):
    assert not_a_country not in dict(iso.country_choices())


def test_countries_are_sorted_by_their_name_in_the_active_language():
    with translation.override("ru"):
        names = [name for _code, name in iso.country_choices()]
    assert names == sorted(names, key=str.casefold)
    assert names[0].startswith("А")


def test_country_name_follows_the_active_language():
    with translation.override("ru"):
        assert iso.country_name("TM") == "Туркменистан"
    with translation.override("en"):
        assert iso.country_name("TM") == "Turkmenistan"


def test_unknown_country_code_is_shown_as_it_is():
    assert iso.country_name("QQ") == "QQ"
    assert iso.country_name("") == ""


def test_language_names_follow_the_active_language():
    with translation.override("en"):
        assert iso.language_name("kk") == "Kazakh"
    with translation.override("ru"):
        assert iso.language_name("ky") == "киргизский"


def test_language_choices_are_iso_639_1_codes_only():
    codes = dict(iso.language_choices())
    assert "ru" in codes and "tk" in codes
    assert all(len(code) == 2 for code in codes)
    assert "sh" not in codes  # deprecated


def test_country_validator_refuses_a_region():
    with pytest.raises(ValidationError):
        iso.validate_country_code("EU")
    iso.validate_country_code("KZ")


def test_language_validator_refuses_a_three_letter_code():
    with pytest.raises(ValidationError):
        iso.validate_language_code("rus")
    iso.validate_language_code("ru")


def test_country_list_validator_names_the_bad_code():
    with pytest.raises(ValidationError) as caught:
        iso.validate_country_list(["KZ", "XX"])
    assert "XX" in str(caught.value)
