"""The background task of rendering jobs: thin, takes an id, safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def run_render_job(job_id: int) -> None:
    from defensor.core.rendering.services import render_job_run

    render_job_run(job_id=job_id)
