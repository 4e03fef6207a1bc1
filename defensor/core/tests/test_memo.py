"""`until_settings_change`: made once, made again when a setting it depends on changes."""

from __future__ import annotations

from django.test import override_settings

from defensor.core.memo import until_settings_change

made: list[str] = []


@until_settings_change("DEFENSOR_MEMO_TEST")
def _value() -> str:
    from django.conf import settings

    made.append("x")
    return str(getattr(settings, "DEFENSOR_MEMO_TEST", "unset"))


def test_the_value_is_made_once_and_again_after_its_setting_changes() -> None:
    made.clear()
    _value.cache_clear()  # type: ignore[attr-defined]
    assert _value() == _value() == "unset"
    assert len(made) == 1
    with override_settings(DEFENSOR_MEMO_TEST="changed"):
        assert _value() == "changed"
    assert _value() == "unset"
    assert len(made) == 3


def test_another_setting_changing_keeps_the_value() -> None:
    made.clear()
    _value.cache_clear()  # type: ignore[attr-defined]
    _value()
    with override_settings(LANGUAGE_CODE="ru"):
        _value()
    assert len(made) == 1
