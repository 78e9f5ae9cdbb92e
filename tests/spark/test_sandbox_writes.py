"""Spark sandbox writes over real HTTP: create, update, transfer, delete and /my/contact."""

from __future__ import annotations

from typing import Any

import pytest

from providers.spark.sandbox import (
    AGENT_A_ID,
    AGENT_B_ID,
    AGENT_C_ID,
    OTHER_AGENT_TOKEN,
    PRIVATE_TOKEN,
    VOW_TOKEN,
    SparkStore,
)
from providers.spark.sandbox_records import StoredContact
from tests.spark.conftest import Reply, SparkClient

NEW = {"DisplayName": "Rita Novak", "PrimaryEmail": "rita.novak@example.com"}


def own(store: SparkStore, index: int = 10, token: str = PRIVATE_TOKEN) -> StoredContact:
    principal = store.principal(token)
    assert principal is not None
    return store.listed(principal, unconnected=False)[index]


def unconnected(store: SparkStore) -> StoredContact:
    return next(c for c in store.contacts.values() if not c.connected)


async def create(spark: SparkClient, **attributes: Any) -> Reply:
    return await spark.call("POST", "/v1/contacts", d={**NEW, **attributes})


async def fetch(spark: SparkClient, contact_id: str, token: str = PRIVATE_TOKEN) -> dict[str, Any]:
    reply = await spark.get(f"/v1/contacts/{contact_id}", token=token, params={"_expand": "Portal"})
    assert reply.status == 200, reply.body
    return reply.results[0]


def assert_refused(reply: Reply, status: int, code: int, *attributes: str) -> None:
    assert (reply.status, reply.code, reply.d["Success"]) == (status, code, False), reply.body
    assert sorted(reply.error_attributes()) == sorted(attributes)
    assert all(item["Status"] == "Fatal" for item in reply.d.get("Errors", []))


# ---------------------------------------------------------------- create


async def test_create_returns_201_with_uri_and_id(spark: SparkClient) -> None:
    reply = await create(spark, Tags=["Buyer"], Notify=True)
    assert reply.status == 201
    (created,) = reply.results
    assert created == {"ResourceUri": f"/v1/contacts/{created['Id']}", "Id": created["Id"]}
    assert len(created["Id"]) == 23 and created["Id"].isdigit()
    row = await fetch(spark, created["Id"])
    assert (row["DisplayName"], row["Tags"], row["OwnerId"]) == (
        "Rita Novak",
        ["Buyer"],
        AGENT_A_ID,
    )
    assert row["RecordStatus"] == "Connected"
    assert row["CreatedTimestamp"] == row["ModificationTimestamp"]
    portal = row["Portal"]
    assert (portal["Enabled"], portal["LastLoginTimestamp"]) == (False, None)
    assert created["Id"] in await spark.all_ids()


async def test_create_accepts_json_with_a_charset(spark: SparkClient) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    reply = await spark.call("POST", "/v1/contacts", d=NEW, headers=headers)
    assert reply.status == 201


async def test_create_unconnected_joins_the_office_pool(spark: SparkClient) -> None:
    created = (await create(spark, RecordStatus="Unconnected")).results[0]["Id"]
    row = await fetch(spark, created)
    assert (row["RecordStatus"], row["OwnerId"]) == ("Unconnected", None)
    assert created not in await spark.all_ids()
    assert created in await spark.all_ids("/v1/contacts/unconnected")


@pytest.mark.parametrize(
    ("body", "attributes"),
    [
        ({}, ("DisplayName", "PrimaryEmail")),
        ({"DisplayName": "Only Name"}, ("PrimaryEmail",)),
        ({"DisplayName": "  ", "PrimaryEmail": "a@example.com"}, ("DisplayName",)),
        ({"DisplayName": None, "PrimaryEmail": "a@example.com"}, ("DisplayName",)),
    ],
)
async def test_required_attributes_are_1050(
    spark: SparkClient, body: dict[str, Any], attributes: tuple[str, ...]
) -> None:
    assert_refused(await spark.call("POST", "/v1/contacts", d=body), 400, 1050, *attributes)


