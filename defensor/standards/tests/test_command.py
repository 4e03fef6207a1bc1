from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from defensor.standards.loader import DATA_DIR
from defensor.standards.models import Provision


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("standards", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_reports_valid_files():
    out, _err = run("check")
    assert out.startswith("The data files are valid:")
    assert "8 instruments" in out


def test_check_lists_problems_and_fails(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "siblings.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"ECHR-6.3.e"', '"ECHR-6.3.z"'), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\); nothing was loaded"):
        call_command("standards", "check", "--data-dir", str(data), stdout=StringIO(), stderr=err)
    assert "provision 'ECHR-6.3.z' does not exist" in err.getvalue()


def test_load_loads_then_finds_nothing_to_change(db):
    out, _err = run("load")
    assert out.startswith("Standards catalogue loaded.")
    assert Provision.objects.filter(code="BPRL-29").exists()
    out, _err = run("load")
    assert "already up to date" in out


def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("standards")
