"""Source protection: no observer, anonymous source, unconsenting subject, contact or security note is ever
named in a rendered trial report, even when an editor types one in; the findings and recommendations are."""

from __future__ import annotations

import datetime

import pytest

from defensor.cases import services as case_services
from defensor.core.models import RenderJob
from defensor.core.rendering import services as render_services
from defensor.directory.models import ContactChannel, Person
from defensor.monitoring.reports import services as report_services
from defensor.monitoring.reports.document import RENDER_KIND
from defensor.monitoring.tests.reporting import (
    BPRL_18_RATIONALE,
    RECOMMENDATION,
    contains,
    docx_text,
    observed_trial,
    pdf_text,
    published_report,
)

OBSERVER_NAME = "Zebulon Quartermaine"
OBSERVER_EMAIL = "zq.hidden-observer@quietmail.test"
OTHER_OBSERVER_NAME = "Ophelia Nightingale"
SOURCE_DESCRIPTION = "The cousin who drives the Bluefinch taxi"
SOURCE_PERSON = "Wilhelmina Ravensworth"
SUBJECT_PHONE = "+993 65 482917"
SUBJECT_EMAIL = "gaspar.private@securemail.test"
SECURITY_NOTE = "Sleeps at the safe house on Rowanberry Street"

FORBIDDEN = (
    OBSERVER_NAME,
    OBSERVER_EMAIL,
    OTHER_OBSERVER_NAME,
    SOURCE_DESCRIPTION,
    SOURCE_PERSON,
    SUBJECT_PHONE,
    SUBJECT_EMAIL,
    SECURITY_NOTE,
    "Matalaev",
    "Маталаев",
)


@pytest.fixture
def exposed_report(world, django_capture_on_commit_callbacks):
    """A published report whose data holds every kind of protected detail, and an editor who typed some in."""
    world.observer.full_name = OBSERVER_NAME
    world.observer.email = OBSERVER_EMAIL
    world.observer.save()
    world.other_observer.full_name = OTHER_OBSERVER_NAME
    world.other_observer.save()
    organisation = world.organisation
    officer = world.user("case_officer")
    subject = world.case.subjects.get().person
    subject.security_notes = SECURITY_NOTE + ". Never call before noon."
    subject.save()
    for kind, value in (("phone", SUBJECT_PHONE), ("email", SUBJECT_EMAIL)):
        ContactChannel.objects.create(organisation=organisation, person=subject, kind=kind, value=value)
    source_person = Person.objects.create(organisation=organisation, name=SOURCE_PERSON)
    case_services.event_add(
        actor=officer,
        case=world.case,
        title="Questioned about a client",
        occurred_on=datetime.date(2024, 11, 2),
        category="procedural",
        sources=[{"description": SOURCE_DESCRIPTION, "anonymous": True, "person": source_person}],
    )
    trial = observed_trial(world)
    report = report_services.report_generate(actor=officer, plan=trial.plan, language="en")
    typed = (
        f"{OBSERVER_NAME} ({OBSERVER_EMAIL}) and {OTHER_OBSERVER_NAME} attended. Gaspar Matalaev, reachable at "
        f"{SUBJECT_PHONE} or {SUBJECT_EMAIL}, {SECURITY_NOTE.lower()}. {SOURCE_PERSON} told us: "
        f"{SOURCE_DESCRIPTION} saw it. Mr Matalaev was not allowed to speak."
    )
    report_services.report_section_edit(actor=officer, report=report, key="background", text=typed)
    report = published_report(trial)
    rendered = {}
    for kind in ("pdf", "docx"):
        with django_capture_on_commit_callbacks(execute=True):
            job = render_services.render_job_start(
                actor=officer, organisation=organisation, kind=RENDER_KIND, obj=report, params={"format": kind}
            )
        job.refresh_from_db()
        assert job.status == RenderJob.Status.DONE, job.message
        with job.file.storage.open(job.file.name, "rb") as handle:
            data = handle.read()
        rendered[kind] = pdf_text(data) if kind == "pdf" else docx_text(data)
    return rendered


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_no_protected_detail_appears_in_the_rendered_report(exposed_report, kind):
    text = exposed_report[kind]
    leaked = [word for word in FORBIDDEN if contains(text, word)]
    assert leaked == []


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_findings_and_recommendations_do_appear(exposed_report, kind):
    text = exposed_report[kind]
    assert contains(text, BPRL_18_RATIONALE)
    assert contains(text, RECOMMENDATION)
    assert contains(text, "Observer 1")
    # What the editor typed is there, with the protected words replaced.
    assert contains(text, "was not allowed to speak")
    assert contains(text, "a source who asked not to be named")
