"""Filters through the gateway: Spark's wildcard rule, and hostile values that stay values."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.harness import Gateway, Sandbox

SEARCH = """query($filter: ContactFilterInput!) {
  contacts(provider: SPARK, filter: $filter, first: 25) { totalCount nodes { displayName } }
}"""


async def _names(gateway: Gateway, **flt: object) -> list[str]:
    data = await gateway.data(SEARCH, filter=flt)
    return [n["displayName"] for n in data["contacts"]["nodes"]]


@pytest.mark.parametrize("term", ["Neddy*", "Neder*", "neder*", "NEDDY*"])
async def test_wildcard_term_matches_any_word_of_the_display_name(
    gateway: Gateway, term: str
) -> None:
    assert "Neddy Nederlander" in await _names(gateway, displayName=term)


async def test_filter_value_with_quotes_cannot_add_an_expression(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    hostile = "x' Or Id Ne '"
    data = await gateway.data(SEARCH, filter={"displayName": hostile})
    assert data["contacts"]["totalCount"] == 0
    (request,) = [r for r in await sandbox.requests() if r["path"].startswith("/v1/")]
    sent = parse_qs(request["query"])["_filter"][0]
    assert sent == "DisplayName Eq 'x\\' Or Id Ne \\''"


async def test_names_with_apostrophes_are_found(gateway: Gateway) -> None:
    names = await _names(gateway, familyName="O'Brien")
    assert names
    assert all("O'Brien" in n for n in names)


@pytest.mark.parametrize("value", ["a\\' Or 1", "tab\there", "nul\x00"])
async def test_backslashes_and_control_characters_are_refused_locally(
    gateway: Gateway, sandbox: Sandbox, value: str
) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, filter={"displayName": value})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["fields"][0]["field"] == ["filter", "displayName"]
    assert await sandbox.count() == 0


async def test_tags_filter(gateway: Gateway) -> None:
    query = """query($filter: ContactFilterInput!) {
      contacts(filter: $filter, first: 100) { totalCount nodes { ... on SparkContact { tags } } }
    }"""
    data = await gateway.data(query, filter={"tags": ["Buyer"]})
    assert data["contacts"]["totalCount"] > 0
    assert all("Buyer" in n["tags"] for n in data["contacts"]["nodes"])


async def test_unconnected_contacts_are_listed_apart(gateway: Gateway) -> None:
    query = """query($filter: ContactFilterInput!) {
      contacts(filter: $filter, first: 100) { totalCount
        nodes { ... on SparkContact { recordStatus } } } }"""
    data = await gateway.data(query, filter={"spark": {"unconnected": True}})
    statuses = {n["recordStatus"] for n in data["contacts"]["nodes"]}
    assert data["contacts"]["totalCount"] > 0
    assert statuses == {"UNCONNECTED"}


async def test_portal_login_name_takes_no_wildcard(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, filter={"spark": {"portalLoginName": "bob*"}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await sandbox.count() == 0


async def test_too_many_tags_exceed_spark_list_limit_locally(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, filter={"tags": [f"t{i}" for i in range(201)]})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["fields"][0]["code"] == "LIMIT_EXCEEDED"
    assert await sandbox.count() == 0
