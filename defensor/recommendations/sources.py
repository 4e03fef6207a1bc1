"""How the record a recommendation comes from (or a follow-up links to) is shown: a label and a link.

`recommendations` sits below the apps whose reports make recommendations (monitoring,
missions, submissions…) and may not import them. Each of them registers its models in
its `AppConfig.ready()`::

    from defensor.recommendations import sources

    def describe_report(user, report):
        if not TrialReport.objects.visible_to(user).filter(pk=report.pk).exists():
            return None
        return sources.Described(report.title, reverse("monitoring:report", args=[report.pk]))

    sources.register("monitoring.trialreport", describe_report, case_of=lambda report: report.case)

A describer receives the user who looks and the object, and returns a `Described`, or
None when that user may not see the object: then only the kind of record is shown (the
name of its type), never its title. A model nobody registered is shown the same way,
by its type's name and without a link. `case_of` tells `recommendation_add` which case
a source belongs to, so that recommendations made by a report on a case carry that case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Described:
    label: str | Promise
    url: str = ""


Describer = Callable[[Any, Any], Described | None]
CaseOf = Callable[[Any], Any]


@dataclass(frozen=True)
class _Registered:
    describe: Describer
    case_of: CaseOf | None


_registry: dict[str, _Registered] = {}


def register(model_label: str, describe: Describer, *, case_of: CaseOf | None = None) -> None:
    """Show records of `model_label` ("app_label.modelname") with `describe`; replaces an earlier registration."""
    _registry[model_label.lower()] = _Registered(describe, case_of)


def unregister(model_label: str) -> None:
    _registry.pop(model_label.lower(), None)


def _type_name(content_type: ContentType) -> str:
    model = content_type.model_class()
    if model is None:
        return content_type.model
    return str(model._meta.verbose_name).capitalize()


def describe(user: Any, content_type: ContentType | None, object_id: str) -> Described | None:
    """The label and link of a record for `user`; None when there is no record to show at all."""
    if content_type is None or not object_id:
        return None
    fallback = Described(_type_name(content_type))
    entry = _registry.get(f"{content_type.app_label}.{content_type.model}")
    model = content_type.model_class()
    if entry is None or model is None:
        return fallback
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return fallback
    return entry.describe(user, obj) or fallback


def case_of(source: models.Model) -> Any:
    """The case a source record is about: the case itself, as its app registered, or its `case` field; else None."""
    from defensor.cases.models import Case

    if isinstance(source, Case):
        return source
    entry = _registry.get(source._meta.label_lower)
    if entry is not None and entry.case_of is not None:
        return entry.case_of(source)
    case = getattr(source, "case", None)
    return case if isinstance(case, Case) else None
