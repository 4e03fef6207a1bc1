"""Template filters of the directory: country and language names in the reader's language."""

from __future__ import annotations

from django import template

from defensor.core.iso import country_name, language_name

register = template.Library()


@register.filter(name="country")
def country(code: str) -> str:
    return country_name(code or "")


@register.filter(name="language")
def language(code: str) -> str:
    return language_name(code or "")


@register.filter(name="countries")
def countries(codes: list[str]) -> str:
    return ", ".join(country_name(code) for code in codes or [])
