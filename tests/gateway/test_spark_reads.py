"""Reading Spark contacts through the GraphQL gateway, counting upstream requests."""

from __future__ import annotations

from typing import Any

import providers.spark.sandbox as spark_sandbox
from providers.model import ProviderName
from schema.ids import encode_global_id
from tests.harness import Gateway, Sandbox, spark_stack

PAGE = """
query Page($first: Int!, $after: String) {
  contacts(provider: SPARK, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id nativeId displayName } }
  }
}
"""

EXPANDED_PAGE = """
query Expanded($first: Int!) {
  contacts(provider: SPARK, first: $first) {
    nodes {
      id
      ... on SparkContact {
        activity { score relativeScore daily { day } }
        notes { id text createdAt }
        portal { username enabled }
        vowActive vowEnabled uniquePrimaryEmail
        newsFeedSummary { unreadCount }
        newsFeedNotificationSummary { unreadCount }
      }
    }
  }
}
"""


def _provider_requests(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if r["path"].startswith("/v1/")]


async def test_first_page_has_the_requested_size_and_a_total(gateway: Gateway) -> None:
    data = await gateway.data(PAGE, first=20)
    page = data["contacts"]
    assert len(page["edges"]) == 20
    assert page["totalCount"] >= 300
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert all(e["node"]["displayName"] for e in page["edges"])


async def test_paging_to_the_end_returns_every_contact_once(gateway: Gateway) -> None:
    seen: list[str] = []
    after = None
    total = None
    for _ in range(20):
        page = (await gateway.data(PAGE, first=100, after=after))["contacts"]
        total = page["totalCount"]
        seen.extend(e["node"]["nativeId"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == total
    assert len(set(seen)) == total


async def test_a_page_of_25_with_expansions_is_one_upstream_request(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    data = await gateway.data(EXPANDED_PAGE, first=25)
    nodes = data["contacts"]["nodes"]
    assert len(nodes) == 25
    requests = _provider_requests(await sandbox.requests())
    assert len(requests) == 1
    query = requests[0]["query"]
    assert "_expand=" in query
    for name in (
        "Activity",
        "Notes",
        "Portal",
        "VowActive",
        "VowEnabled",
        "UniquePrimaryEmail",
        "NewsFeedSummary",
        "NewsFeedNotificationSummary",
    ):
        assert name in query
    assert any(n["notes"] for n in nodes), "seeded contacts have notes"
    assert all(n["activity"]["daily"] is None for n in nodes), "DailyActivity only on single reads"


async def test_a_page_of_100_is_four_upstream_requests_whatever_is_expanded(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    plain = await gateway.data(PAGE, first=100)
    assert len(plain["contacts"]["edges"]) == 100
    assert len(_provider_requests(await sandbox.requests())) == 4
    await sandbox.forget()
    expanded = await gateway.data(EXPANDED_PAGE, first=100)
    assert len(expanded["contacts"]["nodes"]) == 100
    assert len(_provider_requests(await sandbox.requests())) == 4


async def test_selected_fields_are_pushed_down_as_select(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    await gateway.data("{ contacts(first: 5) { nodes { displayName emails { address } } } }")
    (request,) = _provider_requests(await sandbox.requests())
    assert "_select=" in request["query"]
    assert "DisplayName" in request["query"]
    assert "PrimaryEmail" in request["query"]
    assert "_expand" not in request["query"]


async def test_expansions_not_planned_are_batched_per_tick(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    ids = [e["node"]["id"] for e in (await gateway.data(PAGE, first=10))["contacts"]["edges"]]
    await sandbox.forget()
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on SparkContact { id notes { id } } } }"
    data = await gateway.data(query, ids=ids)
    assert len(data["nodes"]) == 10
    requests = _provider_requests(await sandbox.requests())
    assert len(requests) == 1, [r["query"] for r in requests]
    assert "Notes" in requests[0]["query"]


async def test_contact_and_node_by_global_id(gateway: Gateway) -> None:
    first = (await gateway.data(PAGE, first=1))["contacts"]["edges"][0]["node"]
    query = """query($id: ID!) {
      contact(id: $id) { id nativeId provider displayName
        ... on SparkContact { recordStatus ownerId activity { score daily { day score } } } }
      node(id: $id) { id __typename }
    }"""
    data = await gateway.data(query, id=first["id"])
    assert data["contact"]["nativeId"] == first["nativeId"]
    assert data["contact"]["provider"] == "SPARK"
    assert data["contact"]["recordStatus"] == "CONNECTED"
    assert len(data["contact"]["activity"]["daily"]) == 30
    assert data["node"] == {"id": first["id"], "__typename": "SparkContact"}


async def test_unknown_contact_is_null_and_a_bad_id_is_a_typed_error(gateway: Gateway) -> None:
    missing = encode_global_id(ProviderName.SPARK, "99999999999999999999999")
    data = await gateway.data("query($id: ID!) { contact(id: $id) { id } }", id=missing)
    assert data["contact"] is None
    body = await gateway.gql('{ contact(id: "not-an-id!") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


async def test_me_returns_the_users_own_contact(gateway: Gateway) -> None:
    data = await gateway.data("{ me { id displayName provider } }")
    assert data["me"]["provider"] == "SPARK"
    assert data["me"]["displayName"]


async def test_providers_reports_capabilities_and_health(gateway: Gateway) -> None:
    await gateway.data(PAGE, first=1)
    data = await gateway.data("""{ providers { name sandbox
        capabilities { operations expansions maxPageSize batchRead filterableFields }
        health { status lastSuccessAt } } }""")
    (spark,) = data["providers"]
    assert spark["name"] == "SPARK"
    assert spark["capabilities"]["maxPageSize"] == 25
    assert "Activity" in spark["capabilities"]["expansions"]
    assert "TRANSFER" in spark["capabilities"]["operations"]
    assert spark["health"]["status"] == "UP"


async def test_first_out_of_bounds_is_rejected_before_any_upstream_call(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    for first in (-1, 101, 100000):
        body = await gateway.gql(PAGE, first=first)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await sandbox.count() == 0


async def test_a_forged_cursor_is_rejected(gateway: Gateway) -> None:
    body = await gateway.gql(PAGE, first=5, after="eyJ2Ijo5fQ")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_ordering_by_display_name(gateway: Gateway) -> None:
    query = """{ contacts(first: 50, orderBy: [{field: DISPLAY_NAME, direction: ASC}]) {
        nodes { displayName } } }"""
    names = [n["displayName"] for n in (await gateway.data(query))["contacts"]["nodes"]]
    assert names == sorted(names, key=str.lower) or names == sorted(names)


async def test_a_replication_key_reads_a_page_of_100_in_one_request() -> None:
    token = spark_sandbox.REPLICATION_TOKEN
    async with spark_stack(token=token, replication=True) as (sandbox, gateway):
        data = await gateway.data(PAGE, first=100)
        assert len(data["contacts"]["edges"]) == 100
        assert len(_provider_requests(await sandbox.requests())) == 1
