"""Values a process makes once and keeps until a setting they depend on changes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.signals import setting_changed

T = TypeVar("T")


def until_settings_change(*names: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Decorate a function without arguments: its value is made on the first call and kept.

    It is made again after one of the settings `names` changes (`override_settings` in tests
    sends `setting_changed`; a deployment's settings do not change while a process runs).
    """

    def decorate(make: Callable[[], T]) -> Callable[[], T]:
        kept = functools.cache(make)

        def forget(*, setting: str, **_kwargs: Any) -> None:
            if setting in names:
                kept.cache_clear()

        setting_changed.connect(forget, weak=False)
        return kept

    return decorate
