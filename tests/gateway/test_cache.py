"""The read cache: hits, invalidation by every mutation, stale-if-error, isolation, erasure.

Each test runs on both stores (`cache_url` fixture, tests/plugins/redis_server.py): the
SQLite file (the default) and Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import CacheSettings, ProviderTtl, Settings
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, fresh_data_dir, spark_settings

READ = """query($id: ID!, $cache: CacheControl) {
  contact(id: $id, cache: $cache) { displayName freshness { servedFrom stale fetchedAt } }
}"""
LIST = "{ contacts(first: 5) { totalCount nodes { id displayName } } }"
CREATE = """mutation($name: String!, $email: String!) { createContact(input: {provider: SPARK,
  displayName: $name, emails: [{address: $email}]}) { contact { id } userErrors { code } } }"""


def _on(settings: Settings, cache_url: str | None, **update: Any) -> Settings:
    """These settings with the cache in `cache_url` (None: the SQLite file)."""
    url = SecretStr(cache_url) if cache_url is not None else None
    return settings.model_copy(update={"cache_url": url, **update})


@asynccontextmanager
async def spark_gateway(
    cache_url: str | None, **update: Any
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """A fresh Spark sandbox and a gateway in front of it, caching in `cache_url`."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as served,
    ):
        settings = _on(spark_settings(served.base_url), cache_url, **update)
        async with ServedApp(create_app(settings)) as gateway_served:
            yield Sandbox(served, http), Gateway(gateway_served, http)


@pytest.fixture
async def stack(cache_url: str | None) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with spark_gateway(cache_url) as pair:
        yield pair


async def _first_id(gateway: Gateway) -> str:
    data = await gateway.data(LIST)
    first: str = data["contacts"]["nodes"][0]["id"]
    return first


async def test_a_second_read_is_served_from_the_cache(gateway: Gateway, sandbox: Sandbox) -> None:
    contact_id = await _first_id(gateway)
    await sandbox.forget()
    first = (await gateway.data(READ, id=contact_id))["contact"]
    assert first["freshness"]["servedFrom"] == "PROVIDER"
    second = (await gateway.data(READ, id=contact_id))["contact"]
    assert second["freshness"] == {**first["freshness"], "servedFrom": "CACHE"}
    assert await sandbox.count() == 1


async def test_fresh_only_and_max_age_go_upstream(gateway: Gateway, sandbox: Sandbox) -> None:
    contact_id = await _first_id(gateway)
    await gateway.data(READ, id=contact_id)
    await sandbox.forget()
    fresh = await gateway.data(READ, id=contact_id, cache={"policy": "FRESH_ONLY"})
    assert fresh["contact"]["freshness"]["servedFrom"] == "PROVIDER"
    aged = await gateway.data(READ, id=contact_id, cache={"maxAge": 0})
    assert aged["contact"]["freshness"]["servedFrom"] == "PROVIDER"
    assert await sandbox.count() == 2


