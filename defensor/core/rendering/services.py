"""Writes of rendering jobs: start one, run it (in the worker), hand its file out."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from defensor.core.audit import audit_record
from defensor.core.models import RenderJob
from defensor.core.permissions import Capability, has_capability
from defensor.core.rendering import jobs
from defensor.core.rendering.pdf import RenderError
from defensor.core.rendering.tasks import run_render_job
from defensor.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# A job still "running" this long after it started lost its worker (a crash, a restart): it may run again.
STALE_AFTER = datetime.timedelta(hours=1)


def _visible_to(actor: Any, obj: models.Model, organisation: Any) -> bool:
    manager: Any = type(obj)._default_manager
    if hasattr(manager, "visible_to"):
        return bool(manager.visible_to(actor).filter(pk=obj.pk).exists())
    owner = getattr(obj, "organisation_id", None)
    return owner is None or owner == organisation.pk


@transaction.atomic
def render_job_start(
    *,
    actor: Any,
    organisation: Any,
    kind: str,
    obj: models.Model | None,
    params: dict[str, Any] | None = None,
) -> RenderJob:
    """Queue the rendering of a document of `kind` for `obj`; it runs once the transaction commits."""
    registered = jobs.get_renderer(kind)
    if registered is None:
        raise ValueError(f"no renderer is registered for {kind!r}")
    if not has_capability(actor, organisation.pk, registered.capability):
        raise PermissionDenied
    if obj is not None and not _visible_to(actor, obj, organisation):
        raise PermissionDenied
    job = RenderJob(
        organisation=organisation,
        kind=kind,
        requested_by=actor,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
    )
    job.params = params or {}
    job.full_clean()
    job.save()
    audit_record(
        actor=actor,
        action="core.render.started",
        organisation=organisation,
        obj=job,
        changes={
            "kind": kind,
            "object_type": obj._meta.label_lower if obj is not None else "",
            "object_id": job.object_id,
            # The parameters may name people: only their names are recorded.
            "params": sorted(job.params),
        },
    )
    enqueue_on_commit(run_render_job, job.pk)
    return job


def _claim(job_id: int) -> bool:
    """Mark a waiting (or abandoned) job as running; False when it is done, failed or running elsewhere."""
    now = timezone.now()
    claimable = Q(status=RenderJob.Status.QUEUED) | Q(status=RenderJob.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = RenderJob.objects.filter(claimable, pk=job_id).update(
        status=RenderJob.Status.RUNNING, started_at=now, updated_at=now
    )
    return claimed == 1


def _progress_recorder(job: RenderJob) -> jobs.Progress:
    def record(done: int, total: int) -> None:
        total = max(0, int(total))
        done = max(0, min(int(done), total))
        RenderJob.objects.filter(pk=job.pk, status=RenderJob.Status.RUNNING).update(
            progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    return record


def _fail(job: RenderJob, message: str) -> RenderJob:
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.status = RenderJob.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "updated_at"])
    return job


@transaction.atomic
def _finish(job: RenderJob, content: bytes, mime: str, filename: str) -> RenderJob:
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.file.save("render", ContentFile(content), save=False)
    job.mime = mime
    job.filename = filename
    job.size = len(content)
    job.progress_total = max(job.progress_total, job.progress_done, 1)
    job.progress_done = job.progress_total
    job.status = RenderJob.Status.DONE
    job.message = ""
    job.finished_at = timezone.now()
    job.save()
    return job


def render_job_run(*, job_id: int) -> RenderJob | None:
    """Run a job's renderer, record its progress, store the file. Re-running a finished job does nothing.

    Runs outside a transaction on purpose: the progress it records must be seen while it works.
    """
    if not _claim(job_id):
        return None
    job = RenderJob.objects.select_related("requested_by", "content_type").get(pk=job_id)
    requester = job.requested_by
    language = job.params.get("language") or getattr(requester, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        registered = jobs.get_renderer(job.kind)
        if registered is None:
            return _fail(job, gettext("This kind of document can no longer be produced."))
        if requester is None or not has_capability(requester, job.organisation_id, registered.capability):
            return _fail(job, gettext("The person who asked for this document may no longer produce it."))
        try:
            content, mime, filename = registered.function(job, _progress_recorder(job))
        except RenderError as exc:
            logger.warning("render job %s (%s) failed: %s", job.pk, job.kind, exc)
            return _fail(job, exc.message)
        except ValidationError as exc:
            return _fail(job, " ".join(exc.messages))
        except Exception:
            logger.exception("render job %s (%s) failed", job.pk, job.kind)
            return _fail(
                job,
                gettext(
                    "The document could not be produced because of an error on our side. "
                    "The error was recorded; try again later, or tell your administrator if it happens again."
                ),
            )
        return _finish(job, content, mime, filename)


@transaction.atomic
def render_job_download(*, actor: Any, job: RenderJob) -> tuple[bytes, str, str]:
    """The file of a finished job as (content, mime, filename), for someone who may export; audited."""
    if not has_capability(actor, job.organisation_id, Capability.EXPORT):
        raise PermissionDenied
    name = job.file.name
    if job.status == RenderJob.Status.ERASED:
        raise ValidationError(gettext("This document was erased at the end of its retention period."), code="erased")
    if job.status != RenderJob.Status.DONE or not name:
        raise ValidationError(gettext("This document is not ready."), code="not_ready")
    with job.file.storage.open(name, "rb") as handle:
        content: bytes = handle.read()
    audit_record(
        actor=actor,
        action="core.render.downloaded",
        organisation=job.organisation_id,
        obj=job,
        changes={"kind": job.kind, "size": len(content)},
    )
    return content, job.mime, job.filename


@transaction.atomic
def render_files_erase(*, obj: models.Model, kind: str) -> int:
    """Delete the files rendered of `kind` for `obj` (and what names them); the jobs stay, marked erased.

    For documents that hold personal data with a retention period of its own: the letters of a
    campaign list its signatories, and go when the signers' data does. The files are deleted once
    the jobs' new state is committed (a rolled-back erasure leaves them downloadable). The caller
    audits. Returns how many files are deleted.
    """
    content_type = ContentType.objects.get_for_model(obj)
    jobs = RenderJob.objects.filter(content_type=content_type, object_id=str(obj.pk), kind=kind).exclude(
        status=RenderJob.Status.ERASED
    )
    files: list[tuple[Any, str]] = []
    for job in jobs.select_for_update():
        if job.is_active:
            continue  # still rendering: it is erased on a later run
        if job.file.name:
            files.append((job.file.storage, job.file.name))
        job.file = ""
        job.filename = ""
        job.size = 0
        job.mime = ""
        job.message = ""
        job.status = RenderJob.Status.ERASED
        job.save(update_fields=["file", "filename", "size", "mime", "message", "status", "updated_at"])

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(files)
