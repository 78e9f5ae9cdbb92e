"""Writes through the gateway: Spark's rules before any upstream call, errors as userErrors."""

from __future__ import annotations

from typing import Any

import pytest

import providers.spark.sandbox as spark_sandbox
from tests.harness import Gateway, Sandbox

CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) {
    contact { id nativeId displayName emails { address kind } phones { kind e164 raw }
      ... on SparkContact { tags note recordStatus ownerId mobilePhoneCountryCode } }
    userErrors { field code message providerCode }
  }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateContactInput!) {
  updateContact(id: $id, input: $input) {
    contact { id displayName givenName ... on SparkContact { recordStatus tags } }
    userErrors { field code message providerCode }
  }
}"""


def _valid(**extra: Any) -> dict[str, Any]:
    return {
        "provider": "SPARK",
        "displayName": "Ada Lovelace",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "emails": [{"address": "ada.lovelace@example.org"}],
        "phones": [{"kind": "MOBILE", "number": "+1 312 555 0199"}],
        **extra,
    }


async def _create(gateway: Gateway, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gateway.data(CREATE, input=_valid(**extra)))["createContact"]
    return result


async def test_create_returns_the_stored_contact(gateway: Gateway) -> None:
    payload = await _create(gateway, spark={"tags": ["Buyer"], "note": "met at open house"})
    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["displayName"] == "Ada Lovelace"
    assert contact["emails"] == [{"address": "ada.lovelace@example.org", "kind": "PRIMARY"}]
    assert contact["phones"][0]["e164"] == "+13125550199"
    assert contact["mobilePhoneCountryCode"] == "US"
    assert contact["tags"] == ["Buyer"]
    assert contact["recordStatus"] == "CONNECTED"
    assert contact["ownerId"] == spark_sandbox.AGENT_A_ID
    read = await gateway.data(
        "query($id: ID!) { contact(id: $id) { displayName } }", id=contact["id"]
    )
    assert read["contact"]["displayName"] == "Ada Lovelace"


RULES = [
    ({"displayName": None}, ["input", "displayName"], "REQUIRED", "1050"),
    ({"emails": []}, ["input", "emails"], "REQUIRED", "1050"),
    ({"displayName": "x" * 76}, ["input", "displayName"], "TOO_LONG", "1053"),
    (
        {"emails": [{"address": "a" * 64 + "@example.org"}]},
        ["input", "emails", "0", "address"],
        "TOO_LONG",
        "1053",
    ),
    ({"familyName": "x" * 301}, ["input", "familyName"], "TOO_LONG", "1053"),
    ({"spark": {"tags": ["ok", "t" * 76]}}, ["input", "spark", "tags", "1"], "TOO_LONG", "1053"),
    ({"spark": {"note": "n" * 10_001}}, ["input", "spark", "note"], "TOO_LONG", "1053"),
    (
        {"spark": {"mobilePhoneCountryCode": "USA"}},
        ["input", "spark", "mobilePhoneCountryCode"],
        "TOO_LONG",
        "1053",
    ),
    (
        {"emails": [{"address": "not-an-email"}]},
        ["input", "emails", "0", "address"],
        "INVALID_FORMAT",
        "1053",
    ),
    ({"givenName": "bell\x07"}, ["input", "givenName"], "INVALID", None),
]


@pytest.mark.parametrize(("change", "field", "code", "provider_code"), RULES)
async def test_each_rule_is_a_user_error_and_no_upstream_call(
    gateway: Gateway,
    sandbox: Sandbox,
    change: dict[str, Any],
    field: list[str],
    code: str,
    provider_code: str | None,
) -> None:
    await sandbox.forget()
    payload = (await gateway.data(CREATE, input=_valid(**change)))["createContact"]
    assert payload["contact"] is None
    assert {"field": field, "code": code, "providerCode": provider_code} in [
        {k: e[k] for k in ("field", "code", "providerCode")} for e in payload["userErrors"]
    ]
    assert await sandbox.count() == 0


async def test_limits_are_inclusive(gateway: Gateway) -> None:
    payload = await _create(
        gateway,
        displayName="x" * 75,
        spark={"tags": ["t" * 75], "note": "n" * 10_000},
        emails=[{"address": "a" * 63 + "@example.org"}],
    )
    assert payload["userErrors"] == []


async def test_all_broken_rules_are_reported_together(gateway: Gateway) -> None:
    payload = (
        await gateway.data(CREATE, input=_valid(displayName="x" * 76, familyName="y" * 301))
    )["createContact"]
    fields = {tuple(e["field"]) for e in payload["userErrors"]}
    assert fields == {("input", "displayName"), ("input", "familyName")}


async def test_duplicate_primary_email_is_refused_by_spark_as_a_user_error(
    gateway: Gateway,
) -> None:
    assert (await _create(gateway))["userErrors"] == []
    payload = await _create(gateway, displayName="Someone Else")
    assert payload["contact"] is None
    (error,) = payload["userErrors"]
    assert error["code"] == "DUPLICATE"
    assert error["providerCode"] == "1055"
    assert error["field"] == ["input", "emails", "0", "address"]


async def test_update_changes_only_the_given_fields(gateway: Gateway) -> None:
    created = (await _create(gateway, spark={"tags": ["Buyer"]}))["contact"]
    payload = await gateway.data(UPDATE, id=created["id"], input={"givenName": "Augusta"})
    updated = payload["updateContact"]
    assert updated["userErrors"] == []
    assert updated["contact"]["givenName"] == "Augusta"
    assert updated["contact"]["displayName"] == "Ada Lovelace"
    assert updated["contact"]["tags"] == ["Buyer"]


async def test_update_cannot_clear_display_name(gateway: Gateway, sandbox: Sandbox) -> None:
    created = (await _create(gateway))["contact"]
    await sandbox.forget()
    payload = await gateway.data(UPDATE, id=created["id"], input={"displayName": None})
    assert payload["updateContact"]["userErrors"][0]["code"] == "REQUIRED"
    assert await sandbox.count() == 0


async def test_connected_never_goes_back_to_unconnected(gateway: Gateway) -> None:
    created = (await _create(gateway))["contact"]
    payload = await gateway.data(
        UPDATE, id=created["id"], input={"spark": {"recordStatus": "UNCONNECTED"}}
    )
    (error,) = payload["updateContact"]["userErrors"]
    assert error["field"] == ["input", "spark", "recordStatus"]
    assert error["code"] == "NOT_ALLOWED"
    assert error["providerCode"] == "1053"


async def test_delete_then_read_is_null(gateway: Gateway) -> None:
    created = (await _create(gateway))["contact"]
    deleted = await gateway.data(
        "mutation($id: ID!) { deleteContact(id: $id) { deletedId userErrors { code } } }",
        id=created["id"],
    )
    assert deleted["deleteContact"] == {"deletedId": created["id"], "userErrors": []}
    read = await gateway.data("query($id: ID!) { contact(id: $id) { id } }", id=created["id"])
    assert read["contact"] is None
    again = await gateway.data(
        "mutation($id: ID!) { deleteContact(id: $id) { deletedId userErrors { code field } } }",
        id=created["id"],
    )
    assert again["deleteContact"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["id"]}]


TRANSFER = """mutation($id: ID!, $owner: String!) {
  transferContact(id: $id, ownerId: $owner) {
    contact { ... on SparkContact { ownerId recordStatus } }
    userErrors { field code providerCode }
  }
}"""


async def test_transfer_within_the_office(gateway: Gateway) -> None:
    created = (await _create(gateway))["contact"]
    payload = await gateway.data(TRANSFER, id=created["id"], owner=spark_sandbox.AGENT_B_ID)
    assert payload["transferContact"]["userErrors"] == []
    assert payload["transferContact"]["contact"]["ownerId"] == spark_sandbox.AGENT_B_ID


async def test_transfer_connects_an_unconnected_contact(gateway: Gateway) -> None:
    query = """{ contacts(filter: {spark: {unconnected: true}}, first: 1) { nodes { id } } }"""
    (node,) = (await gateway.data(query))["contacts"]["nodes"]
    payload = await gateway.data(TRANSFER, id=node["id"], owner=spark_sandbox.AGENT_A_ID)
    assert payload["transferContact"]["contact"]["recordStatus"] == "CONNECTED"


async def test_transfer_outside_the_office_is_forbidden(gateway: Gateway) -> None:
    created = (await _create(gateway))["contact"]
    body = await gateway.gql(TRANSFER, id=created["id"], owner=spark_sandbox.AGENT_C_ID)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["providerCode"] == "1018"


async def test_transfer_owner_must_be_a_spark_id(gateway: Gateway, sandbox: Sandbox) -> None:
    created = (await _create(gateway))["contact"]
    await sandbox.forget()
    payload = await gateway.data(TRANSFER, id=created["id"], owner="../../admin")
    assert payload["transferContact"]["userErrors"][0]["field"] == ["ownerId"]
    assert await sandbox.count() == 0


async def test_update_my_contact_changes_permitted_fields(gateway: Gateway) -> None:
    query = """mutation($input: UpdateMyContactInput!) { updateMyContact(input: $input) {
        contact { givenName addresses { kind locality } } userErrors { field code } } }"""
    payload = await gateway.data(
        query,
        input={
            "givenName": "Robin",
            "addresses": [
                {"kind": "HOME", "streetLines": ["1 Main St"], "locality": "Springfield"}
            ],
        },
    )
    result = payload["updateMyContact"]
    assert result["userErrors"] == []
    assert result["contact"]["givenName"] == "Robin"
    assert {"kind": "HOME", "locality": "Springfield"} in result["contact"]["addresses"]


async def test_a_spark_block_on_a_bad_id_is_a_user_error(gateway: Gateway) -> None:
    payload = await gateway.data(UPDATE, id="bogus", input={"givenName": "x"})
    assert payload["updateContact"]["userErrors"][0]["code"] == "INVALID"
