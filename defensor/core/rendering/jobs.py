"""Renderers for background jobs, registered by kind.

An app registers what it can render in its `ready()`:

    from defensor.core.rendering import jobs

    def render_trial_report(job: RenderJob, progress: jobs.Progress) -> jobs.Rendered:
        report = jobs.target_of(job)            # the TrialReport, as the requester may see it
        ...
        progress(1, 2)
        pdf = render_pdf(TEMPLATE, data)
        progress(2, 2)
        return jobs.Rendered(pdf, PDF_MIME, "trial-report.pdf")

    jobs.register("monitoring.report", render_trial_report, label=_("Trial report"))

A view then calls `services.render_job_start(actor=..., organisation=..., kind="monitoring.report",
obj=report, params={...})` and shows `core/rendering/job_progress.html`. The renderer runs in a
worker, in the language of the requester (or `params["language"]`); raise `RenderError` with a
message for the user when the document cannot be made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext

from defensor.core.models import RenderJob
from defensor.core.permissions import Capability
from defensor.core.rendering.pdf import RenderError

Progress = Callable[[int, int], None]


class Rendered(NamedTuple):
    content: bytes
    mime: str
    filename: str


Renderer = Callable[[RenderJob, Progress], tuple[bytes, str, str]]


@dataclass(frozen=True)
class RegisteredRenderer:
    kind: str
    function: Renderer
    label: str | Promise
    # What the requester must hold in the organisation to start (and still hold when it runs).
    capability: str


_registry: dict[str, RegisteredRenderer] = {}


def register(
    kind: str, function: Renderer, *, label: str | Promise = "", capability: str = Capability.VIEW
) -> Renderer:
    """Make `function(job, progress) -> (bytes, mime, filename)` the renderer of `kind`."""
    if not kind or len(kind) > 64:
        raise ValueError("a renderer needs a kind of at most 64 characters")
    _registry[kind] = RegisteredRenderer(kind=kind, function=function, label=label or kind, capability=capability)
    return function


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


def get_renderer(kind: str) -> RegisteredRenderer | None:
    return _registry.get(kind)


def label_of(kind: str) -> str:
    registered = _registry.get(kind)
    return str(registered.label) if registered is not None else kind


def target_of(job: RenderJob) -> models.Model | None:
    """The object the job is for, read as its requester may see it now; None when the job is for none.

    Raises RenderError when the object is gone or the requester may no longer see it.
    """
    content_type = job.content_type
    if content_type is None:
        return None
    model = content_type.model_class()
    missing = RenderError(gettext("What this document was for no longer exists, or you may no longer see it."))
    if model is None:
        raise missing
    manager: Any = model._default_manager
    queryset = manager.visible_to(job.requested_by) if hasattr(manager, "visible_to") else manager.all()
    if not hasattr(manager, "visible_to") and any(f.name == "organisation" for f in model._meta.fields):
        queryset = queryset.filter(organisation_id=job.organisation_id)
    target: models.Model | None = queryset.filter(pk=job.object_id).first()
    if target is None:
        raise missing
    return target
