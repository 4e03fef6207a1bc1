"""The job page (progress, then the file) and the download."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from defensor.core.decorators import capability_required, is_htmx
from defensor.core.models import RenderJob
from defensor.core.permissions import Capability
from defensor.core.rendering import jobs, selectors, services
from defensor.core.uploads import attachment_response

# htmx stops polling an element when the answer has this status (and still swaps the answer in).
STOP_POLLING = 286


def _job_or_404(request: HttpRequest, pk: int) -> RenderJob:
    job = selectors.render_job_get(user=request.user, organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if job is None:
        raise Http404
    return job


@capability_required(Capability.VIEW)
def render_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    context = {
        "job": job,
        "label": jobs.label_of(job.kind),
        "can_download": selectors.render_job_can_download(user=request.user, job=job),
    }
    if is_htmx(request):
        response = render(request, "core/rendering/job_state.html", context)
        if not job.is_active:
            response.status_code = STOP_POLLING
        return response
    return render(request, "core/rendering/job.html", context)


@reauthentication_required
def _download(request: HttpRequest, *, job: RenderJob) -> HttpResponse:
    try:
        content, mime, filename = services.render_job_download(actor=request.user, job=job)
    except ValidationError as exc:
        raise Http404 from exc
    return attachment_response(content, filename=filename, mime=mime)


@capability_required(Capability.EXPORT)
def render_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    # The job is looked up before re-authentication is asked for: an outsider learns nothing.
    job = _job_or_404(request, pk)
    return _download(request, job=job)
