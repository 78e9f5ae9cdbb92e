"""One upstream HTTP exchange, the same for every provider client.

Sends the request on the provider's session, reads the body up to a cap (a
provider answering gigabytes must not exhaust memory), and translates aiohttp's
failures into provider errors at this boundary: a timeout is PROVIDER_TIMEOUT,
a refused, reset or broken connection is PROVIDER_UNAVAILABLE. Each attempt's total
timeout is the session's, clipped to what is left of the request deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from providers import deadline, write_outcome
from providers.errors import NotSent, ProviderProtocolError, ProviderTimeout, ProviderUnavailable
from providers.model import ProviderName

DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def require_https(base_url: str, provider: str) -> None:
    """Credentials never travel in clear text: HTTPS, or plain http to a loopback sandbox."""
    url = URL(base_url)
    if url.scheme == "https" and url.host:
        return
    if url.scheme == "http" and url.host in LOOPBACK_HOSTS:
        return
    raise ValueError(f"{provider} requires HTTPS (plain http is allowed only on loopback)")


_CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class RawResponse:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


async def exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    provider: ProviderName,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> RawResponse:
    """Send one request and read its whole (capped) answer, or raise a provider error."""
    timeout = _attempt_timeout(session.timeout, provider)
    try:
        # Redirects are never followed: a signed or authenticated request must not be
        # replayed against whatever host a Location header names.
        async with session.request(
            method,
            url,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=timeout,
            middlewares=write_outcome.sent_once(method),
        ) as resp:
            write_outcome.answered(method, resp.status)
            body = await _read_capped(resp, provider, max_body)
            return RawResponse(resp.status, resp.headers, body)
    except TimeoutError as exc:
        write_outcome.lost(method, exc)
        raise ProviderTimeout(
            f"{provider.value} did not answer in time", provider=provider
        ) from exc
    except aiohttp.ClientError as exc:
        write_outcome.lost(method, exc)
        raise ProviderUnavailable(
            f"{provider.value} unreachable: {type(exc).__name__}", provider=provider
        ) from exc


def _attempt_timeout(base: aiohttp.ClientTimeout, provider: ProviderName) -> aiohttp.ClientTimeout:
    """The session's timeouts with `total` = min(its total, the deadline's remainder)."""
    left = deadline.remaining()
    if left is None:
        return base
    if left <= 0:
        raise NotSent(f"{provider.value}: the request deadline ran out", provider=provider)
    total = left if base.total is None else min(base.total, left)
    return aiohttp.ClientTimeout(
        total=total,
        connect=base.connect,
        sock_read=base.sock_read,
        sock_connect=base.sock_connect,
        ceil_threshold=base.ceil_threshold,
    )


async def _read_capped(resp: aiohttp.ClientResponse, provider: ProviderName, cap: int) -> bytes:
    if resp.content_length is not None and resp.content_length > cap:
        raise ProviderProtocolError(f"{provider.value} response too large", provider=provider)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > cap:
            raise ProviderProtocolError(f"{provider.value} response too large", provider=provider)
        chunks.append(chunk)
    return b"".join(chunks)