async def test_length_limits_report_every_violation_at_once(spark: SparkClient) -> None:
    too_long = {
        "DisplayName": "D" * 76,
        "PrimaryEmail": "e" * 70 + "@x.com",
        "Tags": ["ok", "T" * 76],
        "MobilePhoneCountryCode": "USA",
        "Note": "n" * 10_001,
        "GivenName": "g" * 301,
        "SecondaryEmails": ["s" * 301],
    }
    reply = await spark.call("POST", "/v1/contacts", d=too_long)
    assert_refused(reply, 400, 1053, *too_long)


async def test_length_limits_are_inclusive(spark: SparkClient) -> None:
    at_limit = {
        "DisplayName": "D" * 75,
        "PrimaryEmail": "e" * 69 + "@x.com",
        "Tags": ["T" * 75],
        "MobilePhoneCountryCode": "US",
        "Note": "n" * 10_000,
        "WorkStreetAddress": "w" * 300,
    }
    assert (await spark.call("POST", "/v1/contacts", d=at_limit)).status == 201


@pytest.mark.parametrize(
    "attribute",
    [
        "Id", "ResourceUri", "OwnerId", "CreatedTimestamp", "ModificationTimestamp",
        "InvalidEmails", "PortalLoginName", "NewsFeedNotificationUI", "PortalInvitationTimestamp",
        "VowActive", "Activity", "Notes", "UniquePrimaryEmail",
    ],
)  # fmt: skip
async def test_read_only_attributes_are_1053(spark: SparkClient, attribute: str) -> None:
    reply = await create(spark, **{attribute: "x"})
    assert_refused(reply, 400, 1053, attribute)
    assert reply.d["Errors"][0]["Type"] == "InvalidAttribute"


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("Shoe", "x"),
        ("GivenName", 5),
        ("Tags", "Buyer"),
        ("SecondaryEmails", [1]),
        ("Settings", {"Other": True}),
        ("Settings", {"ReverseProspecting": "yes"}),
        ("RecordStatus", "Archived"),
        ("Notify", "yes"),
    ],
)
async def test_unknown_or_wrongly_typed_attributes_are_1053(
    spark: SparkClient, attribute: str, value: Any
) -> None:
    assert_refused(await create(spark, **{attribute: value}), 400, 1053, attribute)


async def test_notification_emails_must_be_secondary_emails(spark: SparkClient) -> None:
    ok = await create(
        spark, SecondaryEmails=["B@example.com"], AdditionalNotificationEmails=["b@example.com"]
    )
    assert ok.status == 201
    reply = await create(
        spark,
        PrimaryEmail="other@example.com",
        SecondaryEmails=["b@example.com"],
        AdditionalNotificationEmails=["c@example.com"],
    )
    assert_refused(reply, 400, 1053, "AdditionalNotificationEmails")
    assert reply.d["Errors"][0]["Type"] == "RuleViolation"


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({"Content-Type": "text/plain"}, b'{"D": {}}'),
        ({}, b'{"D": {}}'),
        ({"Content-Type": "application/json"}, b"{not json"),
        ({"Content-Type": "application/json"}, b'{"DisplayName": "No Envelope"}'),
        ({"Content-Type": "application/json"}, b'{"D": ["x"]}'),
        ({"Content-Type": "application/json"}, b'{"D": {}, "E": 1}'),
        ({"Content-Type": "application/json"}, b'{"D": {"Note": NaN}}'),
        ({"Content-Type": "application/json"}, b"\xff\xfe"),
    ],
)
async def test_bodies_that_are_not_json_d_objects_are_1035(
    spark: SparkClient, headers: dict[str, str], data: bytes
) -> None:
    for method, path in (
        ("POST", "/v1/contacts"),
        ("PUT", f"/v1/contacts/{own(spark.sandbox.store).id}"),
    ):
        reply = await spark.call(method, path, data=data, headers=headers)
        assert (reply.status, reply.code) == (400, 1035)


