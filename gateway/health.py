"""`/healthz` (the process is alive) and `/readyz` (providers and the database answer).

Readiness asks each provider for a count-only page (one cheap upstream call each,
concurrently, with a short deadline) and checks the storage (`SELECT 1` on the SQLite
file, or PING to Redis), so a load balancer stops sending traffic to a gateway that
cannot serve it. Both name the answering process (`pid`): behind a load balancer, or
with `serve --workers N`, that tells the processes apart.
"""

from __future__ import annotations

import asyncio
import os
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.storage import Storage
from providers.errors import ProviderError
from providers.model import ContactQuery, ReadWants
from providers.registry import ProviderEntry, ProviderSet

PROBE_SECONDS: Final = 2.0


async def healthz(request: Request) -> Response:
    """Alive; says which storage is used, whether it opened, and whether the cache is on."""
    storage: Storage | None = getattr(request.app.state, "storage", None)
    opened = storage is not None and (storage.database or storage.redis) is not None
    cache = "ok" if storage is not None and storage.cache else "off (running uncached)"
    body = {
        "status": "ok",
        "pid": os.getpid(),
        "storage": storage.kind if storage is not None else "none",
        "database": "ok" if opened else "unavailable",
        "cache": cache,
    }
    return JSONResponse(body)


async def _probe_provider(entry: ProviderEntry) -> str:
    try:
        query = ContactQuery(limit=0)
        await asyncio.wait_for(entry.call(entry.provider.search(query, ReadWants())), PROBE_SECONDS)
    except TimeoutError:
        return "PROVIDER_TIMEOUT"
    except ProviderError as exc:
        return "ok" if exc.code in ("FORBIDDEN", "BAD_USER_INPUT") else exc.code
    return "ok"


async def _probe_storage(storage: Storage | None) -> str:
    return "ok" if storage is not None and await storage.ping() else "unavailable"


async def readyz(request: Request) -> Response:
    providers: ProviderSet = request.app.state.providers
    entries = list(providers)
    results = await asyncio.gather(*(_probe_provider(e) for e in entries))
    checks = {e.provider.name.value: r for e, r in zip(entries, results, strict=True)}
    database = await _probe_storage(getattr(request.app.state, "storage", None))
    ready = database == "ok" and all(r == "ok" for r in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "pid": os.getpid(),
        "providers": checks,
        "database": database,
    }
    return JSONResponse(body, status_code=200 if ready else 503)
