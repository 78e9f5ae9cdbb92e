"""The sandboxes' control API, all three at once: request logs, counters, latency, reset."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True, slots=True)
class Sandboxes:
    """The running sandboxes: provider name to root URL (the control API lives there)."""

    http: aiohttp.ClientSession
    roots: Mapping[str, str]

    async def _each(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        async def one(root: str) -> Any:
            async with self.http.request(method, root + path, json=body) as response:
                response.raise_for_status()
                return await response.json()

        names = list(self.roots)
        answers = await asyncio.gather(*(one(self.roots[n]) for n in names))
        return dict(zip(names, answers, strict=True))

    async def forget(self) -> None:
        """Empty every request log and counter."""
        await self._each("DELETE", "/_sandbox/requests")

    async def counts(self) -> dict[str, int]:
        """Provider requests received since the last `forget`, per provider."""
        answers = await self._each("GET", "/_sandbox/requests")
        return {name: int(answer["count"]) for name, answer in answers.items()}

    async def logs(self) -> dict[str, list[dict[str, Any]]]:
        """The logged requests (method, path, query, status, ms) per provider, in order."""
        answers = await self._each("GET", "/_sandbox/requests")
        return {name: list(answer["requests"]) for name, answer in answers.items()}

    async def latency(self, ms: float) -> None:
        await self._each("POST", "/_sandbox/faults", {"latency_ms": ms})

    async def reset(self) -> None:
        """Re-seed the data (writes of earlier scenarios are gone), clear faults and logs."""
        await self._each("POST", "/_sandbox/reset")
