from __future__ import annotations

from collections.abc import Iterator

import pytest

from defensor.core import crypto
from defensor.core.testing import Personas, build_personas


@pytest.fixture(autouse=True)
def _fresh_key_caches() -> Iterator[None]:
    """Data keys created inside a rolled-back test must not outlive it in the process cache."""
    crypto.clear_caches()
    yield
    crypto.clear_caches()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: one test's failures must not limit the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()
