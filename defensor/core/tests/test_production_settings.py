"""Production settings pass Django's deployment checks, and refuse to start when unsafe.

Each case starts a real `defensor` process with DEFENSOR_ENV=production. The processes
run side by side (started once for the module) so the whole file takes about as long
as one of them.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from defensor.core.crypto import format_master_key, generate_master_key
from defensor.core.tests.test_headers import PRODUCTION_SECURITY

PROJECT_ROOT = Path(__file__).resolve().parents[3]

SETTINGS_PROBE = (
    "import json, django; django.setup(); from django.conf import settings; "
    f"print(json.dumps({{name: getattr(settings, name) for name in {sorted(PRODUCTION_SECURITY)!r}}}))"
)
CHECK_DEPLOY = ["-m", "defensor.cli", "check", "--deploy", "--fail-level", "WARNING"]


def _production_environment(tmp: Path) -> dict[str, str]:
    # Nothing of this test process's configuration leaks in (other tests set DJANGO_* variables).
    base = {name: value for name, value in os.environ.items() if not name.startswith(("DEFENSOR_", "DJANGO_"))}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "defensor.settings",
        "DEFENSOR_ENV": "production",
        "DEFENSOR_SECRET_KEY": secrets.token_urlsafe(64)[:64],
        "DEFENSOR_MASTER_KEYS": format_master_key(generate_master_key()),
        "DEFENSOR_ALLOWED_HOSTS": "defensor.example",
        "DEFENSOR_VAR_DIR": str(tmp / "var"),
        "DEFENSOR_DATABASE_URL": f"sqlite:///{tmp / 'defensor.sqlite3'}",
    }


def _variant(tmp: Path, *, drop: tuple[str, ...] = (), **changes: str) -> dict[str, str]:
    env = _production_environment(tmp)
    for name in drop:
        env.pop(name)
    env.update(changes)
    return env


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("production")
    cases = {
        "deploy_check": (CHECK_DEPLOY, _variant(tmp)),
        "settings": (["-c", SETTINGS_PROBE], _variant(tmp)),
        "development_secret_key": (CHECK_DEPLOY, _variant(tmp, drop=("DEFENSOR_SECRET_KEY",))),
        "short_secret_key": (CHECK_DEPLOY, _variant(tmp, DEFENSOR_SECRET_KEY="too-short")),
        "no_master_key": (CHECK_DEPLOY, _variant(tmp, drop=("DEFENSOR_MASTER_KEYS",))),
        "debug": (CHECK_DEPLOY, _variant(tmp, DEFENSOR_DEBUG="1")),
        "demo": (CHECK_DEPLOY, _variant(tmp, DEFENSOR_DEMO="1")),
        "no_hosts": (CHECK_DEPLOY, _variant(tmp, drop=("DEFENSOR_ALLOWED_HOSTS",))),
    }
    started = {
        name: subprocess.Popen(
            [sys.executable, *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (args, env) in cases.items()
    }
    done = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=60)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done


def _output(run: subprocess.CompletedProcess[str]) -> str:
    return run.stdout + run.stderr


def test_deploy_check_passes_without_a_warning(runs):
    run = runs["deploy_check"]
    assert run.returncode == 0, _output(run)
    assert "System check identified no issues" in _output(run)


def test_production_sets_the_security_settings_the_header_tests_assume(runs):
    run = runs["settings"]
    assert run.returncode == 0, _output(run)
    assert json.loads(run.stdout) == PRODUCTION_SECURITY


def _assert_refused(run: subprocess.CompletedProcess[str], reason: str) -> None:
    output = _output(run)
    assert run.returncode != 0, output
    assert "Refusing to start in production" in output
    assert reason in output


def test_production_refuses_the_development_secret_key(runs):
    _assert_refused(runs["development_secret_key"], "DEFENSOR_SECRET_KEY is missing, too short or the development key")


def test_production_refuses_a_short_secret_key(runs):
    _assert_refused(runs["short_secret_key"], "DEFENSOR_SECRET_KEY is missing, too short or the development key")


def test_production_refuses_to_start_without_a_master_key(runs):
    _assert_refused(runs["no_master_key"], "no master key")


def test_production_refuses_debug(runs):
    _assert_refused(runs["debug"], "DEFENSOR_DEBUG is on")


def test_production_refuses_demo_mode(runs):
    _assert_refused(runs["demo"], "DEFENSOR_DEMO is on")


def test_production_refuses_to_start_without_allowed_hosts(runs):
    _assert_refused(runs["no_hosts"], "DEFENSOR_ALLOWED_HOSTS is empty")


def test_a_refusal_names_only_what_is_wrong(runs):
    output = _output(runs["debug"])
    assert "DEFENSOR_SECRET_KEY" not in output
    assert "no master key" not in output
