"""Who is asking and from where, for the audit log, without threading a request through services."""

from __future__ import annotations

import contextvars
import functools
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "defensor_request_context",
    default=RequestContext(),  # noqa: B039 - a frozen dataclass, never mutated
)


def current() -> RequestContext:
    return _current.get()


def activate(ctx: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(ctx)


def deactivate(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)


@functools.lru_cache(maxsize=4096)  # each request asks; most come from the addresses seen before
def canonical_ip(value: str | None) -> str | None:
    """The address in the form the database stores it, or None if it is not an address."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None
