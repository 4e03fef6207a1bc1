"""Reads of rendering jobs: who may see a job, and the jobs of an object."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from defensor.core.models import RenderJob
from defensor.core.permissions import Capability, grants_for, has_capability


def render_jobs_visible_to(*, user: Any, organisation: Any = None) -> QuerySet[RenderJob]:
    """Jobs of organisations where the user may export, and the jobs the user asked for.

    A rendered document gathers what its object holds, often confidential: members who may not
    export see only their own.
    """
    if not getattr(user, "is_authenticated", False):
        return RenderJob.objects.none()
    exporting = [org_id for org_id, grant in grants_for(user).items() if grant.allows(Capability.EXPORT)]
    visible: QuerySet[RenderJob] = RenderJob.objects.visible_to(user, organisation=organisation)
    return visible.filter(Q(organisation_id__in=exporting) | Q(requested_by=user))


def render_job_get(*, user: Any, organisation: Any, pk: int) -> RenderJob | None:
    return (
        render_jobs_visible_to(user=user, organisation=organisation)
        .select_related("requested_by")
        .filter(pk=pk)
        .first()
    )


def render_jobs_for(*, user: Any, obj: models.Model, kind: str | None = None) -> QuerySet[RenderJob]:
    """The jobs for one object that the user may see, newest first."""
    jobs = render_jobs_visible_to(user=user).filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return jobs.select_related("requested_by").order_by("-created_at", "-id")


def render_job_can_download(*, user: Any, job: RenderJob) -> bool:
    return job.status == RenderJob.Status.DONE and has_capability(user, job.organisation_id, Capability.EXPORT)
