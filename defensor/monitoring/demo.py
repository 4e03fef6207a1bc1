"""Demo trial monitoring (run by `defensor demo` after the cases and recommendations builders).

Lawyers for Lawyers and Justice International observed hearings in Turkey, Kazakhstan and Syria
(the seed documents). Here Justice International monitors the trial of the Istanbul lawyer of
the demo case (country TR): a plan, three hearings observed in Istanbul in 2017–2018 by two
observers, a submitted questionnaire per hearing, findings confirmed by the pro-bono expert,
a grade, a published report in English, and its recommendations with follow-ups at different
stages (one fully implemented, one partially, one overdue). The answers, findings and report
are invented for the demonstration.

Everything is written through the services. Running the builder again creates nothing: each
step looks for what an earlier run made first.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from defensor.cases.models import Case, Proceeding
from defensor.cases.services import access_grant
from defensor.monitoring import services
from defensor.monitoring.models import (
    Hearing,
    MonitoringPlan,
    Observation,
    ObserverAssignment,
    TrialReport,
)
from defensor.monitoring.reports import services as report_services
from defensor.recommendations.models import ActionKind, ImplementationStatus, Priority, Recommendation
from defensor.recommendations.services import followup_add
from defensor.standards.models import Provision

LEAD = "officer@ji.example"
DIRECTOR = "director@ji.example"
OBSERVER = "observer@ji.example"
SECOND_OBSERVER = "volunteer@ji.example"
EXPERT = "expert@ji.example"


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


# (scheduled start, kind, adjourned reason, next date, the observers' answers by section)
HEARINGS: list[tuple[datetime.datetime, str, str, datetime.date | None, dict[str, dict[str, Any]]]] = [
    (
        _at(2017, 9, 12),
        Hearing.Kind.TRIAL,
        "",
        None,
        {
            "B": {"B.court_type": "civilian", "B.composition": "panel", "B.adjourned": "no"},
            "C": {
                "C.hearing_public": "no",
                "C.closure_reason_announced": "no",
                "C.observer_admitted": "after_delay",
                "C.family_admitted": "yes",
                "C.media_admitted": "no",
                "C.security_presence": "heavy",
            },
            "D": {"D.defendant_present": "in_person", "D.in_custody": "yes", "D.allowed_to_speak": "yes"},
            "E": {
                "E.counsel_present": "yes",
                "E.counsel_identified_with_client": "yes",
                "E.counsel_interrupted_or_restricted": "yes",
            },
            "M": {
                "M.narrative_chronology": (
                    "The presiding judge cleared the public gallery before the indictment was read. The prosecutor "
                    "listed the clients the lawyers had represented as evidence of membership."
                ),
                "M.observer_assessment": "The closure and the prosecutor's reasoning were deeply worrying.",
            },
        },
    ),
    (
        _at(2017, 12, 5),
        Hearing.Kind.TRIAL,
        Hearing.AdjournmentReason.PROSECUTION_NOT_READY,
        datetime.date(2018, 3, 20),
        {
            "B": {"B.adjourned": "yes", "B.adjournment_reason": "prosecution_not_ready"},
            "C": {"C.hearing_public": "yes", "C.observer_admitted": "yes"},
            "F": {
                "F.defence_access_to_case_file": "partial",
                "F.time_between_access_and_hearing_days": "4",
                "F.defence_requested_more_time": "yes",
                "F.request_granted": "no",
            },
            "M": {
                "M.narrative_chronology": (
                    "The defence said it had received part of the file four days earlier and asked for time; the "
                    "court refused and adjourned because the prosecution's witness list was not ready."
                ),
                "M.observer_assessment": "The defence could not prepare.",
            },
        },
    ),
    (
        _at(2018, 3, 20),
        Hearing.Kind.TRIAL,
        "",
        None,
        {
            "C": {"C.hearing_public": "yes", "C.observer_admitted": "yes"},
            "E": {
                "E.counsel_threatened_or_sanctioned_in_court": "warning",
                "E.counsel_interrupted_or_restricted": "yes",
            },
            "I": {"I.judge_demeanour": "dismissive", "I.prejudicial_statements_by_officials_or_media": "yes"},
            "M": {
                "M.narrative_chronology": (
                    "Defence counsel was warned twice while cross-examining; pro-government newspapers had called "
                    "the defendants terrorists the day before."
                ),
                "M.observer_assessment": "Hostile climate for the defence.",
            },
        },
    ),
]

FINDINGS = [
    ("ICCPR-14.1.public", "concern", ""),
    (
        "BPRL-18",
        "violation",
        "The indictment and the prosecutor's speech treat the clients a lawyer defended as evidence against the "
        "lawyer: exactly what Principle 18 forbids.",
    ),
    ("ICCPR-14.3.b", "concern", ""),
    ("BPRL-16", "concern", ""),
    ("ICCPR-14.2", "concern", ""),
]

REPORT_DATE = datetime.date(2018, 6, 15)

# (text, addressee key, priority, due on, follow-ups: (on, action, status, description))
RECOMMENDATIONS: list[tuple[str, str, str, datetime.date, tuple[tuple[datetime.date, str, str, str], ...]]] = [
    (
        "Hear the trial of the Istanbul lawyers in public, and give reasons in open court for any closure.",
        "istanbul-heavy-penal-court",
        Priority.HIGH,
        datetime.date(2018, 9, 1),
        (
            (
                datetime.date(2018, 7, 2),
                ActionKind.LETTER,
                ImplementationStatus.NOT_IMPLEMENTED,
                "Letter to the presiding judge enclosing the report.",
            ),
            (
                datetime.date(2018, 10, 16),
                ActionKind.OTHER,
                ImplementationStatus.FULLY,
                "Our observer attended the hearing of 16 October 2018, held in public from start to end.",
            ),
        ),
    ),
    (
        "Give the defence the whole case file, and enough time to prepare, before each hearing.",
        "moj-turkey",
        Priority.HIGH,
        datetime.date(2018, 10, 1),
        (
            (
                datetime.date(2018, 9, 10),
                ActionKind.MEETING,
                ImplementationStatus.PARTIALLY,
                "Meeting at the ministry: the defence received the rest of the file, but only a week before the "
                "next hearing.",
            ),
        ),
    ),
    (
        "Speak out publicly against identifying lawyers with their clients' causes.",
        "istanbul-bar",
        Priority.MEDIUM,
        datetime.date(2018, 9, 15),
        (),
    ),
]


def _case(demo: Any, organisation: Any) -> Case | None:
    case = demo.objects.get("case:JI-2017-003")
    if isinstance(case, Case):
        return case
    return Case.objects.filter(organisation=organisation, country="TR").order_by("opened_on", "id").first()


def _plan(proceeding: Proceeding, lead: Any) -> MonitoringPlan:
    plan = MonitoringPlan.objects.filter(proceeding=proceeding).first()
    if plan is None:
        plan = services.plan_create(
            actor=lead,
            proceeding=proceeding,
            selection_criteria=["risk", "tribunal_and_law", "scrutiny_value"],
            selection_note="Mass trial of lawyers of one firm; the indictment lists their clients as evidence.",
            status=MonitoringPlan.Status.ACTIVE,
        )
        services.plan_update(actor=lead, plan=plan, accreditation=MonitoringPlan.Accreditation.NOT_NEEDED)
    return plan


def _assign(plan: MonitoringPlan, lead: Any, user: Any, role: str) -> None:
    if plan.assignments.filter(user=user, role=role, ended_at__isnull=True).exists():
        return
    if not Case.objects.visible_to(user).filter(pk=plan.proceeding.case_id).exists():
        access_grant(actor=lead, case=plan.proceeding.case, user=user)
    services.assignment_add(actor=lead, plan=plan, user=user, role=role)


def _observe(plan: MonitoringPlan, lead: Any, observers: list[Any]) -> None:
    for index, (start, kind, reason, next_date, answers) in enumerate(HEARINGS):
        hearing = plan.hearings.filter(scheduled_start=start).first()
        if hearing is None:
            hearing = services.hearing_add(
                actor=lead,
                plan=plan,
                kind=kind,
                scheduled_start=start,
                actual_start=start + datetime.timedelta(minutes=40),
                courtroom="Silivri courthouse, hall 2",
                adjourned=bool(reason),
                adjournment_reason=reason,
                next_date=next_date,
            )
        # Each hearing is observed by one observer (alternating), the first by both.
        chosen = observers if index == 0 else [observers[index % len(observers)]]
        for observer in chosen:
            observation = Observation.objects.filter(hearing=hearing, observer=observer).first()
            if observation is not None and observation.is_submitted:
                continue
            observation = services.observation_start(actor=observer, hearing=hearing)
            questionnaire = observation.questionnaire
            for code, values in answers.items():
                section = questionnaire.sections.get(code=code)
                services.observation_save(actor=observer, observation=observation, section=section, answers=values)
            services.observation_submit(actor=observer, observation=observation)


def _findings(plan: MonitoringPlan, expert: Any) -> None:
    if plan.findings.exists():
        return
    provisions = {p.code: p for p in Provision.objects.filter(code__in=[code for code, _v, _r in FINDINGS])}
    from defensor.monitoring.selectors import findings_propose

    proposals = findings_propose(plan)
    for code, value, rationale in FINDINGS:
        provision = provisions.get(code)
        if provision is None:
            continue
        proposed = proposals.get(code)
        if not rationale and (proposed is None or proposed.value != value):
            rationale = "Confirmed by the expert on the observers' answers."
        services.finding_confirm(actor=expert, plan=plan, provision=provision, value=value, rationale=rationale)
    services.grade_set(
        actor=expert,
        plan=plan,
        grade="C",
        rationale=(
            "The lawyers were prosecuted for the clients they represented, and the defence could not prepare: "
            "violations that affected the course of the trial."
        ),
        affected_outcome="yes",
        significant_harm="yes",
    )


def _report(demo: Any, plan: MonitoringPlan, lead: Any, director: Any) -> TrialReport:
    report = TrialReport.objects.filter(plan=plan, language="en").first()
    if report is not None and report.status == TrialReport.Status.PUBLISHED:
        return report
    if report is None:
        report = report_services.report_generate(actor=lead, plan=plan, language="en")
        report_services.report_section_edit(
            actor=lead,
            report=report,
            key="background",
            text=(
                "Since the attempted coup of July 2016, hundreds of lawyers in Turkey have been detained and "
                "prosecuted under anti-terrorism laws, often for the clients they defended.\n\n"
                "The defendant, an Istanbul lawyer, was detained in a dawn raid in November 2016 with other lawyers "
                "of the same firm. The indictment lists the clients they represented as evidence of membership of "
                "an armed organisation."
            ),
        )
        for text, key, priority, due_on, _steps in RECOMMENDATIONS:
            addressee = demo.objects.get(f"institution:{key}")
            if addressee is not None:
                report_services.report_recommendation_add(
                    actor=lead, report=report, text=text, addressee=addressee, priority=priority, due_on=due_on
                )
    if report.status == TrialReport.Status.DRAFT:
        report_services.report_submit(actor=lead, report=report)
    if report.status == TrialReport.Status.IN_REVIEW:
        report_services.report_approve(actor=director, report=report)
    return report_services.report_publish(actor=director, report=report, dated=REPORT_DATE)


def _follow_up(report: TrialReport, lead: Any) -> None:
    made = {entry["text"]: entry.get("made") for entry in report.recommendations or []}
    for text, _key, _priority, _due, steps in RECOMMENDATIONS:
        recommendation = Recommendation.objects.filter(pk=made.get(text) or 0).first()
        if recommendation is None or recommendation.followups.exists():
            continue
        for on, action, status, description in steps:
            followup_add(
                actor=lead,
                recommendation=recommendation,
                occurred_on=on,
                action=action,
                implementation_status=status,
                description=description,
            )


def build(demo: Any) -> None:
    organisation = demo.objects.get("org:ji")
    users = {email: demo.objects.get(f"user:{email}") for email in (LEAD, DIRECTOR, OBSERVER, SECOND_OBSERVER, EXPERT)}
    if organisation is None or any(user is None for user in users.values()):
        return
    case = _case(demo, organisation)
    proceeding = case.proceedings.order_by("started_on", "id").first() if case is not None else None
    if proceeding is None:
        return
    lead, director = users[LEAD], users[DIRECTOR]
    plan = _plan(proceeding, lead)
    _assign(plan, lead, users[OBSERVER], ObserverAssignment.Role.OBSERVER)
    _assign(plan, lead, users[SECOND_OBSERVER], ObserverAssignment.Role.OBSERVER)
    _assign(plan, lead, users[EXPERT], ObserverAssignment.Role.EXPERT)
    _observe(plan, lead, [users[OBSERVER], users[SECOND_OBSERVER]])
    _findings(plan, users[EXPERT])
    report = _report(demo, plan, lead, director)
    _follow_up(report, lead)
    demo.objects["monitoring:plan:tr"] = plan
    demo.objects["monitoring:report:tr"] = report
