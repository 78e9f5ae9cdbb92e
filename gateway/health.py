"""`/healthz` (the process is alive) and `/readyz` (providers and the database answer).

Readiness asks each provider for a count-only page (one cheap upstream call each,
concurrently, with a short deadline) and runs `SELECT 1` on the SQLite file, so a
load balancer stops sending traffic to a gateway that cannot serve it.
"""

from __future__ import annotations

import asyncio
from typing import Final

import aiosqlite
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from providers.errors import ProviderError
from providers.model import ContactQuery, ReadWants
from providers.registry import ProviderEntry, ProviderSet

PROBE_SECONDS: Final = 2.0


async def healthz(request: Request) -> Response:
    """Alive; says whether the SQLite file (persisted queries) and the cache are in use."""
    state = request.app.state
    database = "ok" if getattr(state, "database", None) is not None else "unavailable"
    cache = "ok" if getattr(state, "cache", None) is not None else "off (running uncached)"
    return JSONResponse({"status": "ok", "database": database, "cache": cache})


async def _probe_provider(entry: ProviderEntry) -> str:
    try:
        query = ContactQuery(limit=0)
        await asyncio.wait_for(entry.call(entry.provider.search(query, ReadWants())), PROBE_SECONDS)
    except TimeoutError:
        return "PROVIDER_TIMEOUT"
    except ProviderError as exc:
        return "ok" if exc.code in ("FORBIDDEN", "BAD_USER_INPUT") else exc.code
    return "ok"


async def _probe_database(connection: aiosqlite.Connection | None) -> str:
    if connection is None:
        return "unavailable"
    try:
        async with connection.execute("SELECT 1") as cursor:
            await cursor.fetchone()
    except (aiosqlite.Error, ValueError):
        return "unavailable"
    return "ok"


async def readyz(request: Request) -> Response:
    providers: ProviderSet = request.app.state.providers
    entries = list(providers)
    results = await asyncio.gather(*(_probe_provider(e) for e in entries))
    checks = {e.provider.name.value: r for e, r in zip(entries, results, strict=True)}
    database = await _probe_database(getattr(request.app.state, "database", None))
    ready = database == "ok" and all(r == "ok" for r in checks.values())
    body = {"status": "ready" if ready else "not ready", "providers": checks, "database": database}
    return JSONResponse(body, status_code=200 if ready else 503)
