"""Test support for trial reports: an observed, graded trial built through the services, and text extraction."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from typing import Any

import docx
import pypdf

from defensor.cases import services as case_services
from defensor.directory.models import Institution
from defensor.monitoring import services
from defensor.monitoring.models import Hearing, Observation, TrialReport
from defensor.monitoring.reports import services as report_services
from defensor.monitoring.tests.conftest import soon
from defensor.standards.models import Provision

BPRL_18_RATIONALE = "The prosecutor told the court the lawyer shared the client's aims."
GRADE_RATIONALE = "The closed hearing and the treatment of counsel affected the outcome."
RECOMMENDATION = "Stop citing the clients a lawyer defended as evidence against the lawyer."
ASSESSMENT = "In my view this was a sham from start to finish."


def submit(world: Any, observer: Any, hearing: Hearing, answers: dict[str, dict[str, Any]]) -> Observation:
    observation = services.observation_start(actor=observer, hearing=hearing)
    answers.setdefault("C", {}).setdefault("C.hearing_public", "yes")
    answers.setdefault("M", {}).setdefault("M.observer_assessment", ASSESSMENT)
    for code, values in answers.items():
        section = world.questionnaire.sections.get(code=code)
        services.observation_save(actor=observer, observation=observation, section=section, answers=values)
    return services.observation_submit(actor=observer, observation=observation)


@dataclass
class Trial:
    world: Any
    second_hearing: Hearing
    ministry: Institution

    @property
    def plan(self) -> Any:
        return self.world.plan

    @property
    def officer(self) -> Any:
        return self.world.user("case_officer")

    @property
    def director(self) -> Any:
        return self.world.user("director")


def observed_trial(world: Any) -> Trial:
    """Two hearings, two observers, findings confirmed by plan staff, a grade C, a charge."""
    officer = world.user("case_officer")
    plan = world.plan
    second = services.hearing_add(
        actor=officer,
        plan=plan,
        kind="trial",
        scheduled_start=soon(days=20),
        adjourned=True,
        adjournment_reason="witness_absent",
    )
    services.assignment_add(actor=officer, plan=plan, user=world.other_observer)
    case_services.charge_add(
        actor=officer,
        proceeding=world.proceeding,
        article="Criminal Code, Article 275",
        text="Inciting social discord",
        max_penalty="Ten years' imprisonment",
    )
    submit(
        world,
        world.observer,
        world.hearing,
        {
            "C": {"C.hearing_public": "no", "C.closure_reason_announced": "no"},
            "F": {"F.time_between_access_and_hearing_days": "3"},
            "M": {"M.narrative_chronology": "The judge read the indictment and cleared the courtroom."},
        },
    )
    submit(world, world.other_observer, world.hearing, {"E": {"E.counsel_identified_with_client": "yes"}})
    submit(world, world.other_observer, second, {"C": {"C.hearing_public": "yes"}})
    provisions = {p.code: p for p in Provision.objects.filter(code__in=["ICCPR-14.1.public", "BPRL-18"])}
    services.finding_confirm(actor=officer, plan=plan, provision=provisions["ICCPR-14.1.public"], value="concern")
    services.finding_confirm(
        actor=officer, plan=plan, provision=provisions["BPRL-18"], value="violation", rationale=BPRL_18_RATIONALE
    )
    services.grade_set(
        actor=officer, plan=plan, grade="C", rationale=GRADE_RATIONALE, affected_outcome="yes", significant_harm="no"
    )
    ministry = Institution.objects.create(
        organisation=world.organisation, name="Ministry of Justice", kind="ministry", country="TM"
    )
    return Trial(world, second, ministry)


def published_report(trial: Trial) -> TrialReport:
    report = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en")
    report_services.report_recommendation_add(
        actor=trial.officer,
        report=report,
        text=RECOMMENDATION,
        addressee=trial.ministry,
        priority="high",
        due_on=datetime.date(2025, 6, 1),
    )
    report_services.report_submit(actor=trial.officer, report=report)
    report_services.report_approve(actor=trial.director, report=report)
    return report_services.report_publish(actor=trial.director, report=report, dated=datetime.date(2025, 3, 1))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [paragraph.text for paragraph in section.header.paragraphs]
        parts += [paragraph.text for paragraph in section.footer.paragraphs]
    return "\n".join(parts)


def squeezed(text: str) -> str:
    """Text without line-end hyphenation and whitespace, lower-cased: a word broken across lines is still found."""
    return re.sub(r"\s+", "", re.sub(r"[-\u00ad\u2010]\s*\n", "", text)).lower()


def contains(haystack: str, needle: str) -> bool:
    return squeezed(needle) in squeezed(haystack)
