"""Every URL the project answers, as concrete paths, for the tests that crawl them all.

The list is built from the URL configuration when a test asks for it, so routes that
an app adds later are crawled without anyone updating a list. Path converters and
regex groups are filled with a sample value that matches them; a route that cannot be
filled fails loudly (a silent skip would let a page escape the crawl).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLE_UUID = "3f2b9c1e-7d4a-4e8b-9a6c-1b2d3e4f5a6b"
# Tried, in order, for a regex group or a converter this module does not know.
CANDIDATES = ("1", "x", SAMPLE_UUID, "en")

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    path: str
    name: str

    def __str__(self) -> str:
        return f"{self.path} ({self.name or 'unnamed'})"


def _sample_for_converter(converter: object) -> str:
    # Subclasses first: SlugConverter and PathConverter are StringConverters.
    if isinstance(converter, IntConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return SAMPLE_UUID
    if isinstance(converter, PathConverter | SlugConverter | StringConverter):
        return "x"
    regex = getattr(converter, "regex", "")
    for candidate in CANDIDATES:
        if re.fullmatch(regex, candidate):
            return candidate
    raise ValueError(f"no sample value matches the converter {type(converter).__name__} ({regex!r})")


def _fill_route(pattern: RoutePattern) -> str:
    converters = pattern.converters

    def replace(match: re.Match[str]) -> str:
        return _sample_for_converter(converters[match["name"]])

    return _ROUTE_PARAMETER.sub(replace, str(pattern._route))


def _group_end(regex: str, start: int) -> int:
    """Index just after the parenthesis that closes the group opened at `start`."""
    depth = 0
    index = start
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced group in {regex!r}")


def _sample_for_group(group_regex: str) -> str:
    for candidate in CANDIDATES:
        if re.fullmatch(group_regex, candidate):
            return candidate
    # An alternation of words, as the admin's app_list has: take the first.
    first = group_regex.split("|", 1)[0]
    if re.fullmatch(r"[\w-]+", first) and re.fullmatch(group_regex, first):
        return first
    raise ValueError(f"no sample value matches the group {group_regex!r}")


def _fill_regex(pattern: RegexPattern) -> str:
    regex = str(pattern._regex)
    regex = regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    out = []
    index = 0
    while index < len(regex):
        match = _NAMED_GROUP.match(regex, index)
        if match:
            end = _group_end(regex, index)
            out.append(_sample_for_group(regex[match.end() : end - 1]))
            index = end
            continue
        char = regex[index]
        if char == "\\" and index + 1 < len(regex):
            out.append(regex[index + 1])
            index += 2
            continue
        if char in "()[]{}*+?|^$":
            raise ValueError(f"cannot write a sample path for the regex {pattern._regex!r}")
        out.append(char)
        index += 1
    return "".join(out)


def _fill(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return _fill_route(pattern)
    if isinstance(pattern, RegexPattern):
        return _fill_regex(pattern)
    raise ValueError(f"unknown kind of URL pattern: {type(pattern).__name__}")


def _walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[Route]:
    for entry in patterns:
        here = prefix + _fill(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, here)
        else:
            yield Route(path="/" + here, name=entry.name or "")


def all_routes() -> list[Route]:
    """Every route of the project once, each filled in and checked to resolve."""
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, ""):
        resolve(route.path)  # raises Resolver404 if the sample path is wrong
        routes.setdefault(route.path, route)
    return list(routes.values())


def app_routes() -> list[Route]:
    return [route for route in all_routes() if route.path.startswith("/app/")]


def admin_routes() -> list[Route]:
    return [route for route in all_routes() if route.path.startswith("/admin/")]
