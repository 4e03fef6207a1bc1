"""Benchmark: the public sign-on endpoint under load, next to a bare one-row-insert WSGI app.

    .venv/bin/python bench/signon.py [--seconds 60] [--databases sqlite,postgres]
        [--postgres postgres://postgres@127.0.0.1:5432] [--workers 4] [--clients 16]

For each database: a fresh database (a SQLite file in a temporary folder, or a PostgreSQL
database created and dropped by the script), migrated, with a live campaign; the real app under
gunicorn on 127.0.0.1 with production settings (DEFENSOR_ENV=production: a long secret key, a
master key, the database cache, manifest static files; only TLS redirection and HSTS are off,
since this is plain HTTP on loopback, and the load source 127.0.0.1 is exempt from rate limits
through DEFENSOR_PUBLIC_RATE_LIMIT_EXEMPT). The server is `defensor.wsgi:application`, the
sign-on lane in front of Django, as deployed. Every sign-on goes through the whole path: form
validation, the signed fill-time note, ALTCHA verification, the single-use record of the
challenge, encryption of name, email and bar association, the blind index and the confirmation
email due on the signature's row, committed in one transaction before the answer.

The proofs of work are solved before the clock starts (solving is the visitor's cost), on
challenges made by the server's own code with the same secret key. They are easy ones: the
server's check is two HMACs whatever the difficulty.

Load: 2 processes on loopback, each an event loop over non-blocking sockets, with its requests
encoded before the clock starts, each request a new email. The same load goes to a minimal
WSGI app (in this file) under the same gunicorn settings that inserts one row per request into
the same kind of database: the physical baseline. The two take turns (--slices, 6 by default:
10 s of sign-ons, 10 s of baseline, and so on), both servers up the whole time, so that the
ratio compares them on the machine as it was that minute: a shared machine's speed drifts by
tens of percent within the hour, and one minute of each, one after the other, measured the
drift as much as the code. At the end, every email answered "check your email" is looked up by
its blind index: lost must be 0.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import multiprocessing
import os
import platform
import secrets
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SLUG = "bench-campaign"
ACK_MARKER = b'data-testid="check-email"'


# ---------------------------------------------------------------- environment


def production_env(workdir: Path, database_url: str) -> dict[str, str]:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {
        **os.environ,
        "DEFENSOR_ENV": "production",
        "DEFENSOR_SECRET_KEY": secrets.token_urlsafe(64),
        "DEFENSOR_MASTER_KEYS": f"bench1:{key}",
        "DEFENSOR_ALLOWED_HOSTS": "127.0.0.1",
        "DEFENSOR_SSL_REDIRECT": "0",
        "DEFENSOR_HSTS_SECONDS": "0",
        "DEFENSOR_HSTS_PRELOAD": "0",
        "DEFENSOR_VAR_DIR": str(workdir),
        "DEFENSOR_MEDIA_ROOT": str(workdir / "media"),
        "DEFENSOR_DATABASE_URL": database_url,
        "DEFENSOR_PUBLIC_RATE_LIMIT_EXEMPT": "127.0.0.1",
        "DEFENSOR_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "defensor.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DEFENSOR_EMAIL_HOST", None)
    return env


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def step_setup(workdir: Path, pool_size: int) -> None:
    """In a child process with the production environment: database, campaign, solved proofs."""
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from defensor.accounts.models import User
    from defensor.core.testing import make_organisation
    from defensor.public import proof_of_work
    from defensor.public.forms import FORM_SALT
    from defensor.public.testing import make_campaign

    organisation = make_organisation("Bench Organisation", "bench-organisation")
    user = User.objects.create_user("bench@bench.test", secrets.token_urlsafe(24), full_name="Bench")
    make_campaign(organisation, user, slug=SLUG)
    from django.core import signing

    started = signing.dumps({"c": SLUG, "t": time.time() - 10}, salt=FORM_SALT, compress=False)
    pool = [
        proof_of_work.solve(proof_of_work.challenge_create(max_counter=3, min_counter=1, cost=1))
        for _n in range(pool_size)
    ]
    (workdir / "pool.json").write_text(json.dumps({"started": started, "payloads": pool}))


def step_verify(workdir: Path) -> None:
    """In a child process: how many acknowledged emails have no signature row."""
    django_setup()
    from defensor.campaigns.models import Campaign, Signature
    from defensor.campaigns.signatures import email_index

    campaign = Campaign.objects.get(slug=SLUG)
    acknowledged = json.loads((workdir / "acknowledged.json").read_text())
    stored = set(Signature.objects.filter(campaign=campaign).values_list("email_index", flat=True))
    lost = sum(1 for email in acknowledged if email_index(campaign=campaign, email=email) not in stored)
    rows = Signature.objects.filter(campaign=campaign).count()
    (workdir / "verified.json").write_text(json.dumps({"rows": rows, "lost": lost}))


# ---------------------------------------------------------------- the baseline app

_baseline_local = threading.local()


def _baseline_connection() -> Any:
    connection = getattr(_baseline_local, "connection", None)
    if connection is None:
        url = os.environ["BENCH_BASELINE_DB"]
        if url.startswith("sqlite:"):
            import sqlite3

            connection = sqlite3.connect(url.removeprefix("sqlite:"), timeout=20, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=20000")
        else:
            import psycopg

            connection = psycopg.connect(url, autocommit=True)
        _baseline_local.connection = connection
    return connection


def baseline_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The physical floor: read the form, insert one row, answer."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    email = urllib.parse.parse_qs(body.decode()).get("email", [""])[0]
    connection = _baseline_connection()
    if os.environ["BENCH_BASELINE_DB"].startswith("sqlite:"):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO bench_row (email) VALUES (?)", (email,))
        connection.execute("COMMIT")
    else:
        connection.execute("INSERT INTO bench_row (email) VALUES (%s)", (email,))
    start_response("200 OK", [("Content-Type", "text/html")])
    return [ACK_MARKER]


def baseline_prepare(url: str) -> None:
    if url.startswith("sqlite:"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:"))
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE bench_row (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
        connection.commit()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE TABLE bench_row (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL)")


def baseline_rows(url: str) -> int:
    if url.startswith("sqlite:"):
        import sqlite3

        return int(sqlite3.connect(url.removeprefix("sqlite:")).execute("SELECT count(*) FROM bench_row").fetchone()[0])
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM bench_row").fetchone()
        return int(row[0]) if row else 0


# ---------------------------------------------------------------- server and load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(app: str, env: dict[str, str], workers: int, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    command = [
        GUNICORN,
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
    ]
    log = (workdir / f"gunicorn-{port}.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", f"/act/{SLUG}/challenge/")
            connection.getresponse().read()
            # Every worker loads the app before the clock starts.
            time.sleep(2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not start; see {workdir}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _requests(
    index: int, payloads: list[str], started: str, port: int, path: str, turn: int
) -> list[tuple[str, bytes]]:
    """Every request this load process may send, encoded before the clock starts: (email, bytes)."""
    prepared = []
    for n, payload in enumerate(payloads):
        email = f"signer-{turn}-{index}-{n}@bench.example"  # a new signer each time, in every turn
        body = urllib.parse.urlencode(
            {
                "name": f"Signer {index}-{n}",
                "profession": "lawyer",
                "bar_association": "Bench Bar",
                "country": "FR",
                "email": email,
                "consent_letter": "on",
                "consent_updates": "on",
                "website": "",
                "started": started,
                "altcha": payload,
            }
        ).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        prepared.append((email, head + body))
    return prepared


_prepared: list[list[tuple[str, bytes]]] = []  # per load process; built before the fork, inherited by it


def _client(args: tuple[int, int, float, int, str]) -> dict[str, Any]:
    """One load process: `connections` connections kept busy by one event loop until the deadline.

    A connection sends a request, reads the answer to the end (the sync workers close the
    connection after each answer), and opens a new one for the next request. One thread and
    non-blocking sockets: the generator's own CPU, which the server's two cores pay for too,
    stays small next to the server's.
    """
    index, port, deadline, connections, path = args
    prepared = _prepared[index]
    # The baseline ignores the proofs: it may reuse them; the sign-on may not.
    queue = itertools.cycle(prepared) if path == "/insert" else iter(prepared)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    acknowledged: list[str] = []
    failures: dict[str, int] = {}

    def fail(key: str) -> None:
        failures[key] = failures.get(key, 0) + 1

    def start() -> bool:
        item = next(queue, None) if time.monotonic() < deadline else None
        if item is None:
            return False
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        state = {"email": item[0], "out": memoryview(item[1]), "in": bytearray(), "began": time.perf_counter()}
        selector.register(sock, selectors.EVENT_WRITE, state)
        return True

    active = sum(1 for _n in range(connections) if start())
    while active:
        for key, _events in selector.select(timeout=1.0):
            sock, state = key.fileobj, key.data
            assert isinstance(sock, socket.socket)
            try:
                if state["out"]:
                    sent = sock.send(state["out"])
                    state["out"] = state["out"][sent:]
                    if not state["out"]:
                        selector.modify(sock, selectors.EVENT_READ, state)
                    continue
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as exc:
                fail(type(exc).__name__)
                chunk = b""
                state["in"] = bytearray()
            if chunk:
                state["in"] += chunk
                continue
            # The server closed the connection: the answer is complete.
            selector.unregister(sock)
            sock.close()
            answer = bytes(state["in"])
            if answer.startswith(b"HTTP/1.1 200") and ACK_MARKER in answer:
                latencies.append(time.perf_counter() - state["began"])
                acknowledged.append(state["email"])
            elif answer:
                fail(answer[9:12].decode("ascii", "replace"))
            if not start():
                active -= 1
    selector.close()
    return {"latencies": latencies, "acknowledged": acknowledged, "failures": failures}


def run_load(
    *, port: int, pool: dict[str, Any], seconds: float, clients: int, path: str, turn: int = 0
) -> dict[str, Any]:
    processes = 2
    payloads: list[str] = pool["payloads"]
    share = len(payloads) // processes
    _prepared[:] = [
        _requests(i, payloads[i * share : (i + 1) * share], pool["started"], port, path, turn) for i in range(processes)
    ]
    with multiprocessing.get_context("fork").Pool(processes) as workers:
        began = time.monotonic()
        deadline = began + seconds
        parts = workers.map(_client, [(i, port, deadline, clients // processes, path) for i in range(processes)])
        elapsed = time.monotonic() - began
    latencies = sorted(x for part in parts for x in part["latencies"])
    failures: dict[str, int] = {}
    for part in parts:
        for key, value in part["failures"].items():
            failures[key] = failures.get(key, 0) + value
    if path != "/insert" and len(latencies) >= len(payloads) - clients:
        print("  warning: the pool of solved proofs ran out before the deadline", flush=True)
    return {
        "acknowledged": [email for part in parts for email in part["acknowledged"]],
        "latencies": latencies,
        "seconds": elapsed,
        "failures": failures,
    }


def combined(slices: list[dict[str, Any]]) -> dict[str, Any]:
    """One endpoint's slices as one run: rate over the summed time, percentiles over all answers."""
    latencies = sorted(x for part in slices for x in part["latencies"])
    seconds = sum(part["seconds"] for part in slices)
    failures: dict[str, int] = {}
    for part in slices:
        for key, value in part["failures"].items():
            failures[key] = failures.get(key, 0) + value
    return {
        "acknowledged": [email for part in slices for email in part["acknowledged"]],
        "per_second": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0,
        "seconds": seconds,
        "slice_rates": [len(part["latencies"]) / part["seconds"] for part in slices],
        "failures": failures,
    }