async def test_duplicate_primary_email_of_the_same_owner_is_409(spark: SparkClient) -> None:
    existing = own(spark.sandbox.store).attrs["PrimaryEmail"]
    reply = await create(spark, PrimaryEmail=existing.upper())
    assert (reply.status, reply.code) == (409, 1055)


async def test_same_email_at_another_owner_is_fine(spark: SparkClient) -> None:
    b_email = own(spark.sandbox.store, 3, OTHER_AGENT_TOKEN).attrs["PrimaryEmail"]
    assert (await create(spark, PrimaryEmail=b_email)).status == 201


# ---------------------------------------------------------------- update


async def test_partial_update_and_clearing(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    before = contact.attrs["ModificationTimestamp"]
    changes = {"GivenName": "Zed", "Organization": None, "Tags": None, "Settings": None}
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d=changes)
    assert (reply.status, reply.body) == (200, {"D": {"Success": True}})
    row = await fetch(spark, contact.id)
    assert (row["GivenName"], row["Organization"], row["Tags"]) == ("Zed", None, [])
    assert row["Settings"] == {"ReverseProspecting": False}
    assert row["ModificationTimestamp"] != before
    assert row["DisplayName"] == contact.attrs["DisplayName"]


@pytest.mark.parametrize("attribute", ["DisplayName", "PrimaryEmail"])
async def test_required_attributes_cannot_be_cleared(spark: SparkClient, attribute: str) -> None:
    contact = own(spark.sandbox.store)
    for value in (None, ""):
        reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={attribute: value})
        assert_refused(reply, 400, 1050, attribute)


async def test_update_checks_lengths_and_notify(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    changes = {"Pets": "p" * 301, "Notify": True}
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d=changes)
    assert_refused(reply, 400, 1053, "Pets", "Notify")
    assert contact.attrs["Pets"] != "p" * 301


async def test_update_to_a_taken_email_is_409(spark: SparkClient) -> None:
    store = spark.sandbox.store
    taken = own(store, 11).attrs["PrimaryEmail"]
    reply = await spark.call("PUT", f"/v1/contacts/{own(store).id}", d={"PrimaryEmail": taken})
    assert (reply.status, reply.code) == (409, 1055)


async def test_connected_never_goes_back_to_unconnected(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"RecordStatus": "Unconnected"})
    assert_refused(reply, 400, 1053, "RecordStatus")
    assert reply.d["Errors"][0]["Type"] == "RuleViolation"


async def test_an_unconnected_contact_updated_to_connected_joins_the_caller(
    spark: SparkClient,
) -> None:
    contact = unconnected(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"RecordStatus": "Connected"})
    assert reply.status == 200
    assert (await fetch(spark, contact.id))["OwnerId"] == AGENT_A_ID


# ---------------------------------------------------------------- transfer


async def test_transfer_within_the_office(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"OwnerId": AGENT_B_ID})
    assert (reply.status, reply.body) == (200, {"D": {"Success": True}})
    assert (await spark.get(f"/v1/contacts/{contact.id}")).status == 404
    row = await fetch(spark, contact.id, OTHER_AGENT_TOKEN)
    assert (row["OwnerId"], row["RecordStatus"]) == (AGENT_B_ID, "Connected")


async def test_transfer_of_an_unconnected_contact_connects_it(spark: SparkClient) -> None:
    contact = unconnected(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"OwnerId": AGENT_A_ID})
    assert reply.status == 200
    assert contact.id in await spark.all_ids()
    assert contact.id not in await spark.all_ids("/v1/contacts/unconnected")


