"""The gateway as an Apollo Federation v2 subgraph: `_service { sdl }` and `_entities`
over all three providers' sandboxes, batched per provider, bad representations typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import CacheSettings, SandboxSettings, Settings
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from schema.ids import encode_global_id
from tests.harness import (
    OPEN,
    Gateway,
    Sandbox,
    autodns_settings,
    fresh_data_dir,
    is24_settings,
    spark_settings,
)

Stack = tuple[Gateway, dict[str, Sandbox]]
TYPENAMES = {"SPARK": "SparkContact", "IS24": "RealtorContact", "AUTODNS": "DomainContact"}
ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Contact { id provider nativeId displayName }
    ... on SparkContact { tags }
    ... on RealtorContact { externalId }
    ... on DomainContact { alias }
  }
}"""
IDS = "query($p: Provider!, $n: Int!) { contacts(provider: $p, first: $n) { nodes { id } } }"
CONTACT_PATHS = {
    "SPARK": ("/v1/contacts", "/v1/my/contact"),
    "IS24": (is24_sandbox.API_PREFIX,),
    "AUTODNS": ("/v1/contact",),
}


@asynccontextmanager
async def federated_stack(*, cache: bool) -> AsyncIterator[Stack]:
    """Spark (80 contacts), IS24 and AutoDNS sandboxes behind one subgraph gateway."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=80).app) as spark,
        ServedApp(is24_sandbox.create_is24_sandbox().app) as is24,
        ServedApp(autodns_sandbox.create_autodns_sandbox(contact_count=30).app) as autodns,
    ):
        settings = Settings(
            spark=spark_settings(spark.base_url).spark,
            is24=is24_settings(f"{is24.base_url}/restapi/api").is24,
            autodns=autodns_settings(f"{autodns.base_url}/v1", fresh_data_dir()).autodns,
            sandbox=SandboxSettings(enabled=False),
            cache=CacheSettings(enabled=cache),
            data_dir=fresh_data_dir(),
            auth=OPEN,
            federation=True,
        )
        async with ServedApp(create_app(settings)) as served:
            sandboxes = {"SPARK": spark, "IS24": is24, "AUTODNS": autodns}
            yield (
                Gateway(served, http),
                {name: Sandbox(app, http) for name, app in sandboxes.items()},
            )


@pytest.fixture
async def uncached() -> AsyncIterator[Stack]:
    async with federated_stack(cache=False) as stack:
        yield stack


async def ids_of(gateway: Gateway, provider: str, count: int) -> list[str]:
    page = await gateway.data(IDS, p=provider, n=count)
    ids = [node["id"] for node in page["contacts"]["nodes"]]
    assert len(ids) == count
    return ids


def rep(provider: str, global_id: str) -> dict[str, str]:
    return {"__typename": TYPENAMES[provider], "id": global_id}


async def contact_requests(sandboxes: dict[str, Sandbox]) -> dict[str, int]:
    """Upstream requests per provider that read contacts (not logins or tokens)."""
    counts: dict[str, int] = {}
    for name, sandbox in sandboxes.items():
        paths = [r["path"] for r in await sandbox.requests()]
        counts[name] = sum(1 for p in paths if p.startswith(CONTACT_PATHS[name]))
    return counts


async def forget(sandboxes: dict[str, Sandbox]) -> None:
    for sandbox in sandboxes.values():
        await sandbox.forget()


# --- _service { sdl } --------------------------------------------------------------------


async def test_service_sdl_links_federation_2_and_keys_every_contact_type(
    uncached: Stack,
) -> None:
    gateway, _ = uncached
    sdl = (await gateway.data("{ _service { sdl } }"))["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])' in sdl
    for head in (
        "interface Contact implements Node",
        "type SparkContact implements Contact & Node",
        "type RealtorContact implements Contact & Node",
        "type DomainContact implements Contact & Node",
    ):
        assert f'{head} @key(fields: "id") {{' in sdl, head
    assert "union _Entity = DomainContact | RealtorContact | SparkContact" in sdl


async def test_the_public_gateway_has_no_federation_fields() -> None:
    sandbox_app = spark_sandbox.create_spark_sandbox(contact_count=5).app
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(sandbox_app) as spark,
        ServedApp(create_app(spark_settings(spark.base_url))) as served,
    ):
        body = await Gateway(served, http).gql("{ _service { sdl } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_the_subgraph_answers_ordinary_queries_with_the_right_types(
    uncached: Stack,
) -> None:
    """The entity types stand in for the public ones: abstract fields still resolve."""
    gateway, _ = uncached
    query = """{ s: contacts(provider: SPARK, first: 5) { nodes { __typename id provider } }
      i: contacts(provider: IS24, first: 5) { nodes { __typename id provider } }
      a: contacts(provider: AUTODNS, first: 5) { nodes { __typename id provider } }
      merged: contacts(first: 20) { nodes { __typename provider } } }"""
    data = await gateway.data(query)
    nodes = [n for page in data.values() for n in page["nodes"]]
    assert {n["provider"] for n in nodes} == set(TYPENAMES)
    assert all(n["__typename"] == TYPENAMES[n["provider"]] for n in nodes)
    one_each = [next(n for n in nodes if n["provider"] == p) for p in TYPENAMES]
    by_id = """query($ids: [ID!]!, $id: ID!) {
      nodes(ids: $ids) { __typename } contact(id: $id) { __typename } }"""
    data = await gateway.data(by_id, ids=[n["id"] for n in one_each], id=one_each[1]["id"])
    assert [n["__typename"] for n in data["nodes"]] == list(TYPENAMES.values())
    assert data["contact"]["__typename"] == "RealtorContact"


# --- _entities: each provider, batched ----------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "count", "expected_calls"),
    [
        ("SPARK", 60, 3),  # Spark reads 25 ids per request
        ("IS24", 3, 3),  # IS24 has no batch read: one GET per id up to 4 ids
        ("IS24", 12, 1),  # ... then one list call
        ("AUTODNS", 30, 1),  # one search for up to 50 ids
    ],
)
async def test_entities_of_one_provider_are_one_batched_read(
    uncached: Stack, provider: str, count: int, expected_calls: int
) -> None:
    gateway, sandboxes = uncached
    ids = await ids_of(gateway, provider, count)
    await forget(sandboxes)
    entities = (await gateway.data(ENTITIES, representations=[rep(provider, i) for i in ids]))[
        "_entities"
    ]
    assert [e["id"] for e in entities] == ids, "one entity per representation, in order"
    assert {e["__typename"] for e in entities} == {TYPENAMES[provider]}
    assert {e["provider"] for e in entities} == {provider}
    calls = await contact_requests(sandboxes)
    assert calls == {**dict.fromkeys(TYPENAMES, 0), provider: expected_calls}


async def test_mixed_representations_resolve_in_order_one_batch_per_provider(
    uncached: Stack,
) -> None:
    gateway, sandboxes = uncached
    spark, is24, autodns = (
        await ids_of(gateway, "SPARK", 30),
        await ids_of(gateway, "IS24", 10),
        await ids_of(gateway, "AUTODNS", 10),
    )
    interleaved = [
        rep(provider, ids[k])
        for k in range(10)
        for provider, ids in (("SPARK", spark), ("IS24", is24), ("AUTODNS", autodns))
    ]
    representations = [*interleaved, *(rep("SPARK", i) for i in spark[10:])]
    representations.append({"__typename": "Contact", "id": autodns[0]})  # entity interface
    await forget(sandboxes)
    entities = (await gateway.data(ENTITIES, representations=representations))["_entities"]
    assert [e["id"] for e in entities] == [r["id"] for r in representations]
    assert [e["__typename"] for e in entities[:3]] == list(TYPENAMES.values())
    assert entities[-1]["__typename"] == "DomainContact"
    assert all(e["alias"] for e in entities if e["__typename"] == "DomainContact")
    calls = await contact_requests(sandboxes)
    assert calls == {"SPARK": 2, "IS24": 1, "AUTODNS": 1}, "30 Spark ids: 2 requests"


async def test_entities_are_read_through_the_cache() -> None:
    async with federated_stack(cache=True) as (gateway, sandboxes):
        ids = await ids_of(gateway, "AUTODNS", 5)
        query = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
        representations = [rep("AUTODNS", i) for i in ids]
        await gateway.data(query, r=representations)
        await forget(sandboxes)
        again = (await gateway.data(query, r=representations))["_entities"]
        assert again == [{"__typename": "DomainContact"}] * 5
        assert await contact_requests(sandboxes) == dict.fromkeys(TYPENAMES, 0)


# --- bad representations: null entity + typed error, never a crash -------------------------


async def test_bad_representations_are_null_with_a_typed_error_the_rest_resolves(
    uncached: Stack,
) -> None:
    gateway, sandboxes = uncached
    (spark_id,) = await ids_of(gateway, "SPARK", 1)
    (is24_id,) = await ids_of(gateway, "IS24", 1)
    missing = encode_global_id(ProviderName.SPARK, "20000101000000000000000")
    bad: list[tuple[Any, str]] = [
        ({"__typename": "SparkContact", "id": "not-an-id"}, "INVALID_ID"),
        ({"__typename": "SparkContact", "id": is24_id}, "INVALID_ID"),  # IS24 id, Spark type
        ({"__typename": "SparkContact", "id": missing}, "NOT_FOUND"),
        ({"__typename": "SparkContact"}, "BAD_USER_INPUT"),
        ({"__typename": "SparkContact", "id": 7}, "BAD_USER_INPUT"),
        ({"__typename": "Query", "id": spark_id}, "BAD_USER_INPUT"),
        ({"id": spark_id}, "BAD_USER_INPUT"),
        ("SparkContact", "BAD_USER_INPUT"),
        ([spark_id], "BAD_USER_INPUT"),
    ]
    representations = [rep("SPARK", spark_id), *(r for r, _ in bad), rep("IS24", is24_id)]
    await forget(sandboxes)
    body = await gateway.gql(ENTITIES, representations=representations)
    entities = body["data"]["_entities"]
    assert entities[0]["id"] == spark_id and entities[-1]["id"] == is24_id
    assert entities[1:-1] == [None] * len(bad)
    codes = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert codes == {("_entities", k + 1): code for k, (_, code) in enumerate(bad)}
    calls = await contact_requests(sandboxes)
    # Spark: one batch of the two well-formed ids, then the adapter asks for the one the
    # batch did not return by itself (an unconnected contact is not in list results)
    assert calls == {"SPARK": 2, "IS24": 1, "AUTODNS": 0}, "malformed ids never go upstream"


async def test_entities_of_an_unconfigured_provider_are_typed_errors() -> None:
    sandbox_app = spark_sandbox.create_spark_sandbox(contact_count=5).app
    async with aiohttp.ClientSession() as http, ServedApp(sandbox_app) as spark:
        settings = spark_settings(spark.base_url).model_copy(update={"federation": True})
        async with ServedApp(create_app(settings)) as served:
            gateway = Gateway(served, http)
            (spark_id,) = await ids_of(gateway, "SPARK", 1)
            is24_id = encode_global_id(ProviderName.IS24, "123")
            body = await gateway.gql(
                ENTITIES, representations=[rep("IS24", is24_id), rep("SPARK", spark_id)]
            )
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["id"] == spark_id
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PROVIDER_NOT_CONFIGURED"]
