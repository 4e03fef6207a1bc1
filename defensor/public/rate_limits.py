"""Rate limits for the public forms: short-lived counters in the cache.

Addresses and emails appear in the counters' keys only as keyed hashes; nothing else about
them is kept, and the counters expire with their window.

DEFENSOR_PUBLIC_RATE_LIMIT_EXEMPT lists client addresses that are never limited (comma-
separated), for a load test run from this machine; empty by default, and read once per process.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cache

from django.core.cache import cache as django_cache
from django.utils.crypto import salted_hmac

from defensor.core import context


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


PER_ADDRESS = Limit("address", 30, 600)  # a bar association meeting behind one address signs together
PER_EMAIL = Limit("email", 5, 3600)


@cache
def exempt_addresses() -> frozenset[str]:
    raw = os.environ.get("DEFENSOR_PUBLIC_RATE_LIMIT_EXEMPT", "")
    return frozenset(address for part in raw.split(",") if (address := context.canonical_ip(part)))


def is_exempt(address: str | None) -> bool:
    return bool(address) and address in exempt_addresses()


def _key(limit: Limit, value: str, window: int) -> str:
    digest = salted_hmac("defensor.public.rate-limit", f"{limit.name}:{value}", algorithm="sha256").hexdigest()
    return f"public:rl:{limit.name}:{window}:{digest[:32]}"


def hit(limit: Limit, value: str) -> bool:
    """Count one attempt; False once the limit for this window is passed."""
    window = int(time.time() // limit.seconds)
    key = _key(limit, value, window)
    django_cache.add(key, 0, timeout=limit.seconds)
    try:
        attempts = django_cache.incr(key)
    except ValueError:
        # Expired between add and incr: this is the first attempt of a new window.
        django_cache.set(key, 1, timeout=limit.seconds)
        attempts = 1
    return attempts <= limit.count
