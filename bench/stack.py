"""The processes of one bench run: sandboxes, gateway, passthrough and load generator.

Four processes besides this one, all on 127.0.0.1: the three sandboxes share one
process, the gateway and the passthrough get one each (uvicorn, one worker), and the
load generator its own, so the driver of the load never shares a core's event loop
with what it measures. `Stack.running()` starts them and stops them in every case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.children import Child
from bench.control import Sandboxes
from bench.plan import Endpoints
from bench.serving import HOST
from bench.upstream import PROVIDERS


@dataclass(slots=True)
class Stack:
    http: aiohttp.ClientSession
    sandboxes: Sandboxes
    endpoints: Endpoints
    gateway: Child
    loadgen: Child
    children: list[Child]

    async def load(self, job: dict[str, Any]) -> dict[str, Any]:
        """One load-generator job; its summary."""
        timeout = float(job["duration"]) + float(job["warmup"]) + 60
        return await self.loadgen.ask(job, timeout)

    def implementations(self) -> dict[str, dict[str, Any]]:
        """Which event loop and HTTP parser each process runs."""
        return {
            c.name: {k: v for k, v in c.hello.items() if k in ("loop", "http")}
            for c in self.children
        }

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, work_dir: Path) -> AsyncIterator[Stack]:
        children: list[Child] = []
        try:
            sandboxes = await Child.start("sandboxes", "bench.sandboxes", log_dir=work_dir)
            children.append(sandboxes)
            roots = {p: f"http://{HOST}:{sandboxes.port(p)}" for p in PROVIDERS}
            data_dir = work_dir / "gateway-data"
            data_dir.mkdir()
            outcomes = await asyncio.gather(
                Child.start(
                    "gateway",
                    "bench.gateway_server",
                    json.dumps(roots),
                    str(data_dir),
                    log_dir=work_dir,
                ),
                Child.start(
                    "passthrough", "bench.passthrough", json.dumps(roots), log_dir=work_dir
                ),
                Child.start("loadgen", "bench.loadgen", log_dir=work_dir),
                return_exceptions=True,
            )
            children.extend(c for c in outcomes if isinstance(c, Child))
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            gateway, passthrough, loadgen = children[1:]
            endpoints = Endpoints(
                graphql=f"http://{HOST}:{gateway.port('gateway')}/graphql",
                passthrough=f"http://{HOST}:{passthrough.port('passthrough')}",
                roots=roots,
            )
            async with aiohttp.ClientSession() as http:
                yield cls(http, Sandboxes(http, roots), endpoints, gateway, loadgen, children)
        finally:
            await asyncio.gather(*(c.stop() for c in reversed(children)))
