"""The sandbox kit's connection resets: before processing, and after processing (the
"write applied, answer lost" case), as a client on 127.0.0.1 sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from providers.sandboxing import SandboxKit, ServedApp


class Responder:
    def error_response(self, status: int) -> Response:
        return JSONResponse({"error": status}, status_code=status)

    def rate_limited_response(self, retry_after_s: float) -> Response:
        return JSONResponse({"error": 429}, status_code=429)


class Counter:
    """A provider app whose only state is how many writes it processed."""

    def __init__(self) -> None:
        self.writes = 0

    async def write(self, request: Request) -> Response:
        self.writes += 1
        return JSONResponse({"writes": self.writes}, status_code=201)

    async def read(self, request: Request) -> Response:
        return JSONResponse({"writes": self.writes})


@pytest.fixture
async def served() -> AsyncIterator[tuple[Counter, str, aiohttp.ClientSession]]:
    counter = Counter()
    kit = SandboxKit(Responder(), reseed=lambda: None)
    app = kit.wrap(
        Starlette(
            routes=[
                Route("/things", counter.write, methods=["POST"]),
                Route("/things", counter.read, methods=["GET"]),
            ]
        )
    )
    async with ServedApp(app) as server, aiohttp.ClientSession() as http:
        yield counter, server.base_url, http


async def _faults(http: aiohttp.ClientSession, base: str, **changes: Any) -> None:
    async with http.post(f"{base}/_sandbox/faults", json=changes) as resp:
        assert resp.status == 200


async def _log(http: aiohttp.ClientSession, base: str) -> list[dict[str, Any]]:
    async with http.get(f"{base}/_sandbox/requests") as resp:
        return list((await resp.json())["requests"])


async def _post(http: aiohttp.ClientSession, base: str) -> int:
    async with http.post(f"{base}/things", json={}) as resp:
        await resp.read()
        return resp.status


async def test_reset_after_processes_then_drops_without_an_answer(
    served: tuple[Counter, str, aiohttp.ClientSession],
) -> None:
    counter, base, http = served
    await _faults(http, base, reset_after_next=1)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await _post(http, base)
    assert counter.writes == 1  # applied, though the client heard nothing
    assert await _post(http, base) == 201  # armed for one request only
    first, second = await _log(http, base)
    assert (first["dropped"], first["status"]) == (True, 201)
    assert (second["dropped"], second["status"]) == (False, 201)


async def test_reset_before_drops_without_processing(
    served: tuple[Counter, str, aiohttp.ClientSession],
) -> None:
    counter, base, http = served
    await _faults(http, base, reset_before_next=2)
    for _ in range(2):
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await _post(http, base)
    assert counter.writes == 0
    assert await _post(http, base) == 201
    assert [r["dropped"] for r in await _log(http, base)] == [True, True, False]


async def test_writes_only_resets_let_reads_through(
    served: tuple[Counter, str, aiohttp.ClientSession],
) -> None:
    counter, base, http = served
    await _faults(http, base, reset_after_next=1, reset_writes_only=True)
    async with http.get(f"{base}/things") as resp:
        assert resp.status == 200
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await _post(http, base)
    assert counter.writes == 1
    async with http.get(f"{base}/_sandbox/faults") as resp:
        assert (await resp.json())["reset_after_next"] == 0


async def test_a_reset_rate_drops_requests_at_random_half_of_them_processed(
    served: tuple[Counter, str, aiohttp.ClientSession],
) -> None:
    counter, base, http = served
    await _faults(http, base, reset_rate=1.0)
    for _ in range(20):
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await _post(http, base)
    assert 0 < counter.writes < 20  # some dropped before, some after processing
    log = await _log(http, base)
    assert [r["dropped"] for r in log] == [True] * 20
    assert sum(r["status"] == 201 for r in log) == counter.writes
