from __future__ import annotations

import re
from pathlib import Path

import pytest

from defensor.core.environment import ConfigurationError, envbool, envint, envlist, envstr

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "defensor" / "settings.py").read_text()
    used = set(re.findall(r'env(?:str|bool|int|list)\("(DEFENSOR_[A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^(DEFENSOR_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert used, "no settings found: the pattern is wrong"
    assert used - documented == set()


def test_secret_from_file_wins(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    monkeypatch.setenv("DEFENSOR_X", "from-env")
    monkeypatch.setenv("DEFENSOR_X_FILE", str(secret))
    assert envstr("DEFENSOR_X") == "from-file"


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False), ("", True)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DEFENSOR_FLAG", raw)
    assert envbool("DEFENSOR_FLAG", True) is expected


def test_bad_boolean_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DEFENSOR_FLAG", "maybe")
    with pytest.raises(ConfigurationError, match="DEFENSOR_FLAG must be a boolean"):
        envbool("DEFENSOR_FLAG", False)


def test_bad_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DEFENSOR_N", "ten")
    with pytest.raises(ConfigurationError, match="DEFENSOR_N must be a whole number"):
        envint("DEFENSOR_N", 1)


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("DEFENSOR_HOSTS", "a.org, ,b.org,")
    assert envlist("DEFENSOR_HOSTS") == ["a.org", "b.org"]
