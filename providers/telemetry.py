"""How the gateway watches upstream HTTP calls without providers knowing about it.

Every provider client builds its aiohttp session with `new_session`, which hooks
aiohttp's request tracing to the observers the client was given. The gateway
passes one that feeds Prometheus metrics and OpenTelemetry spans; providers
never import either. Observers see the provider, method, URL path and status
only — never bodies, query strings or headers (they can carry personal data).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

import aiohttp

from providers.model import ProviderName


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    provider: ProviderName
    method: str
    path: str
    status: int | None
    error: str | None
    seconds: float


class UpstreamObserver(Protocol):
    def call_started(self, provider: ProviderName, method: str, path: str) -> object:
        """Called as a request starts; the returned token comes back in `call_finished`."""
        ...

    def call_finished(self, token: object, call: UpstreamCall) -> None: ...


def _trace_config(
    provider: ProviderName, observers: Sequence[UpstreamObserver]
) -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()

    async def start(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.started = time.perf_counter()
        path = params.url.path
        ctx.tokens = [(o, o.call_started(provider, params.method, path)) for o in observers]

    async def end(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        _finish(ctx, provider, params.method, params.url.path, params.response.status, None)

    async def failed(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        error = type(params.exception).__name__
        _finish(ctx, provider, params.method, params.url.path, None, error)

    config.on_request_start.append(start)
    config.on_request_end.append(end)
    config.on_request_exception.append(failed)
    return config


def _finish(
    ctx: SimpleNamespace,
    provider: ProviderName,
    method: str,
    path: str,
    status: int | None,
    error: str | None,
) -> None:
    seconds = time.perf_counter() - getattr(ctx, "started", time.perf_counter())
    call = UpstreamCall(provider, method, path, status, error, seconds)
    for observer, token in getattr(ctx, "tokens", ()):
        observer.call_finished(token, call)


def new_session(
    provider: ProviderName,
    *,
    pool_limit: int,
    connect_timeout: float,
    total_timeout: float,
    headers: Mapping[str, str] | None = None,
    observers: Sequence[UpstreamObserver] = (),
) -> aiohttp.ClientSession:
    """One provider's session: its own connection pool (a bulkhead), bounded timeouts,
    and the gateway's upstream observers attached."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=pool_limit),
        timeout=aiohttp.ClientTimeout(total=total_timeout, sock_connect=connect_timeout),
        headers=dict(headers or {}),
        trace_configs=[_trace_config(provider, observers)] if observers else None,
    )
