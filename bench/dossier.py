"""Benchmark: the dossier page of a large case, next to a trivial page of the back office.

    .venv/bin/python bench/dossier.py [--events 500] [--documents 100] [--proceedings 20] [--requests 200]

Sets itself up on a temporary file-backed SQLite database (removed at the end), builds a
case through the services (events with provisions, perpetrators and sources; text documents;
proceedings with charges), signs in a case officer and times GET requests through Django's
test client: the dossier page and, as the baseline, the account page (same layout, same
middleware, almost no data). It also builds a small case and counts the queries of both
dossier pages: the page must need the same number of queries whatever the counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def configure(workdir: Path) -> None:
    """Django on a throwaway SQLite file; must run before Django is imported."""
    os.environ["DEFENSOR_ENV"] = "test"
    os.environ["DEFENSOR_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DEFENSOR_VAR_DIR"] = str(workdir)
    os.environ["DEFENSOR_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defensor.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    # run_syncdb: apps whose first migration is not written yet still get their tables.
    call_command("migrate", verbosity=0, run_syncdb=True)


def build_case(*, officer: Any, organisation: Any, events: int, documents: int, proceedings: int, label: str) -> Any:
    """A case with that many events, documents and proceedings, all written through the services."""
    from django.db import transaction

    from defensor.cases import services
    from defensor.directory.models import InstitutionKind
    from defensor.directory.services import institution_create, person_create
    from defensor.standards.models import Provision, Term

    provisions = list(Provision.objects.filter(active=True).order_by("code"))
    reprisals = list(Term.objects.filter(vocabulary__code="reprisal_type", selectable=True).order_by("code"))
    perpetrator_types = list(Term.objects.filter(vocabulary__code="perpetrator_type").order_by("code"))
    reliabilities = list(Term.objects.filter(vocabulary__code="source_reliability").order_by("code"))
    stages = list(Term.objects.filter(vocabulary__code="proceeding_stage").order_by("code"))
    if not (provisions and reprisals and perpetrator_types and reliabilities and stages):
        raise SystemExit("The standards catalogue is empty: the migration that loads it did not run.")
    start = datetime.date(2010, 1, 1)
    with transaction.atomic():
        person = person_create(actor=officer, organisation=organisation, name=f"Гаспар Маталаев {label}")
        court = institution_create(
            actor=officer,
            organisation=organisation,
            name=f"City Court {label}",
            kind=InstitutionKind.COURT,
            country="TM",
        )
        prosecutor = institution_create(
            actor=officer, organisation=organisation, name=f"Prosecutor {label}", kind=InstitutionKind.PROSECUTOR
        )
        case = services.case_open(
            actor=officer,
            organisation=organisation,
            title=f"Benchmark case {label}",
            summary="A case as large as the busiest dossiers, for measuring the dossier page.",
            country="TM",
            lead=officer,
            status="active",
            risk_level="high",
            opened_on=start,
            programmes=["legal_assistance", "advocacy"],
            tags=["benchmark"],
            subjects=[(person, "defender_at_risk")],
        )
        for index in range(events):
            services.event_add(
                actor=officer,
                case=case,
                title=f"Event {index}: detained and questioned about a client",
                occurred_on=start + datetime.timedelta(days=index * 3),
                event_type=reprisals[index % len(reprisals)],
                description="Held for a day at the police station; released without charge.",
                place="Ashgabat",
                provisions=[provisions[(index * 7 + k) % len(provisions)] for k in range(1 + index % 3)],
                perpetrators=[
                    {
                        "perpetrator_type": perpetrator_types[index % len(perpetrator_types)],
                        "institution": prosecutor if index % 2 else court,
                    }
                ],
                sources=[
                    {
                        "description": "Account given by the lawyer.",
                        "reliability": reliabilities[index % len(reliabilities)],
                        "person": person if index % 4 == 0 else None,
                    }
                ],
            )
        for index in range(documents):
            services.document_add(
                actor=officer,
                case=case,
                data=f"Note {index}\n\nWhat the lawyer told us on the phone, written down the same day.\n".encode(),
                filename=f"note-{index}.txt",
                title=f"Note {index}",
                kind="statement",
                language="en",
                document_date=start + datetime.timedelta(days=index),
            )
        for index in range(proceedings):
            proceeding = services.proceeding_add(
                actor=officer,
                case=case,
                kind="criminal",
                body=court,
                case_number=f"{2010 + index}/{index + 1}",
                stage=stages[index % len(stages)],
                started_on=start + datetime.timedelta(days=index * 30),
            )
            for article in ("Fraud", "Abuse of office"):
                services.charge_add(actor=officer, proceeding=proceeding, article=article)
    return case


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: Any, url: str, requests: int) -> dict[str, float]:
    from django.db import connection

    for _ in range(3):  # warm up templates, caches and the connection
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return {
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--proceedings", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="defensor-bench-"))
    try:
        configure(workdir)
        import django
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from defensor.core.testing import build_personas, sign_in

        personas = build_personas()
        officer = personas.users["case_officer"]
        began = time.perf_counter()
        big = build_case(
            officer=officer,
            organisation=personas.organisation,
            events=options.events,
            documents=options.documents,
            proceedings=options.proceedings,
            label="large",
        )
        built = time.perf_counter() - began
        small = build_case(
            officer=officer, organisation=personas.organisation, events=5, documents=2, proceedings=1, label="small"
        )
        client = sign_in(Client(), officer)
        dossier = measure(client, reverse("cases:detail", args=[big.pk]), options.requests)
        small_dossier = measure(client, reverse("cases:detail", args=[small.pk]), 5)
        baseline = measure(client, reverse("accounts:profile"), options.requests)

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"{connection.vendor} {connection.Database.sqlite_version}"  # type: ignore[attr-defined]
        )
        print(
            f"case: {options.events} events, {options.documents} documents, {options.proceedings} proceedings "
            f"(built through the services in {built:.1f} s); {options.requests} requests per page"
        )
        print(f"{'page':<34}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'KB':>8}")
        for name, result in (
            ("dossier (large case)", dossier),
            ("dossier (5 events, 2 docs, 1 proc)", small_dossier),
            ("baseline /app/account/", baseline),
        ):
            print(
                f"{name:<34}{result['median']:>10.1f}{result['p95']:>10.1f}"
                f"{result['queries']:>9.0f}{result['bytes'] / 1024:>8.0f}"
            )
        print(f"ratio dossier / baseline (median): {dossier['median'] / baseline['median']:.1f}")
        fixed = "yes" if dossier["queries"] == small_dossier["queries"] else "NO"
        print(f"same number of queries for the large and the small case: {fixed}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
