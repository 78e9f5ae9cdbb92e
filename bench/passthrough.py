"""The ceiling: a bare Starlette app that makes the same provider calls as the gateway and
returns their JSON, in a process of its own: `python -m bench.passthrough ROOTS`.

It is what any Python ASGI service would at least cost for the same work: receive the
client's JSON body, send the recorded provider calls (one aiohttp session per provider,
the gateway's pool size and timeouts), parse each JSON answer and send them back as one
JSON list. No GraphQL, no mapping, no cache. The calls per operation arrive once with
`POST /_plan` ({name: [[call, ...], ...]}, stages in order, calls of a stage at once);
`POST /op/{name}` then runs one. Bodies holding `UNIQUE` get a fresh token per operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from yarl import URL

from bench.serving import run, serve_apps
from bench.upstream import POOL_LIMIT, PROVIDERS, Call, headers_for, with_unique

Plan = dict[str, list[list[Call]]]


class Passthrough:
    """The app's state: provider sessions, the plan, a counter for unique bodies."""

    def __init__(self, roots: Mapping[str, str]) -> None:
        self._roots = dict(roots)
        self._plan: Plan = {}
        self._sessions: dict[str, aiohttp.ClientSession] = {}
        self._tokens = itertools.count()

    def app(self) -> Starlette:
        routes = [
            Route("/_plan", self.set_plan, methods=["POST"]),
            Route("/op/{name}", self.operation, methods=["POST"]),
        ]
        return Starlette(routes=routes, lifespan=self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=4.0, connect=2.0)
        for name in PROVIDERS:
            connector = aiohttp.TCPConnector(limit=POOL_LIMIT)
            self._sessions[name] = aiohttp.ClientSession(connector=connector, timeout=timeout)
        try:
            yield
        finally:
            await asyncio.gather(*(s.close() for s in self._sessions.values()))

    async def set_plan(self, request: Request) -> Response:
        raw: dict[str, list[list[dict[str, Any]]]] = await request.json()
        self._plan = {
            name: [[Call.from_dict(c) for c in stage] for stage in stages]
            for name, stages in raw.items()
        }
        return JSONResponse({"operations": sorted(self._plan)})

    async def operation(self, request: Request) -> Response:
        stages = self._plan.get(request.path_params["name"])
        if stages is None:
            return JSONResponse({"error": "no such operation"}, status_code=404)
        body = await request.body()
        if body:
            json.loads(body)  # a real service reads its request too
        token = f"ceiling-{os.getpid()}-{next(self._tokens)}"
        results: list[Any] = []
        try:
            for stage in stages:
                results.extend(await asyncio.gather(*(self._send(c, token) for c in stage)))
        except UpstreamFailed as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        return JSONResponse(results)

    async def _send(self, call: Call, token: str) -> Any:
        url = call.url(self._roots)
        body = with_unique(call.body, token) if call.body is not None else None
        async with self._sessions[call.provider].request(
            call.method, URL(url, encoded=True), data=body, headers=headers_for(call, url)
        ) as response:
            raw = await response.read()
            if response.status >= 300:
                raise UpstreamFailed(f"{call.provider} answered HTTP {response.status}")
        return json.loads(raw)


class UpstreamFailed(Exception):
    """A provider call of the operation did not succeed."""


def main() -> None:
    roots: dict[str, str] = json.loads(sys.argv[1])

    async def serve() -> None:
        await serve_apps({"passthrough": Passthrough(roots).app()})

    run(serve)


if __name__ == "__main__":
    main()
