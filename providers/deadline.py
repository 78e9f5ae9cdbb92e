"""The request deadline every upstream attempt must fit into.

The GraphQL endpoint opens a `scope` per request (10 s by default, RELIABILITY.md);
asyncio copies context variables into the tasks a request starts, so every provider
call of that request sees the same deadline without passing it through resolvers.
Each upstream attempt then gets `min(total_timeout, remaining())`, and waiting for a
connection slot or the rate limit stops when the deadline does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

DEFAULT_SECONDS: Final = 10.0  # RELIABILITY.md: a request deadline of 10 s end to end

_deadline: ContextVar[float | None] = ContextVar("upstream_deadline", default=None)


@contextmanager
def scope(seconds: float) -> Iterator[None]:
    """Calls inside end within `seconds` from now (or sooner, if an outer scope says so)."""
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def ensure(seconds: float = DEFAULT_SECONDS) -> Iterator[None]:
    """A scope of `seconds` unless one is already in force (calls outside a request)."""
    if _deadline.get() is not None:
        yield
        return
    with scope(seconds):
        yield


def remaining() -> float | None:
    """Seconds left before the deadline (negative once past), or None outside any scope."""
    ends = _deadline.get()
    return None if ends is None else ends - time.monotonic()


def clip(seconds: float) -> float:
    """`seconds`, shortened to what is left of the deadline (never below zero)."""
    left = remaining()
    return seconds if left is None else max(0.0, min(seconds, left))