async def test_transfer_allows_no_other_attribute(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    body = {"OwnerId": AGENT_B_ID, "GivenName": "Sneaky"}
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d=body)
    assert_refused(reply, 400, 1053, "OwnerId")
    assert contact.owner_id == AGENT_A_ID


async def test_transfer_to_another_office_is_403_1018(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"OwnerId": AGENT_C_ID})
    assert (reply.status, reply.code) == (403, 1018)


@pytest.mark.parametrize("owner", ["20110101000000000000009", "", 42])
async def test_transfer_to_an_unknown_agent_is_1053(spark: SparkClient, owner: Any) -> None:
    contact = own(spark.sandbox.store)
    reply = await spark.call("PUT", f"/v1/contacts/{contact.id}", d={"OwnerId": owner})
    assert_refused(reply, 400, 1053, "OwnerId")


async def test_no_transfer_of_another_agents_contact(spark: SparkClient) -> None:
    foreign = own(spark.sandbox.store, 0, OTHER_AGENT_TOKEN)
    reply = await spark.call("PUT", f"/v1/contacts/{foreign.id}", d={"OwnerId": AGENT_A_ID})
    assert (reply.status, reply.code) == (404, 404)


# ---------------------------------------------------------------- delete


async def test_delete_then_404(spark: SparkClient) -> None:
    contact = own(spark.sandbox.store)
    first = await spark.call("DELETE", f"/v1/contacts/{contact.id}")
    assert (first.status, first.body) == (200, {"D": {"Success": True}})
    assert (await spark.get(f"/v1/contacts/{contact.id}")).status == 404
    assert (await spark.call("DELETE", f"/v1/contacts/{contact.id}")).code == 404


async def test_delete_an_unconnected_contact(spark: SparkClient) -> None:
    contact = unconnected(spark.sandbox.store)
    assert (await spark.call("DELETE", f"/v1/contacts/{contact.id}")).status == 200


# ---------------------------------------------------------------- /v1/my/contact


async def test_agent_my_contact_is_the_agent_profile(spark: SparkClient) -> None:
    reply = await spark.get("/v1/my/contact", params={"_expand": "Activity,Portal"})
    (row,) = reply.results
    assert (row["Id"], row["DisplayName"]) == (AGENT_A_ID, "Avery Sparks")
    assert len(row["DailyActivity"]) == 30 and row["Portal"] is None


async def test_my_contact_updates_permitted_attributes(spark: SparkClient) -> None:
    changes = {"HomeStreetAddress": "1 Lake St", "PrimaryEmail": "avery@example.com"}
    reply = await spark.call("PUT", "/v1/my/contact", d=changes)
    assert reply.body == {"D": {"Success": True}}
    row = (await spark.get("/v1/my/contact")).results[0]
    assert (row["HomeStreetAddress"], row["PrimaryEmail"]) == ("1 Lake St", "avery@example.com")


@pytest.mark.parametrize(
    "attribute", ["Tags", "Note", "OwnerId", "RecordStatus", "Organization", "WorkLocality", "Shoe"]
)
async def test_my_contact_refuses_other_attributes(spark: SparkClient, attribute: str) -> None:
    changes = {"GivenName": "Kept Out", attribute: "x"}
    reply = await spark.call("PUT", "/v1/my/contact", d=changes)
    assert_refused(reply, 400, 1053, attribute)
    assert "not permitted" in reply.d["Errors"][0]["Message"]
    assert (await spark.get("/v1/my/contact")).results[0]["GivenName"] == "Avery"


async def test_vow_user_updates_their_own_contact(spark: SparkClient) -> None:
    consumer = spark.sandbox.store.consumers["VOW"]
    reply = await spark.call(
        "PUT", "/v1/my/contact", token=VOW_TOKEN, d={"MobilePhoneNumber": "555-201-3344"}
    )
    assert reply.status == 200
    assert (await fetch(spark, consumer))["MobilePhoneNumber"] == "555-201-3344"
