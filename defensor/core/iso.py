"""Countries (ISO 3166-1 alpha-2) and languages (ISO 639-1), named in the active language.

Names come from the CLDR data shipped with Babel, so a new interface language needs no
new list. Codes are stored upper-case for countries (`TM`) and lower-case for
languages (`ru`), as the standards write them.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Two-letter codes CLDR knows that are not countries of ISO 3166-1: exceptional and
# transitional reservations (AC, CP, CQ, DG, EA, IC, TA), groupings (EU, EZ, UN), and
# private-use codes (QO, XA, XB, ZZ). XK (Kosovo) is also private-use in ISO 3166, but
# the UN, the EU and the Council of Europe use it, and people at risk live there: kept.
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})
# Deprecated in ISO 639-1 (Serbo-Croatian, replaced by bs, hr, sr).
_NOT_LANGUAGES = frozenset({"sh"})


def _locale(language: str | None = None) -> Locale:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(settings.LANGUAGE_CODE)


@cache
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    names = _locale(language).territories
    countries = [
        (str(code), str(name))
        for code, name in names.items()
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(countries, key=lambda item: item[1].casefold()))


@cache
def _languages(language: str) -> tuple[tuple[str, str], ...]:
    names = _locale(language).languages
    languages = [
        (str(code), str(name))
        for code, name in names.items()
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_LANGUAGES
    ]
    return tuple(sorted(languages, key=lambda item: item[1].casefold()))


def _active() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by its name in the active language."""
    return list(_countries(_active()))


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for every ISO 639-1 language, sorted by its name in the active language."""
    return list(_languages(_active()))


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in _countries(settings.LANGUAGE_CODE))


@cache
def language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in _languages(settings.LANGUAGE_CODE))


def country_name(code: str) -> str:
    """The country's name in the active language; the code itself when it is unknown."""
    if not code:
        return ""
    return dict(_countries(_active())).get(code.upper(), code)


def language_name(code: str) -> str:
    """The language's name in the active language; the code itself when it is unknown."""
    if not code:
        return ""
    return dict(_languages(_active())).get(code.lower(), code)


def validate_country_code(value: str) -> None:
    if value and value not in country_codes():
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code."), code="invalid_country", params={"value": value}
        )


def validate_language_code(value: str) -> None:
    if value and value not in language_codes():
        raise ValidationError(
            _("“%(value)s” is not an ISO 639-1 language code."), code="invalid_language", params={"value": value}
        )


def validate_country_list(value: object) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Expected a list of country codes."), code="invalid_country_list")
    for code in value:
        validate_country_code(str(code))
