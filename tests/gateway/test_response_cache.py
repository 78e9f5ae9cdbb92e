"""Replayed answers (gateway/response_cache.py): a repeated read built only from fresh cache
entries is answered again without executing, and never once those entries changed — by a
write through this gateway or through another one on the same SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.response_cache import answer_key, replayable
from gateway.settings import CacheSettings, ProviderTtl, Settings
from providers.sandboxing import ServedApp
from providers.spark import sandbox as spark_sandbox
from tests.harness import Gateway, Sandbox, spark_settings

PAGE = """query Page { contacts(provider: SPARK, first: 30) {
  totalCount nodes { id displayName freshness { servedFrom } } } }"""
UPDATE = """mutation($id: ID!, $name: String) { updateContact(id: $id, input: {displayName: $name})
  { contact { displayName } userErrors { code } } }"""


@dataclass(slots=True)
class Served:
    app: Starlette
    gateway: Gateway

    @property
    def replays(self) -> int:
        return int(self.app.state.responses.replays)


@dataclass(slots=True)
class TwoGateways:
    sandbox: Sandbox
    first: Served
    second: Served


@pytest.fixture
async def two() -> AsyncIterator[TwoGateways]:
    """One Spark sandbox; two gateways sharing one SQLite file (two processes' view)."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=40).app) as sandbox,
    ):
        settings = spark_settings(sandbox.base_url)
        first_app, second_app = create_app(settings), create_app(settings)
        async with ServedApp(first_app) as first, ServedApp(second_app) as second:
            yield TwoGateways(
                Sandbox(sandbox, http),
                Served(first_app, Gateway(first, http)),
                Served(second_app, Gateway(second, http)),
            )


async def _upstream(sandbox: Sandbox) -> int:
    return len([r for r in await sandbox.requests() if r["path"].startswith("/v1")])


async def test_a_repeated_read_is_replayed_without_executing(two: TwoGateways) -> None:
    served = two.first
    fetched = await served.gateway.data(PAGE)  # from the provider: not kept
    assert {n["freshness"]["servedFrom"] for n in fetched["contacts"]["nodes"]} == {"PROVIDER"}
    cached = await served.gateway.data(PAGE)  # all from the cache: kept
    assert served.replays == 0
    calls = await _upstream(two.sandbox)
    replayed = await served.gateway.data(PAGE)
    assert served.replays == 1
    assert replayed == cached  # freshness included: the same entries, served from the cache
    assert {n["freshness"]["servedFrom"] for n in replayed["contacts"]["nodes"]} == {"CACHE"}
    assert await _upstream(two.sandbox) == calls


async def test_a_write_through_the_gateway_is_seen_at_once(two: TwoGateways) -> None:
    served = two.first
    await served.gateway.data(PAGE)
    page = await served.gateway.data(PAGE)
    first_id = page["contacts"]["nodes"][0]["id"]
    await served.gateway.data(UPDATE, id=first_id, name="Replay Renamed")
    after = await served.gateway.data(PAGE)
    names = {n["id"]: n["displayName"] for n in after["contacts"]["nodes"]}
    assert names[first_id] == "Replay Renamed"
    assert served.replays == 0


async def test_a_write_through_another_gateway_is_never_replayed_stale(
    two: TwoGateways,
) -> None:
    reader, writer = two.second, two.first
    await reader.gateway.data(PAGE)
    await reader.gateway.data(PAGE)
    page = await reader.gateway.data(PAGE)
    assert reader.replays == 1
    first_id = page["contacts"]["nodes"][0]["id"]
    body = await writer.gateway.data(UPDATE, id=first_id, name="Renamed Elsewhere")
    assert body["updateContact"]["userErrors"] == []
    after = await reader.gateway.data(PAGE)
    names = {n["id"]: n["displayName"] for n in after["contacts"]["nodes"]}
    assert names[first_id] == "Renamed Elsewhere"
    assert reader.replays == 1  # the kept answer was refused, the page read again


@pytest.mark.parametrize(
    "query",
    [
        "{ contacts(provider: SPARK, first: 5) { nodes { id } } providers { health { status } } }",
        "{ contacts(provider: SPARK, first: 5, cache: {policy: FRESH_ONLY}) { nodes { id } } }",
    ],
)
async def test_answers_with_live_or_uncached_parts_are_never_replayed(
    two: TwoGateways, query: str
) -> None:
    served = two.first
    for _ in range(3):
        await served.gateway.data(query)
    assert served.replays == 0


async def test_an_answer_is_replayed_only_while_its_entries_are_fresh() -> None:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=20).app) as sandbox,
    ):
        short = CacheSettings(spark=ProviderTtl(records=0.6, lists=0.6))
        settings: Settings = spark_settings(sandbox.base_url).model_copy(update={"cache": short})
        app = create_app(settings)
        async with ServedApp(app) as served:
            gateway = Gateway(served, http)
            for _ in range(3):
                await gateway.data(PAGE)
            assert app.state.responses.replays == 1
            await asyncio.sleep(0.7)
            calls = await _upstream(Sandbox(sandbox, http))
            await gateway.data(PAGE)
            assert app.state.responses.replays == 1
            assert await _upstream(Sandbox(sandbox, http)) > calls


def test_the_key_separates_callers_and_questions() -> None:
    base: dict[str, Any] = {"first": 5}
    key = answer_key("acme", "private", PAGE, "Page", base)
    assert key == answer_key("acme", "private", PAGE, "Page", {"first": 5})
    assert key != answer_key("other", "private", PAGE, "Page", base)
    assert key != answer_key("acme", "public", PAGE, "Page", base)
    assert key != answer_key("acme", "private", PAGE, "Page", {"first": 6})
    assert key != answer_key("acme", "private", PAGE + " ", "Page", base)


def test_only_reads_of_contacts_are_replayable() -> None:
    assert replayable(PAGE, None)
    assert replayable("{ node(id: 1) { id } nodes(ids: []) { id } }", None)
    assert not replayable("{ providers { name } }", None)
    assert not replayable("{ me { id } }", None)
    assert not replayable(UPDATE, None)
    assert not replayable("query A { contacts { totalCount } } query B { me { id } }", None)
    assert replayable("query A { contacts { totalCount } } query B { me { id } }", "A")
    assert not replayable("{ ...F } fragment F on Query { contacts { totalCount } }", None)
    assert not replayable("{ contacts(", None)
