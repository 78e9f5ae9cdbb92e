"""One graph over several providers: merged lists, paging, partial failure, batching."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.harness import Gateway, Sandbox

PAGE = """query($first: Int!, $after: String, $order: [ContactOrderInput!]) {
  contacts(first: $first, after: $after, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id provider displayName familyName updatedAt }
  }
}"""


async def _all_pages(
    gateway: Gateway, first: int, order: list[dict[str, str]] | None = None, between: Any = None
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after, total = None, 0
    for page_number in range(100):
        page = (await gateway.data(PAGE, first=first, after=after, order=order))["contacts"]
        total = page["totalCount"]
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        if between is not None:
            await between(page_number, page["nodes"])
    return nodes, total


async def test_contacts_without_provider_merges_every_provider(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, _ = graph
    page = (await gateway.data(PAGE, first=100))["contacts"]
    assert page["totalCount"] == 80 + 60
    assert {n["provider"] for n in page["nodes"]} == {"SPARK", "AUTODNS"}
    stamps = [n["updatedAt"] for n in page["nodes"] if n["updatedAt"]]
    assert stamps == sorted(stamps, reverse=True), "default order: updatedAt descending"


@pytest.mark.parametrize("order", [None, [{"field": "FAMILY_NAME", "direction": "ASC"}]])
async def test_paging_to_the_end_neither_skips_nor_repeats(
    graph: tuple[Gateway, dict[str, Sandbox]], order: list[dict[str, str]] | None
) -> None:
    gateway, _ = graph
    nodes, total = await _all_pages(gateway, 37, order)
    ids = [n["id"] for n in nodes]
    assert len(ids) == total == 140
    assert len(set(ids)) == total


DELETE = "mutation($id: ID!) { deleteContact(id: $id) { deletedId userErrors { code } } }"
CREATE = """mutation($name: String!, $email: String!) { createContact(input: {provider: SPARK,
  displayName: $name, emails: [{address: $email}]}) { contact { id } } }"""


async def test_deletions_and_creations_between_pages_skip_nothing(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, _ = graph
    everyone, _ = await _all_pages(gateway, 100)
    deleted: set[str] = set()

    async def churn(page_number: int, seen: list[dict[str, Any]]) -> None:
        for node in seen[-3:]:  # delete contacts already shown, just before the cursor
            await gateway.data(DELETE, id=node["id"])
            deleted.add(node["id"])
        await gateway.data(
            CREATE, name=f"New Person {page_number}", email=f"new.{page_number}@example.org"
        )

    nodes, _ = await _all_pages(
        gateway, 25, [{"field": "FAMILY_NAME", "direction": "ASC"}], between=churn
    )
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)), "nothing shown twice"
    missing = {n["id"] for n in everyone} - set(ids)
    assert not missing, "every contact that existed throughout was shown"
    assert deleted


async def test_one_failing_provider_leaves_the_others_data(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    await sandboxes["AUTODNS"].faults(fail_next=3)  # the read and its 2 retries
    body = await gateway.gql(PAGE, first=30)
    assert body["data"]["contacts"]["nodes"]
    assert {n["provider"] for n in body["data"]["contacts"]["nodes"]} == {"SPARK"}
    (error,) = body["errors"]
    assert error["path"] == ["contacts"]
    assert error["extensions"]["provider"] == "AUTODNS"
    assert error["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    assert body["data"]["contacts"]["pageInfo"]["hasNextPage"] is True


async def test_all_providers_failing_is_null_with_an_error(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    for sandbox in sandboxes.values():
        await sandbox.faults(fail_next=3)
    body = await gateway.gql(PAGE, first=10)
    assert body["data"]["contacts"] is None
    assert body["errors"]


async def test_a_rate_limited_provider_says_when_to_retry(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    await sandboxes["SPARK"].faults(rate_limit_next=1, retry_after_s=30)  # beyond the deadline
    body = await gateway.gql(PAGE, first=10)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == 30


async def test_fan_out_latency_is_the_slowest_not_the_sum(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    for sandbox in sandboxes.values():
        await sandbox.faults(latency_ms=300)
    started = time.perf_counter()
    await gateway.data(PAGE, first=20)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.55, f"{elapsed:.3f}s: providers were called one after another"


NODES = """query($ids: [ID!]!, $cache: CacheControl) {
  nodes(ids: $ids, cache: $cache) { id ... on Contact { provider } } }"""


async def test_nodes_batch_per_provider(graph: tuple[Gateway, dict[str, Sandbox]]) -> None:
    gateway, sandboxes = graph
    page = (await gateway.data(PAGE, first=100))["contacts"]["nodes"]
    ids = [n["id"] for n in page]
    for sandbox in sandboxes.values():
        await sandbox.forget()
    data = await gateway.data(NODES, ids=ids)
    assert [n["id"] for n in data["nodes"]] == ids
    spark_ids = sum(1 for n in page if n["provider"] == "SPARK")
    spark_calls = [r for r in await sandboxes["SPARK"].requests() if r["path"].startswith("/v1")]
    assert len(spark_calls) == -(-spark_ids // 25), "Spark: one _filter batch per 25 ids"
    autodns_calls = await sandboxes["AUTODNS"].requests()
    assert 1 <= len(autodns_calls) <= 5, "AutoDNS: a few id searches, not one call per id"


async def test_nodes_keep_the_others_when_one_provider_fails(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    page = (await gateway.data(PAGE, first=100))["contacts"]["nodes"]
    spark = next(n["id"] for n in page if n["provider"] == "SPARK")
    autodns = next(n["id"] for n in page if n["provider"] == "AUTODNS")
    await sandboxes["AUTODNS"].faults(fail_next=3)  # the read and its 2 retries
    body = await gateway.gql(NODES, ids=[spark, autodns, spark], cache={"policy": "FRESH_ONLY"})
    nodes = body["data"]["nodes"]
    assert [n and n["id"] for n in nodes] == [spark, None, spark]
    (error,) = body["errors"]
    assert error["path"] == ["nodes", 1]
    assert error["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    assert error["extensions"]["provider"] == "AUTODNS"


async def test_providers_lists_both_with_health(graph: tuple[Gateway, dict[str, Sandbox]]) -> None:
    gateway, _ = graph
    await gateway.data(PAGE, first=5)
    data = await gateway.data("{ providers { name health { status } capabilities { batchRead } } }")
    assert {p["name"]: p["health"]["status"] for p in data["providers"]} == {
        "SPARK": "UP",
        "AUTODNS": "UP",
    }


FILTERED = """query($filter: ContactFilterInput!) {
  contacts(first: 50, filter: $filter) { totalCount nodes { provider } } }"""


async def test_filters_a_provider_cannot_have_match_none_of_its_contacts(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    await sandboxes["AUTODNS"].forget()
    body = await gateway.gql(FILTERED, filter={"tags": ["Buyer"]})
    assert "errors" not in body
    assert {n["provider"] for n in body["data"]["contacts"]["nodes"]} == {"SPARK"}
    assert await sandboxes["AUTODNS"].count() == 0, "AutoDNS has no tags: not even asked"
    city = await gateway.data(FILTERED, filter={"city": "Regensburg"})
    assert "AUTODNS" in {n["provider"] for n in city["contacts"]["nodes"]}


async def test_a_provider_block_applies_only_to_its_provider(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, _ = graph
    body = await gateway.gql(FILTERED, filter={"spark": {"vowActive": True}})
    assert "errors" not in body
    providers = {n["provider"] for n in body["data"]["contacts"]["nodes"]}
    assert "AUTODNS" in providers


async def test_capabilities_say_where_filters_run(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, _ = graph
    data = await gateway.data("{ providers { name capabilities { notes { topic text } } } }")
    notes = {
        p["name"]: {n["topic"]: n["text"] for n in p["capabilities"]["notes"]}
        for p in data["providers"]
    }
    assert "upstream" in notes["SPARK"]["filtering"]
    assert "upstream" in notes["AUTODNS"]["filtering"]
