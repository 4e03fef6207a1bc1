"""Benchmark: the trial report of a long trial — findings, generation, PDF and DOCX.

    .venv/bin/python bench/trial_report.py [--hearings 20] [--observers 2] [--runs 5]

Sets itself up on a temporary file-backed SQLite database (removed at the end), builds through
the services a trial with that many hearings, each observed by every observer with a submitted
questionnaire (answers that trigger several rules), confirms the proposed findings and grades
the trial, then times, `--runs` times each: proposing the findings (`findings_propose`),
generating the report (`report_generate`), and rendering it as PDF (Typst) and as DOCX.
Prints the median and the slowest run of each, with the machine and the versions.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Sets Django up on a throwaway database, as the dossier benchmark does.
from dossier import configure

ANSWERS: dict[str, dict[str, Any]] = {
    "B": {"B.court_type": "civilian", "B.composition": "panel", "B.adjourned": "no"},
    "C": {
        "C.hearing_public": "no",
        "C.closure_reason_announced": "no",
        "C.observer_admitted": "after_delay",
        "C.family_admitted": "yes",
        "C.media_admitted": "no",
    },
    "D": {"D.defendant_present": "in_person", "D.in_custody": "yes", "D.restraints_used": "handcuffs"},
    "E": {"E.counsel_present": "yes", "E.counsel_identified_with_client": "yes"},
    "F": {"F.defence_access_to_case_file": "partial", "F.time_between_access_and_hearing_days": "4"},
    "M": {
        "M.narrative_chronology": "The judge cleared the gallery; the prosecutor listed the lawyer's clients.",
        "M.observer_assessment": "Unfair.",
    },
}


def build(*, hearings: int, observers: int) -> tuple[Any, Any]:
    from django.db import transaction
    from django.utils import timezone

    from defensor.accounts.services import organisation_create
    from defensor.cases import services as case_services
    from defensor.core.testing import make_member
    from defensor.directory.models import InstitutionKind
    from defensor.directory.services import institution_create, person_create
    from defensor.monitoring import services
    from defensor.monitoring.selectors import findings_propose
    from defensor.standards.models import Provision

    with transaction.atomic():
        organisation = organisation_create(actor=None, name="Bench Organisation", slug="bench")
        officer = make_member(organisation, "case_officer", email="officer@bench.test")
        people = [
            make_member(organisation, "trial_observer", email=f"observer{i}@bench.test") for i in range(observers)
        ]
        court = institution_create(
            actor=officer, organisation=organisation, name="City Court", kind=InstitutionKind.COURT, country="TR"
        )
        person = person_create(actor=officer, organisation=organisation, name="Bench Defendant")
        case = case_services.case_open(
            actor=officer,
            organisation=organisation,
            title="Benchmark trial",
            summary="A long trial, for measuring the trial report.",
            country="TR",
            lead=officer,
            opened_on=datetime.date(2016, 1, 1),
            subjects=[(person, "lawyer_at_risk")],
        )
        proceeding = case_services.proceeding_add(
            actor=officer, case=case, kind="criminal", body=court, case_number="2016/1"
        )
        case_services.charge_add(actor=officer, proceeding=proceeding, article="Penal Code, Article 314", text="X")
        plan = services.plan_create(actor=officer, proceeding=proceeding, selection_criteria=["risk"])
        for observer in people:
            services.assignment_add(actor=officer, plan=plan, user=observer)
        start = timezone.make_aware(datetime.datetime(2016, 3, 1, 10, 0))
        for index in range(hearings):
            hearing = services.hearing_add(
                actor=officer, plan=plan, kind="trial", scheduled_start=start + datetime.timedelta(days=30 * index)
            )
            for observer in people:
                observation = services.observation_start(actor=observer, hearing=hearing)
                for code, values in ANSWERS.items():
                    section = observation.questionnaire.sections.get(code=code)
                    services.observation_save(actor=observer, observation=observation, section=section, answers=values)
                services.observation_submit(actor=observer, observation=observation)
        provisions = {p.code: p for p in Provision.objects.all()}
        for code, proposal in findings_propose(plan).items():
            services.finding_confirm(actor=officer, plan=plan, provision=provisions[code], value=proposal.value)
        services.grade_set(actor=officer, plan=plan, grade="C", rationale="Bench.", affected_outcome="yes")
    return officer, plan


def timed(function: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times = []
    result = None
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hearings", type=int, default=20)
    parser.add_argument("--observers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="defensor-bench-"))
    try:
        configure(workdir)
        import django
        import typst

        from defensor.core.rendering.docx import render_report_docx
        from defensor.core.rendering.pdf import REPORT_TEMPLATE, page_count, render_pdf
        from defensor.monitoring.reports import services as report_services
        from defensor.monitoring.reports.document import report_document
        from defensor.monitoring.selectors import findings_propose

        began = time.perf_counter()
        officer, plan = build(hearings=args.hearings, observers=args.observers)
        print(f"built {args.hearings} hearings x {args.observers} observers in {time.perf_counter() - began:.1f} s")

        report = report_services.report_generate(actor=officer, plan=plan, language="en")
        results: dict[str, list[float]] = {}
        results["findings_propose"], proposals = timed(lambda: findings_propose(plan), args.runs)
        results["report_generate"], report = timed(
            lambda: report_services.report_generate(actor=officer, plan=plan, language="en"), args.runs
        )
        data = report_document(report)
        results["report data (redacted)"], _data = timed(lambda: report_document(report), args.runs)
        render_pdf(REPORT_TEMPLATE, data)  # the first compilation loads the fonts
        # Typst memoizes a compilation of identical inputs: each run gets a new title, as a new report would.
        runs = iter(range(10 * args.runs))

        def fresh() -> dict[str, Any]:
            return data | {"title": f"{data['title']} ({next(runs)})"}

        results["PDF render"], pdf = timed(lambda: render_pdf(REPORT_TEMPLATE, fresh()), args.runs)
        results["DOCX render"], docx = timed(lambda: render_report_docx(fresh()), args.runs)

        from django.db import connection

        print(
            f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
            f"Django {django.__version__}, "
            f"typst {getattr(typst, '__version__', '?')}, {connection.vendor} {connection.Database.sqlite_version}; "
            f"{len(proposals)} guarantees, {len(report.sections)} sections, PDF {page_count(pdf)} pages "
            f"({len(pdf) // 1024} KB), DOCX {len(docx) // 1024} KB; {args.runs} runs each"
        )
        print(f"{'step':<26} {'median':>10} {'slowest':>10}")
        for name, times in results.items():
            print(f"{name:<26} {statistics.median(times):>8.1f} ms {max(times):>8.1f} ms")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
