"""Did a write reach the provider? The evidence one write operation's exchanges leave.

A write operation (an adapter's create, update, delete, …) may send several
requests: reads before, the write itself, a read-back after. When it fails, the
caller must know whether the provider may have applied it:

- a state-changing request that was answered below 400, or with 502/504 (a proxy
  lost the upstream's answer), may have been applied;
- one whose connection failed after the request may have left (timeout, reset,
  server disconnect) may have been applied;
- one that never got a connection (refused, connect timeout, `NotSent`), or was
  answered 4xx or with the provider's own 5xx error, was not.

`exchange()` (providers/http.py) reports every answer and every lost exchange
here; `watching()` collects them for one operation (context variables reach the
tasks the operation starts). Outside `watching()` nothing is recorded.

aiohttp itself resends PUT and DELETE once when a kept-alive connection drops;
`sent_once()` stops that for writes: a write goes out at most once per attempt,
and a lost one is reported as lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

import aiohttp

from providers.errors import NotSent, OutcomeUnknown, ProviderError

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
AMBIGUOUS_STATUSES: Final = frozenset({502, 504})
NEVER_SENT: Final = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, NotSent)


class NotResent(aiohttp.ClientConnectionError):
    """The connection dropped after a write was sent; it is not sent again."""


def sent_once(method: str) -> tuple[aiohttp.ClientMiddlewareType, ...] | None:
    """Per-request aiohttp middleware for a state-changing request: a second send (aiohttp's
    own retry on a dropped connection) fails as NotResent instead."""
    if method.upper() in SAFE_METHODS:
        return None
    sent = False

    async def once(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        nonlocal sent
        if sent:
            raise NotResent(f"the connection dropped after {request.method} was sent")
        sent = True
        return await handler(request)

    return (once,)


@dataclass(slots=True)
class WriteEvidence:
    """What one write operation's requests showed; `maybe_applied` once any may have."""

    maybe_applied: bool = False


_current: ContextVar[WriteEvidence | None] = ContextVar("write_evidence", default=None)


@contextmanager
def watching() -> Iterator[WriteEvidence]:
    """Collect the evidence of the requests sent inside this block."""
    evidence = WriteEvidence()
    token = _current.set(evidence)
    try:
        yield evidence
    finally:
        _current.reset(token)


def answered(method: str, status: int) -> None:
    """A request got an answer with `status`."""
    if status < 400 or status in AMBIGUOUS_STATUSES:
        _note(method)


def lost(method: str, error: BaseException) -> None:
    """A request failed without a (whole) answer."""
    if not isinstance(error, NEVER_SENT):
        _note(method)


def _note(method: str) -> None:
    evidence = _current.get()
    if evidence is not None and method.upper() not in SAFE_METHODS:
        evidence.maybe_applied = True


def unknown_if_applied(error: ProviderError, evidence: WriteEvidence) -> ProviderError:
    """`error` itself, or OutcomeUnknown when a write of the operation may have been applied."""
    if not evidence.maybe_applied or isinstance(error, OutcomeUnknown):
        return error
    name = error.provider.value if error.provider else "the provider"
    return OutcomeUnknown(
        f"{name} may have applied the write, but its answer was lost ({error.code})",
        provider=error.provider,
        provider_code=error.provider_code,
        trace_id=error.trace_id,
    )
