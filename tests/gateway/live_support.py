"""Live-update test kit: a graphql-transport-ws client on aiohttp, an SSE reader, and a
gateway over all three sandboxes with short poll intervals."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from starlette.applications import Starlette

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.providers import autodns_entry, is24_entry, spark_entry
from gateway.settings import Settings
from gateway.subscription_settings import SubscriptionSettings
from providers.model import ProviderName
from providers.registry import ProviderEntry
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, all_providers_settings

PROTOCOL = "graphql-transport-ws"
WAIT = 3.0
"""Seconds any one expected message may take."""


@dataclass
class LiveClient:
    """One graphql-transport-ws connection. A reader task answers pings and sorts
    messages by operation id, unless the client is told not to read at all."""

    ws: aiohttp.ClientWebSocketResponse
    messages: dict[str | None, asyncio.Queue[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )
    reader: asyncio.Task[None] | None = None

    def start_reading(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message.get("type") == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            await self.messages[message.get("id")].put(message)

    async def subscribe(self, op_id: str, query: str, **variables: Any) -> None:
        payload = {"query": query, "variables": variables}
        await self.ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})

    async def complete(self, op_id: str) -> None:
        await self.ws.send_json({"id": op_id, "type": "complete"})

    async def message(self, op_id: str, within: float = WAIT) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages[op_id].get(), within)

    async def event(self, op_id: str, within: float = WAIT) -> dict[str, Any]:
        """The next `next` message's `contactChanged` (it must carry no errors)."""
        message = await self.message(op_id, within)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        event: dict[str, Any] = message["payload"]["data"]["contactChanged"]
        return event

    async def quiet(self, op_id: str, seconds: float) -> list[dict[str, Any]]:
        """Whatever arrives for `op_id` within `seconds` (expected: nothing)."""
        await asyncio.sleep(seconds)
        queue = self.messages[op_id]
        return [queue.get_nowait() for _ in range(queue.qsize())]

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


async def connect(
    http: aiohttp.ClientSession,
    base_url: str,
    *,
    payload: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    read: bool = True,
) -> LiveClient:
    """Open, init and (when acknowledged) start reading; the first message is returned
    to the caller through `messages[None]` when it is not an ack."""
    ws = await http.ws_connect(ws_url(base_url), protocols=[PROTOCOL], headers=headers)
    await ws.send_json({"type": "connection_init", "payload": dict(payload or {})})
    client = LiveClient(ws)
    frame = await asyncio.wait_for(ws.receive(), WAIT)
    if frame.type is aiohttp.WSMsgType.TEXT:
        message = json.loads(frame.data)
        assert message["type"] == "connection_ack", message
        if read:
            client.start_reading()
    else:
        await client.messages[None].put({"type": "closed", "code": ws.close_code, "data": frame})
    return client


async def listening(app: Starlette, subscriptions: int, within: float = WAIT) -> None:
    """Until the gateway holds `subscriptions` and every poller has its baseline."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + within
    while loop.time() < ends:
        stats = app.state.live.stats()
        if stats.subscriptions == subscriptions and all(stats.pollers.values()):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not listening: {app.state.live.stats()}")


async def sse_events(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) pairs of a text/event-stream body; comments are skipped."""
    event, data = "", ""
    async for raw in response.content:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if event:
                yield event, json.loads(data) if data else None
            event, data = "", ""
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()


@dataclass
class LiveStack:
    gateway: Gateway
    app: Starlette
    sandboxes: dict[ProviderName, Sandbox]
    settings: Settings

    @property
    def http(self) -> aiohttp.ClientSession:
        return self.gateway.http

    @property
    def base_url(self) -> str:
        return self.gateway.served.base_url

    async def connect(self, **kwargs: Any) -> LiveClient:
        return await connect(self.http, self.base_url, **kwargs)

    def direct(self, name: ProviderName) -> ProviderEntry:
        """The same account, outside the gateway: changes made here are news to it."""
        if name is ProviderName.SPARK:
            assert self.settings.spark is not None
            return spark_entry(self.settings.spark, sandbox=True)
        if name is ProviderName.AUTODNS:
            assert self.settings.autodns is not None
            return autodns_entry(self.settings.autodns, sandbox=True)
        assert self.settings.is24 is not None
        return is24_entry(self.settings.is24, sandbox=True)


def stack_settings(
    spark: str, autodns: str, is24: str, subscriptions: SubscriptionSettings, **extra: Any
) -> Settings:
    return all_providers_settings(spark, is24, autodns, subscriptions=subscriptions, **extra)


@asynccontextmanager
async def live_stack(
    subscriptions: SubscriptionSettings | None = None, **extra: Any
) -> AsyncIterator[LiveStack]:
    """The three sandboxes behind one gateway (open auth unless `auth` is given)."""
    live = subscriptions or SubscriptionSettings(poll_interval=0.25)
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=30).app) as spark,
        ServedApp(autodns_sandbox.create_autodns_sandbox(contact_count=30).app) as autodns,
        ServedApp(is24_sandbox.create_is24_sandbox().app) as is24,
    ):
        settings = stack_settings(spark.base_url, autodns.base_url, is24.base_url, live, **extra)
        app = create_app(settings)
        async with ServedApp(app) as served:
            sandboxes = {
                ProviderName.SPARK: Sandbox(spark, http),
                ProviderName.AUTODNS: Sandbox(autodns, http),
                ProviderName.IS24: Sandbox(is24, http),
            }
            yield LiveStack(Gateway(served, http), app, sandboxes, settings)
