"""What two gateways on one store share besides the cache: idempotency keys and persisted
queries (SQLite: one data_dir, as workers on one machine; Redis: nothing but Redis, as two
machines); and what a Redis that is down costs."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from pydantic import SecretStr

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, fresh_data_dir, spark_settings

CREATE = """mutation($key: String) { createContact(idempotencyKey: $key, input: {provider: SPARK,
  displayName: "Once Only", emails: [{address: "once.only@example.org"}]})
  { contact { id } userErrors { code } } }"""
LIST = "{ contacts(first: 1) { totalCount } }"


@asynccontextmanager
async def two_gateways(
    cache_url: str | None,
) -> AsyncIterator[tuple[Sandbox, Gateway, Gateway]]:
    """Two gateways on one Spark sandbox; with SQLite they share a data_dir."""
    shared = fresh_data_dir()
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox,
    ):
        apps = []
        for _ in range(2):
            data_dir: Path = shared if cache_url is None else fresh_data_dir()
            url = SecretStr(cache_url) if cache_url else None
            settings = spark_settings(sandbox.base_url).model_copy(
                update={"cache_url": url, "data_dir": data_dir}
            )
            apps.append(ServedApp(create_app(settings)))
        async with apps[0] as a, apps[1] as b:
            yield Sandbox(sandbox, http), Gateway(a, http), Gateway(b, http)


async def test_an_idempotency_key_holds_across_gateways(cache_url: str | None) -> None:
    async with two_gateways(cache_url) as (sandbox, a, b):
        first = await a.data(CREATE, key="shared-key-1")
        await sandbox.forget()
        again = await b.data(CREATE, key="shared-key-1")
        assert again == first, "the first result, answered by the other gateway"
        assert [r for r in await sandbox.requests() if r["method"] == "POST"] == []


async def test_a_query_registered_through_one_gateway_runs_through_another(
    cache_url: str | None,
) -> None:
    digest = hashlib.sha256(LIST.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with two_gateways(cache_url) as (_, a, b):
        async with a.http.post(a.url, json={"query": LIST, "extensions": extensions}) as resp:
            assert (await resp.json())["data"]["contacts"]["totalCount"] > 0
        async with b.http.post(b.url, json={"extensions": extensions}) as resp:
            assert (await resp.json())["data"]["contacts"]["totalCount"] > 0


async def test_without_redis_reads_go_upstream_and_keyed_writes_are_refused() -> None:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
    ):
        down = SecretStr("redis://127.0.0.1:9/0")  # nothing listens on port 9
        settings = spark_settings(sandbox_served.base_url).model_copy(update={"cache_url": down})
        async with ServedApp(create_app(settings)) as served:
            gateway, sandbox = Gateway(served, http), Sandbox(sandbox_served, http)
            assert (await gateway.data(LIST))["contacts"]["totalCount"] > 0
            keyed = await gateway.gql(CREATE, key="no-ledger")
            assert keyed["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_UNAVAILABLE"
            assert not [r for r in await sandbox.requests() if r["method"] == "POST"]
            async with http.get(f"{served.base_url}/readyz") as resp:
                assert resp.status == 503
                assert (await resp.json())["database"] == "unavailable"
            async with http.get(f"{served.base_url}/healthz") as resp:
                assert (await resp.json())["storage"] == "redis"
