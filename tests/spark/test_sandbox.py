"""Spark sandbox over real HTTP: envelopes, auth, routing, roles, faults and the control API."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from providers.spark.sandbox import (
    AGENT_A_ID,
    IDX_TOKEN,
    OTHER_AGENT_TOKEN,
    PORTAL_TOKEN,
    PRIVATE_TOKEN,
    PUBLIC_TOKEN,
    REPLICATION_TOKEN,
    SPARK_SANDBOX_TOKENS,
    VOW_TOKEN,
    create_spark_sandbox,
)
from providers.spark.sandbox_schema import OUTPUT_ATTRIBUTES
from tests.spark.conftest import SparkClient

ANY_ID = "20260000000000000000001"  # well-formed, never seeded


def a_contact_id(spark: SparkClient) -> str:
    principal = spark.sandbox.store.principal(PRIVATE_TOKEN)
    assert principal is not None
    return spark.sandbox.store.listed(principal, unconnected=False)[5].id


# ---------------------------------------------------------------- envelopes


async def test_list_envelope_has_results_and_no_pagination_by_default(spark: SparkClient) -> None:
    reply = await spark.get("/v1/contacts")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert set(reply.d) == {"Success", "Results"}
    assert reply.d["Success"] is True
    assert len(reply.results) == 10


async def test_every_attribute_is_present_in_its_wire_shape(spark: SparkClient) -> None:
    rows = (await spark.get("/v1/contacts", params={"_limit": "25"})).results
    for row in rows:
        assert list(row) == list(OUTPUT_ATTRIBUTES)
        assert row["ResourceUri"] == f"/v1/contacts/{row['Id']}"
        assert len(row["Id"]) == 23 and row["Id"].isdigit()
        assert row["OwnerId"] == AGENT_A_ID and row["RecordStatus"] == "Connected"
        for name in ("SecondaryEmails", "AdditionalNotificationEmails", "InvalidEmails", "Tags"):
            assert isinstance(row[name], list) and all(isinstance(x, str) for x in row[name])
        assert set(row["Settings"]) == {"ReverseProspecting"}
        for name in ("CreatedTimestamp", "ModificationTimestamp"):
            assert datetime.fromisoformat(row[name]).utcoffset() is not None
            assert row[name].endswith("+00:00")
        assert row["Note"] is None or isinstance(row["Note"], str)
        assert isinstance(row["NewsFeedNotificationUI"], str)


async def test_pagination_one_and_count(spark: SparkClient) -> None:
    paged = await spark.get("/v1/contacts", params={"_pagination": "1", "_page": "2"})
    assert paged.d["Pagination"] == {
        "TotalRows": 300,
        "PageSize": 10,
        "TotalPages": 30,
        "CurrentPage": 2,
    }
    counted = await spark.get("/v1/contacts", params={"_pagination": "count"})
    assert counted.results == []
    assert counted.d["Pagination"]["TotalRows"] == 300
    bad = await spark.get("/v1/contacts", params={"_pagination": "yes"})
    assert (bad.status, bad.code) == (400, 1053)


async def test_single_contact_envelope(spark: SparkClient) -> None:
    contact_id = a_contact_id(spark)
    reply = await spark.get(f"/v1/contacts/{contact_id}")
    assert reply.status == 200
    assert set(reply.d) == {"Success", "Results"}
    assert [row["Id"] for row in reply.results] == [contact_id]


async def test_error_envelope_shape(spark: SparkClient) -> None:
    reply = await spark.get("/v1/contacts", token=None)
    assert reply.body == {
        "D": {
            "Success": False,
            "Code": 1000,
            "Message": "Invalid API key and/or request signed improperly",
        }
    }


# ---------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer nope", "Basic spark-sandbox-private", "spark-sandbox-private"],
)
async def test_missing_or_bad_tokens_are_401_1000(spark: SparkClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    reply = await spark.get("/v1/contacts", token=None, headers=headers)
    assert (reply.status, reply.code) == (401, 1000)


@pytest.mark.parametrize("scheme", ["Bearer", "OAuth", "bearer"])
async def test_bearer_and_oauth_schemes_work(spark: SparkClient, scheme: str) -> None:
    headers = {"Authorization": f"{scheme} {PRIVATE_TOKEN}"}
    reply = await spark.get("/v1/contacts", token=None, headers=headers)
    assert reply.status == 200


def test_documented_tokens_and_roles() -> None:
    assert SPARK_SANDBOX_TOKENS == {
        PRIVATE_TOKEN: "Private",
        IDX_TOKEN: "IDX",
        PUBLIC_TOKEN: "Public",
        VOW_TOKEN: "VOW",
        PORTAL_TOKEN: "Portal",
        REPLICATION_TOKEN: "Private",
        OTHER_AGENT_TOKEN: "Private",
    }


# ---------------------------------------------------------------- routing


@pytest.mark.parametrize(
    "path", ["/v1/contact", "/v1/contacts/", "/v2/contacts", "/v1/my/contacts", "/", "/v1"]
)
async def test_unknown_paths_are_404(spark: SparkClient, path: str) -> None:
    reply = await spark.get(path)
    assert (reply.status, reply.code, reply.d["Success"]) == (404, 404, False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/contacts"),
        ("DELETE", "/v1/contacts"),
        ("PATCH", "/v1/contacts"),
        ("POST", "/v1/contacts/unconnected"),
        ("PUT", "/v1/contacts/unconnected"),
        ("DELETE", "/v1/contacts/unconnected"),
        ("POST", f"/v1/contacts/{ANY_ID}"),
        ("PATCH", f"/v1/contacts/{ANY_ID}"),
        ("POST", "/v1/my/contact"),
        ("DELETE", "/v1/my/contact"),
        ("OPTIONS", "/v1/my/contact"),
    ],
)
async def test_not_implemented_methods_are_405(spark: SparkClient, method: str, path: str) -> None:
    reply = await spark.call(method, path)
    assert (reply.status, reply.code) == (405, 405)


@pytest.mark.parametrize("contact_id", ["123", "2026000000000000000000x", "2" * 24, ANY_ID])
async def test_malformed_or_unknown_ids_are_404(spark: SparkClient, contact_id: str) -> None:
    for method in ("GET", "DELETE"):
        reply = await spark.call(method, f"/v1/contacts/{contact_id}")
        assert (reply.status, reply.code) == (404, 404)


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("token", [PRIVATE_TOKEN, IDX_TOKEN, PUBLIC_TOKEN])
async def test_agent_roles_read_lists_and_contacts(spark: SparkClient, token: str) -> None:
    assert (await spark.get("/v1/contacts", token=token)).status == 200
    assert (await spark.get("/v1/contacts/unconnected", token=token)).status == 200
    assert (await spark.get(f"/v1/contacts/{a_contact_id(spark)}", token=token)).status == 200


async def test_public_role_never_writes(spark: SparkClient) -> None:
    contact_id = a_contact_id(spark)
    body = {"DisplayName": "X", "PrimaryEmail": "x@example.com"}
    attempts = [
        await spark.call("POST", "/v1/contacts", token=PUBLIC_TOKEN, d=body),
        await spark.call("PUT", f"/v1/contacts/{contact_id}", token=PUBLIC_TOKEN, d={}),
        await spark.call("DELETE", f"/v1/contacts/{contact_id}", token=PUBLIC_TOKEN),
        await spark.call("PUT", "/v1/my/contact", token=PUBLIC_TOKEN, d={"GivenName": "X"}),
    ]
    assert [(r.status, r.code) for r in attempts] == [(405, 1017)] * 4
    assert contact_id in spark.sandbox.store.contacts


async def test_idx_role_writes(spark: SparkClient) -> None:
    body = {"DisplayName": "Idx Lead", "PrimaryEmail": "idx.lead@example.com"}
    reply = await spark.call("POST", "/v1/contacts", token=IDX_TOKEN, d=body)
    assert reply.status == 201


@pytest.mark.parametrize("token", [VOW_TOKEN, PORTAL_TOKEN])
async def test_consumer_roles_only_reach_my_contact(spark: SparkClient, token: str) -> None:
    contact_id = a_contact_id(spark)
    attempts = [
        await spark.get("/v1/contacts", token=token),
        await spark.get("/v1/contacts/unconnected", token=token),
        await spark.get(f"/v1/contacts/{contact_id}", token=token),
        await spark.call("DELETE", f"/v1/contacts/{contact_id}", token=token),
        await spark.call("POST", "/v1/contacts", token=token, d={}),
    ]
    assert [(r.status, r.code) for r in attempts] == [(403, 1500)] * 5


@pytest.mark.parametrize(("token", "role"), [(VOW_TOKEN, "VOW"), (PORTAL_TOKEN, "Portal")])
async def test_consumer_my_contact_is_their_contact_at_agent_a(
    spark: SparkClient, token: str, role: str
) -> None:
    consumer_id = spark.sandbox.store.consumers[role]
    reply = await spark.get("/v1/my/contact", token=token, params={"_expand": "Portal"})
    assert reply.status == 200
    (row,) = reply.results
    assert row["Id"] == consumer_id and row["OwnerId"] == AGENT_A_ID
    assert row["Portal"]["Enabled"] is True
    assert consumer_id in await spark.all_ids()


@pytest.mark.parametrize("token", [IDX_TOKEN, PUBLIC_TOKEN, VOW_TOKEN, PORTAL_TOKEN])
async def test_activity_expansion_is_private_only(spark: SparkClient, token: str) -> None:
    reply = await spark.get("/v1/my/contact", token=token, params={"_expand": "Activity"})
    assert (reply.status, reply.code) == (403, 1500)


@pytest.mark.parametrize("token", [IDX_TOKEN, PUBLIC_TOKEN])
async def test_portal_expansion_refused_for_idx_and_public(spark: SparkClient, token: str) -> None:
    for path in ("/v1/contacts", "/v1/my/contact", f"/v1/contacts/{a_contact_id(spark)}"):
        reply = await spark.get(path, token=token, params={"_expand": "Portal"})
        assert (reply.status, reply.code) == (403, 1500)


async def test_private_may_expand_activity_and_portal(spark: SparkClient) -> None:
    reply = await spark.get("/v1/contacts", params={"_expand": "Activity,Portal"})
    assert reply.status == 200
    assert all("Activity" in row and "Portal" in row for row in reply.results)


# ---------------------------------------------------------------- faults and control


async def test_fail_next_gives_503_1510_once(spark: SparkClient) -> None:
    await spark.control("POST", "faults", {"fail_next": 1})
    failed = await spark.get("/v1/contacts")
    assert (failed.status, failed.code, failed.d["Success"]) == (503, 1510, False)
    assert (await spark.get("/v1/contacts")).status == 200


async def test_fail_with_504_gives_1515(spark: SparkClient) -> None:
    await spark.control("POST", "faults", {"fail_next": 1, "error_status": 504})
    failed = await spark.get("/v1/contacts")
    assert (failed.status, failed.code) == (504, 1515)


@pytest.mark.parametrize(("seconds", "header"), [(1.0, "1"), (2.5, "3"), (0.1, "1")])
async def test_rate_limit_next_gives_429_with_retry_after(
    spark: SparkClient, seconds: float, header: str
) -> None:
    await spark.control("POST", "faults", {"rate_limit_next": 1, "retry_after_s": seconds})
    limited = await spark.get("/v1/contacts")
    assert (limited.status, limited.code) == (429, 1550)
    assert limited.headers["Retry-After"] == header
    assert limited.d["Message"] == "over rate limit"


async def test_request_log_counts_provider_calls_only(spark: SparkClient) -> None:
    await spark.control("DELETE", "requests")
    await spark.get("/v1/contacts")
    await spark.get("/v1/nothing")
    await spark.get("/v1/my/contact", token=None)
    await spark.control("GET", "faults")
    log = await spark.control("GET", "requests")
    assert log["count"] == 3
    assert [(r["path"], r["status"]) for r in log["requests"]] == [
        ("/v1/contacts", 200),
        ("/v1/nothing", 404),
        ("/v1/my/contact", 401),
    ]


async def test_reset_restores_the_seeded_data_exactly(spark: SparkClient) -> None:
    store = spark.sandbox.store
    before = json.dumps(store.snapshot(), sort_keys=True)
    victim = a_contact_id(spark)
    await spark.call("DELETE", f"/v1/contacts/{victim}")
    await spark.call("PUT", "/v1/my/contact", d={"GivenName": "Changed"})
    body = {"DisplayName": "New One", "PrimaryEmail": "new.one@example.com"}
    await spark.call("POST", "/v1/contacts", d=body)
    assert json.dumps(store.snapshot(), sort_keys=True) != before
    await spark.control("POST", "reset")
    assert json.dumps(store.snapshot(), sort_keys=True) == before
    assert (await spark.get(f"/v1/contacts/{victim}")).status == 200


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    def dump(seed: int) -> str:
        return json.dumps(create_spark_sandbox(seed=seed).store.snapshot(), sort_keys=True)

    assert dump(7) == dump(7)
    assert dump(7) != dump(8)


def test_contact_count_sets_agent_a_size() -> None:
    store = create_spark_sandbox(contact_count=12).store
    principal = store.principal(PRIVATE_TOKEN)
    assert principal is not None
    assert len(store.listed(principal, unconnected=False)) == 12
