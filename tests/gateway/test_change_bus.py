"""Writes announce themselves on the change bus: once per successful write, never for a
refused one; with Redis, a listener in another gateway hears a write made through this one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from pydantic import SecretStr
from starlette.applications import Starlette

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.changes import ChangeBus, Subscription
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from resolvers.changes import ChangeKind, ContactChange
from schema.ids import decode_global_id
from tests.harness import Gateway, spark_settings

CREATE = """mutation($name: String!) { createContact(input: {provider: SPARK, displayName: $name,
  emails: [{address: "bus.test@example.org"}]}) { contact { id } userErrors { code } } }"""
RENAME = """mutation($id: ID!) { updateContact(id: $id, input: {displayName: "Renamed On The Bus"})
  { userErrors { code } } }"""
DELETE = "mutation($id: ID!) { deleteContact(id: $id) { deletedId userErrors { code } } }"
REFUSED = """mutation { createContact(input: {provider: SPARK, displayName: "No Mail",
  emails: [{address: "not an address"}]}) { userErrors { code } } }"""


def _bus(app: Starlette) -> ChangeBus:
    bus: ChangeBus = app.state.changes
    return bus


@asynccontextmanager
async def gateways(
    cache_url: str | None, count: int
) -> AsyncIterator[tuple[list[Gateway], list[Starlette]]]:
    """`count` gateways on one Spark sandbox and one store."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox,
    ):
        url = SecretStr(cache_url) if cache_url else None
        settings = spark_settings(sandbox.base_url).model_copy(update={"cache_url": url})
        apps = [create_app(settings) for _ in range(count)]
        served = [ServedApp(app) for app in apps]
        for server in served:
            await server.start()
        try:
            yield [Gateway(s, http) for s in served], apps
        finally:
            for server in served:
                await server.stop()


async def _next(subscription: Subscription) -> ContactChange | None:
    return await asyncio.wait_for(subscription.get(), 2)


def _native(global_id: Any) -> str:
    return decode_global_id(str(global_id))[1]


async def test_each_successful_write_is_announced_once(cache_url: str | None) -> None:
    async with gateways(cache_url, 1) as ([gateway], [app]):
        heard = _bus(app).subscribe()
        refused = await gateway.data(REFUSED)
        assert refused["createContact"]["userErrors"]
        created = await gateway.data(CREATE, name="Bus Test")
        contact_id = created["createContact"]["contact"]["id"]
        await gateway.data(RENAME, id=contact_id)
        await gateway.data(DELETE, id=contact_id)
        changes = [await _next(heard) for _ in range(3)]
        native_id = _native(contact_id)
        assert [(c.kind, c.native_id) for c in changes if c] == [
            (ChangeKind.CREATED, native_id),
            (ChangeKind.UPDATED, native_id),
            (ChangeKind.DELETED, native_id),
        ], "the refused create announced nothing"
        first = changes[0]
        assert first is not None and first.provider is ProviderName.SPARK
        assert first.tenant == "default" and first.scope.startswith("SPARK:")
        await asyncio.sleep(0.1)
        assert heard._queue.empty()


async def test_a_write_through_one_gateway_is_heard_by_another(redis_url: str) -> None:
    async with gateways(redis_url, 2) as ([writer, _], [_, listener_app]):
        heard = _bus(listener_app).subscribe()
        created = await writer.data(CREATE, name="Heard Elsewhere")
        change = await _next(heard)
        assert change is not None and change.kind is ChangeKind.CREATED
        assert change.native_id == _native(created["createContact"]["contact"]["id"])