async def test_lists_are_cached_and_a_create_invalidates_them(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    before = (await gateway.data(LIST))["contacts"]["totalCount"]
    await sandbox.forget()
    assert (await gateway.data(LIST))["contacts"]["totalCount"] == before
    assert await sandbox.count() == 0
    created = await gateway.data(CREATE, name="Cache Test", email="cache.test@example.org")
    assert created["createContact"]["userErrors"] == []
    assert (await gateway.data(LIST))["contacts"]["totalCount"] == before + 1


UPDATE = """mutation($id: ID!, $name: String) { updateContact(id: $id, input: {displayName: $name})
  { contact { displayName } userErrors { code } } }"""


async def test_update_transfer_and_delete_each_invalidate(gateway: Gateway) -> None:
    contact_id = await _first_id(gateway)
    await gateway.data(READ, id=contact_id)
    await gateway.data(UPDATE, id=contact_id, name="Renamed Person")
    assert (await gateway.data(READ, id=contact_id))["contact"]["displayName"] == "Renamed Person"
    transfer = """mutation($id: ID!, $owner: String!) { transferContact(id: $id, ownerId: $owner)
      { userErrors { code } } }"""
    await gateway.data(transfer, id=contact_id, owner=spark_sandbox.AGENT_B_ID)
    assert (await gateway.data(READ, id=contact_id))["contact"] is None, "agent B owns it now"
    other_id = await _first_id(gateway)
    await gateway.data(READ, id=other_id)
    delete = "mutation($id: ID!) { deleteContact(id: $id) { deletedId } }"
    await gateway.data(delete, id=other_id)
    assert (await gateway.data(READ, id=other_id))["contact"] is None


@pytest.fixture
async def short_ttl(cache_url: str | None) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """A gateway whose Spark records and lists are never fresh (TTL 0), so each read goes
    upstream and a failure falls back to the stale copy."""
    cache = CacheSettings(spark=ProviderTtl(records=0, lists=0, stale_if_error=3600))
    async with spark_gateway(cache_url, cache=cache) as pair:
        yield pair


async def test_stale_if_error_serves_the_flagged_copy(short_ttl: tuple[Sandbox, Gateway]) -> None:
    sandbox, gateway = short_ttl
    contact_id = await _first_id(gateway)
    fresh = (await gateway.data(READ, id=contact_id))["contact"]
    await sandbox.faults(fail_next=3)  # the read and its 2 retries
    body = await gateway.gql(READ, id=contact_id)
    assert "errors" not in body
    stale = body["data"]["contact"]
    assert stale["displayName"] == fresh["displayName"]
    assert stale["freshness"]["stale"] is True
    assert stale["freshness"]["servedFrom"] == "CACHE"
    assert body["extensions"]["stale"][0]["provider"] == "SPARK"
    await sandbox.faults(fail_next=3)  # the read and its 2 retries
    listing = await gateway.gql(LIST)
    assert listing["data"]["contacts"]["totalCount"] > 0
    assert listing["extensions"]["stale"]


async def test_without_a_cached_copy_the_failure_shows(short_ttl: tuple[Sandbox, Gateway]) -> None:
    sandbox, gateway = short_ttl
    await sandbox.faults(fail_next=3)  # the read and its 2 retries
    body = await gateway.gql(LIST)
    assert body["data"]["contacts"] is None
    assert body["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"


async def _stack_for(
    http: aiohttp.ClientSession,
    base_url: str,
    token: str,
    data_dir: Path,
    cache_url: str | None = None,
) -> ServedApp:
    settings = _on(spark_settings(base_url, token=token), cache_url, data_dir=data_dir)
    return ServedApp(create_app(settings))


async def test_two_credentials_sharing_the_cache_never_see_each_other(
    cache_url: str | None,
) -> None:
    data_dir = fresh_data_dir()
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
    ):
        agent_a = await _stack_for(
            http, sandbox_served.base_url, spark_sandbox.PRIVATE_TOKEN, data_dir, cache_url
        )
        agent_b = await _stack_for(
            http, sandbox_served.base_url, spark_sandbox.OTHER_AGENT_TOKEN, data_dir, cache_url
        )
        async with agent_a, agent_b:
            a_list = await Gateway(agent_a, http).data(LIST)
            b_list = await Gateway(agent_b, http).data(LIST)
            a_again = await Gateway(agent_a, http).data(LIST)
    a_ids = {n["id"] for n in a_list["contacts"]["nodes"]}
    b_ids = {n["id"] for n in b_list["contacts"]["nodes"]}
    assert a_ids.isdisjoint(b_ids)
    assert a_list["contacts"]["totalCount"] != b_list["contacts"]["totalCount"]
    assert a_again == a_list


async def test_a_deleted_contact_leaves_no_bytes_in_the_sqlite_files() -> None:
    data_dir = fresh_data_dir()
    marker = "Zebulon Erasmus-Quaternion"
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
        await _stack_for(
            http, sandbox_served.base_url, spark_sandbox.PRIVATE_TOKEN, data_dir
        ) as served,
    ):
        gateway = Gateway(served, http)
        created = await gateway.data(CREATE, name=marker, email="zeb.erasmus@example.org")
        contact_id = created["createContact"]["contact"]["id"]
        await gateway.data(READ, id=contact_id)
        await gateway.data(
            '{ contacts(first: 50, filter: {displayName: "Zebulon*"}) { nodes { displayName } } }'
        )
        assert _bytes_in(data_dir, marker.encode()), "the read was cached"
        await gateway.data(
            "mutation($id: ID!) { deleteContact(id: $id) { deletedId } }", id=contact_id
        )
        assert not _bytes_in(data_dir, marker.encode())


def _bytes_in(directory: Path, needle: bytes) -> bool:
    return any(needle in path.read_bytes() for path in directory.iterdir() if path.is_file())


async def test_a_deleted_contact_leaves_no_copy_in_redis(redis_url: str) -> None:
    marker = "Zebulon Erasmus-Quaternion"
    redis = Redis.from_url(redis_url)
    try:
        async with spark_gateway(redis_url) as (_, gateway):
            created = await gateway.data(CREATE, name=marker, email="zeb.erasmus@example.org")
            contact_id = created["createContact"]["contact"]["id"]
            await gateway.data(READ, id=contact_id)
            await gateway.data(
                '{ contacts(first: 50, filter: {displayName: "Zebulon*"}) '
                "{ nodes { displayName } } }"
            )
            assert await _in_redis(redis, marker.encode()), "the reads were cached"
            await gateway.data(
                "mutation($id: ID!) { deleteContact(id: $id) { deletedId } }", id=contact_id
            )
            assert not await _in_redis(redis, marker.encode())
    finally:
        await redis.aclose()


async def _in_redis(redis: Redis, needle: bytes) -> bool:
    async for key in redis.scan_iter(match="cg:c:e:*"):
        value = await redis.get(key)
        if value is not None and needle in value:
            return True
    return False


async def test_a_corrupt_cache_file_does_not_take_the_gateway_down() -> None:
    data_dir = fresh_data_dir()
    (data_dir / "gateway.sqlite3").write_bytes(b"this is not a database" * 100)
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
        await _stack_for(
            http, sandbox_served.base_url, spark_sandbox.PRIVATE_TOKEN, data_dir
        ) as served,
    ):
        gateway = Gateway(served, http)
        data: dict[str, Any] = await gateway.data(LIST)
        assert data["contacts"]["totalCount"] > 0
        async with http.get(f"{served.base_url}/healthz") as resp:
            health = await resp.json()
    assert health["status"] == "ok"
    assert health["cache"] != "ok"


async def test_fresh_only_never_falls_back_to_a_stale_copy(
    short_ttl: tuple[Sandbox, Gateway],
) -> None:
    sandbox, gateway = short_ttl
    contact_id = await _first_id(gateway)
    await gateway.data(READ, id=contact_id)
    await sandbox.faults(fail_next=3)  # the read and its 2 retries
    body = await gateway.gql(READ, id=contact_id, cache={"policy": "FRESH_ONLY"})
    assert body["data"]["contact"] is None
    assert body["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