# ---------------------------------------------------------------- one database


def bench_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"defensor-signon-{kind}-"))
    database_name = f"defensor_bench_signon_{secrets.token_hex(3)}"
    admin_url = args.postgres.rstrip("/")
    if kind == "sqlite":
        database_url = f"sqlite:///{workdir / 'defensor.sqlite3'}"
        baseline_url = f"sqlite:{workdir / 'baseline.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {database_name}")
            connection.execute(f"CREATE DATABASE {database_name}_base")
        database_url = f"{admin_url}/{database_name}"
        baseline_url = f"{admin_url}/{database_name}_base"
    try:
        env = production_env(workdir, database_url)
        pool_size = int(args.seconds * args.pool_rate)
        print(f"[{kind}] setting up (database, static files, {pool_size} solved proofs of work)...", flush=True)
        subprocess.run([PYTHON, __file__, "_setup", str(workdir), str(pool_size)], env=env, check=True, cwd=ROOT)
        pool = json.loads((workdir / "pool.json").read_text())

        baseline_prepare(baseline_url)
        port, base_port = free_port(), free_port()
        servers = [start_server("defensor.wsgi:application", env, args.workers, port, workdir)]
        slices: dict[str, list[dict[str, Any]]] = {"app": [], "baseline": []}
        # How long SQLite's write-ahead log has grown after each turn (a checkpoint lets it be
        # reused from its start; the last connection to close removes it).
        wal = workdir / "defensor.sqlite3-wal"
        wal_sizes: list[int] = []
        try:
            base_env = {**env, "BENCH_BASELINE_DB": baseline_url}
            servers.append(start_server("signon:baseline_app", base_env, args.workers, base_port, workdir))
            # Sign-on and baseline take turns, so that both meet the machine as it is that minute.
            share = len(pool["payloads"]) // args.slices
            step = args.seconds / args.slices
            print(f"[{kind}] sign-on and baseline, {args.slices} turns of {step:.0f} s each...", flush=True)
            for turn in range(args.slices):
                part = {"started": pool["started"], "payloads": pool["payloads"][turn * share : (turn + 1) * share]}
                slices["app"].append(
                    run_load(port=port, pool=part, seconds=step, clients=args.clients, path=f"/act/{SLUG}/", turn=turn)
                )
                wal_sizes.append(wal.stat().st_size if wal.exists() else 0)
                slices["baseline"].append(
                    run_load(port=base_port, pool=part, seconds=step, clients=args.clients, path="/insert", turn=turn)
                )
        finally:
            for server in servers:
                stop_server(server)
        app, base = combined(slices["app"]), combined(slices["baseline"])
        app["wal_bytes"] = wal_sizes if kind == "sqlite" else None
        app["turn_ratios"] = [a / b for a, b in zip(app["slice_rates"], base["slice_rates"], strict=True) if b]
        (workdir / "acknowledged.json").write_text(json.dumps(app["acknowledged"]))
        subprocess.run([PYTHON, __file__, "_verify", str(workdir)], env=env, check=True, cwd=ROOT)
        app.update(json.loads((workdir / "verified.json").read_text()))
        base["rows"] = baseline_rows(baseline_url)
        base["lost"] = max(0, len(base["acknowledged"]) - base["rows"])
        return {"database": kind, "app": app, "baseline": base}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if kind == "postgres":
            import psycopg

            with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)")
                connection.execute(f"DROP DATABASE IF EXISTS {database_name}_base WITH (FORCE)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        step_setup(Path(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_verify":
        step_verify(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (2 x cores)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections, over 2 load processes")
    parser.add_argument("--pool-rate", type=float, default=2500, help="solved proofs prepared per second of load")
    parser.add_argument(
        "--slices", type=int, default=6, help="turns the sign-on and the baseline take, one after the other"
    )
    args = parser.parse_args()

    results = [bench_database(kind, args) for kind in args.databases.split(",")]
    print()
    print(f"{os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, {args.workers} gunicorn")
    print(
        f"sync workers, {args.clients} connections from 2 load processes, {args.seconds:.0f} s per endpoint "
        f"in {args.slices} alternating turns"
    )
    print()
    print("| database | endpoint | requests/s | p50 ms | p99 ms | acknowledged | rows | lost | ratio to baseline |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        app, base = result["app"], result["baseline"]
        for label, run in (("public sign-on", app), ("bare insert (baseline)", base)):
            ratio = app["per_second"] / base["per_second"] if label == "public sign-on" else 1.0
            print(
                f"| {result['database']} | {label} | {run['per_second']:,.0f} | {run['p50_ms']:.1f} | "
                f"{run['p99_ms']:.1f} | {len(run['acknowledged']):,} | {run['rows']:,} | {run['lost']} | {ratio:.2f} |"
            )
        ratios = app["turn_ratios"]
        print(
            f"  {result['database']} per turn: sign-on "
            + ", ".join(f"{rate:,.0f}" for rate in app["slice_rates"])
            + "/s; baseline "
            + ", ".join(f"{rate:,.0f}" for rate in base["slice_rates"])
            + f"/s; ratio {min(ratios):.2f} to {max(ratios):.2f}, median {statistics.median(ratios):.2f}"
        )
        if app.get("wal_bytes") is not None:
            sizes = ", ".join(f"{size / 1e6:.1f}" for size in app["wal_bytes"])
            print(f"  {result['database']} write-ahead log after each sign-on turn: {sizes} MB")
        for label, run in (("sign-on", app), ("baseline", base)):
            if run["failures"]:
                print(f"  {result['database']} {label}: answers other than 'check your email': {run['failures']}")


if __name__ == "__main__":
    main()
