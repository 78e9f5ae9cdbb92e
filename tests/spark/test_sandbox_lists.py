"""Spark sandbox lists over real HTTP: paging, skip tokens, ordering, select, expand, _filter."""

from __future__ import annotations

import itertools

import pytest

from providers.spark.sandbox import (
    AGENT_B_ID,
    OTHER_AGENT_TOKEN,
    PRIVATE_TOKEN,
    REPLICATION_TOKEN,
    SparkStore,
)
from providers.spark.sandbox_records import Principal, StoredContact
from tests.spark.conftest import SparkClient


def principal(store: SparkStore, token: str = PRIVATE_TOKEN) -> Principal:
    found = store.principal(token)
    assert found is not None
    return found


def agent_a(store: SparkStore) -> list[StoredContact]:
    return store.listed(principal(store), unconnected=False)


def default_order(contacts: list[StoredContact]) -> list[str]:
    by_id = sorted(contacts, key=lambda c: c.id)
    by_id.sort(key=lambda c: c.attrs["ModificationTimestamp"], reverse=True)
    return [c.id for c in by_id]


# ---------------------------------------------------------------- limits and pages


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"_limit": "0"}, 200),
        ({"_limit": "25"}, 200),
        ({"_limit": "26"}, 400),
        ({"_limit": "-1"}, 400),
        ({"_limit": "ten"}, 400),
        ({"_limit": ""}, 400),
        ({"_page": "0"}, 400),
        ({"_page": "100000"}, 200),
        ({"_page": "100001"}, 400),
        ({"_skip": "2500000"}, 200),
        ({"_skip": "2500001"}, 400),
        ({"_skip": "5", "_page": "2"}, 400),
        ({"_skiptoken": "", "_skip": "5"}, 400),
        ({"_skiptoken": "not-a-token"}, 400),
    ],
)
async def test_paging_parameter_ranges(
    spark: SparkClient, params: dict[str, str], status: int
) -> None:
    reply = await spark.get("/v1/contacts", params=params)
    assert reply.status == status
    if status == 400:
        assert reply.code == 1053


async def test_limit_zero_and_pages_past_the_end_are_empty(spark: SparkClient) -> None:
    zero = await spark.get("/v1/contacts", params={"_limit": "0", "_pagination": "1"})
    assert zero.results == []
    assert zero.d["Pagination"]["TotalPages"] == 0
    past = await spark.get("/v1/contacts", params={"_page": "31"})
    assert past.results == []


async def test_replication_key_may_take_1000(spark: SparkClient) -> None:
    big = await spark.get("/v1/contacts", token=REPLICATION_TOKEN, params={"_limit": "1000"})
    assert len(big.results) == 300
    over = await spark.get("/v1/contacts", token=REPLICATION_TOKEN, params={"_limit": "1001"})
    assert (over.status, over.code) == (400, 1053)


async def test_paging_to_the_end_repeats_and_skips_nothing(spark: SparkClient) -> None:
    ids = await spark.all_ids()
    assert ids == default_order(agent_a(spark.sandbox.store))
    assert len(set(ids)) == 300


async def test_skip_gives_an_offset_and_current_offset(spark: SparkClient) -> None:
    expected = default_order(agent_a(spark.sandbox.store))
    params = {"_skip": "7", "_limit": "5", "_pagination": "1"}
    reply = await spark.get("/v1/contacts", params=params)
    assert [row["Id"] for row in reply.results] == expected[7:12]
    assert reply.d["Pagination"] == {
        "TotalRows": 300,
        "PageSize": 5,
        "TotalPages": 60,
        "CurrentOffset": 7,
    }


async def skiptoken_pages(spark: SparkClient, limit: str = "25") -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = ""
    while token is not None:
        reply = await spark.get("/v1/contacts", params={"_skiptoken": token, "_limit": limit})
        assert reply.status == 200, reply.body
        pages.append([row["Id"] for row in reply.results])
        token = reply.d["Pagination"]["SkipToken"]
    return pages


async def test_skiptoken_walks_every_row_once(spark: SparkClient) -> None:
    pages = await skiptoken_pages(spark)
    assert len(pages) == 12
    flat = [contact_id for page in pages for contact_id in page]
    assert flat == default_order(agent_a(spark.sandbox.store))


async def test_skiptoken_resumes_after_the_last_row_when_earlier_rows_vanish(
    spark: SparkClient,
) -> None:
    expected = default_order(agent_a(spark.sandbox.store))
    first = await spark.get("/v1/contacts", params={"_skiptoken": ""})
    assert first.d["Pagination"]["CurrentOffset"] == 0
    assert [row["Id"] for row in first.results] == expected[:10]
    await spark.call("DELETE", f"/v1/contacts/{expected[2]}")
    token = first.d["Pagination"]["SkipToken"]
    second = await spark.get("/v1/contacts", params={"_skiptoken": token})
    assert [row["Id"] for row in second.results] == expected[10:20]


# ---------------------------------------------------------------- ordering


async def test_default_order_breaks_modification_ties_by_id(spark: SparkClient) -> None:
    stamps = [c.attrs["ModificationTimestamp"] for c in agent_a(spark.sandbox.store)]
    assert len(set(stamps)) < len(stamps), "the seed must contain ties"
    ids = await spark.all_ids()
    rows = [spark.sandbox.store.contacts[i].attrs for i in ids]
    keys = [(r["ModificationTimestamp"], r["Id"]) for r in rows]
    for (stamp, left), (next_stamp, right) in itertools.pairwise(keys):
        assert stamp > next_stamp or (stamp == next_stamp and left < right)


async def test_orderby_several_keys_case_insensitive(spark: SparkClient) -> None:
    ids = await spark.all_ids(_orderby="+FamilyName,-GivenName")
    contacts = sorted(agent_a(spark.sandbox.store), key=lambda c: c.id)
    contacts.sort(key=lambda c: c.attrs["GivenName"].lower(), reverse=True)
    contacts.sort(key=lambda c: c.attrs["FamilyName"].lower())
    assert ids == [c.id for c in contacts]


async def test_bare_orderby_is_ascending(spark: SparkClient) -> None:
    ids = await spark.all_ids(_orderby="DisplayName")
    names = [spark.sandbox.store.contacts[i].attrs["DisplayName"].lower() for i in ids]
    assert names == sorted(names)


async def test_orderby_score_needs_the_activity_expansion(spark: SparkClient) -> None:
    refused = await spark.get("/v1/contacts", params={"_orderby": "-Score"})
    assert (refused.status, refused.code) == (400, 1053)
    params = {"_orderby": "-Score", "_expand": "Activity", "_limit": "25"}
    rows = (await spark.get("/v1/contacts", params=params)).results
    scores = [row["Activity"]["Score"] for row in rows]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("orderby", ["Note", "-RecordStatus", "Nope", "+", "DisplayName,"])
async def test_orderby_unsearchable_or_unknown_is_1053(spark: SparkClient, orderby: str) -> None:
    reply = await spark.get("/v1/contacts", params={"_orderby": orderby})
    assert (reply.status, reply.code) == (400, 1053)


# ---------------------------------------------------------------- select and expand


async def test_select_returns_only_those_plus_uri_and_id(spark: SparkClient) -> None:
    params = {"_select": "DisplayName,Tags", "_expand": "Notes"}
    rows = (await spark.get("/v1/contacts", params=params)).results
    assert all(set(row) == {"ResourceUri", "Id", "DisplayName", "Tags", "Notes"} for row in rows)
    one = await spark.get(f"/v1/contacts/{rows[0]['Id']}", params={"_select": "PrimaryEmail"})
    assert set(one.results[0]) == {"ResourceUri", "Id", "PrimaryEmail"}
    bad = await spark.get("/v1/contacts", params={"_select": "DisplayName,Shoe"})
    assert (bad.status, bad.code) == (400, 1053)


async def test_unknown_expansion_is_1053(spark: SparkClient) -> None:
    reply = await spark.get("/v1/contacts", params={"_expand": "Notes,Friends"})
    assert (reply.status, reply.code) == (400, 1053)


async def test_activity_lists_have_no_daily_activity_single_gets_do(spark: SparkClient) -> None:
    rows = (await spark.get("/v1/contacts", params={"_expand": "Activity"})).results
    for row in rows:
        assert "DailyActivity" not in row
        assert isinstance(row["Activity"]["Score"], int)
        assert 0 <= row["Activity"]["RelativeScore"] <= 1
    one = await spark.get(f"/v1/contacts/{rows[0]['Id']}", params={"_expand": "Activity"})
    daily = one.results[0]["DailyActivity"]
    assert len(daily) == 30
    assert daily[0]["Date"] == "2025-12-02" and daily[-1]["Date"] == "2025-12-31"
    assert all(set(day) == {"Date", "Score", "RelativeScore"} for day in daily)


async def test_every_expansion_shape(spark: SparkClient) -> None:
    store = spark.sandbox.store
    expand = "NewsFeedSummary,NewsFeedNotificationSummary,Notes,Portal,VowActive,VowEnabled"
    rows = await spark.get("/v1/contacts", params={"_expand": expand, "_limit": "25"})
    for row in rows.results:
        contact = store.contacts[row["Id"]]
        assert {
            "LastListingEventTimestamp", "UnapprovedListingEventCount", "UnreadListingEventCount",
            "LastListingNotificationEventTimestamp", "UnapprovedListingNotificationEventCount",
            "UnreadListingNotificationEventCount", "Notes", "Portal", "VowActive", "VowExists",
        } <= set(row)  # fmt: skip
        assert row["UnreadListingEventCount"] == contact.news_feed.unread
        assert row["LastListingEventTimestamp"] == contact.news_feed.last_event
        assert (
            row["UnapprovedListingNotificationEventCount"] == contact.notification_feed.unapproved
        )
        assert [n["Id"] for n in row["Notes"]] == [n.id for n in contact.notes]
        assert all(set(n) == {"Id", "Note", "CreatedTimestamp"} for n in row["Notes"])
        assert row["VowActive"] is contact.vow_active(store.reference_time)
        assert row["VowExists"] is bool(contact.portal and contact.portal.enabled)
        if contact.portal is None:
            assert row["Portal"] is None
        else:
            assert set(row["Portal"]) == {
                "Id", "Username", "Enabled", "CreatedTimestamp", "LastLoginTimestamp",
            }  # fmt: skip
    assert {row["Portal"] is None for row in rows.results} == {True, False}


async def test_unique_primary_email_is_false_when_another_owner_shares_it(
    spark: SparkClient,
) -> None:
    store = spark.sandbox.store
    b_emails = {c.attrs["PrimaryEmail"].lower() for c in store.listed(
        principal(store, OTHER_AGENT_TOKEN), unconnected=False)}  # fmt: skip
    params = {"_expand": "UniquePrimaryEmail", "_limit": "1000"}
    rows = (await spark.get("/v1/contacts", token=REPLICATION_TOKEN, params=params)).results
    shared = [row for row in rows if row["PrimaryEmail"].lower() in b_emails]
    assert shared and all(row["UniquePrimaryEmail"] is False for row in shared)
    assert any(row["UniquePrimaryEmail"] is True for row in rows)


# ---------------------------------------------------------------- visibility


async def test_unconnected_list_is_the_office_pool(spark: SparkClient) -> None:
    rows = (await spark.get("/v1/contacts/unconnected", params={"_limit": "25"})).results
    assert len(rows) == 25
    assert all(row["RecordStatus"] == "Unconnected" and row["OwnerId"] is None for row in rows)
    as_b = await spark.get(
        "/v1/contacts/unconnected", token=OTHER_AGENT_TOKEN, params={"_limit": "25"}
    )
    assert [row["Id"] for row in as_b.results] == [row["Id"] for row in rows]
    assert not set(await spark.all_ids()) & {row["Id"] for row in rows}


async def test_agents_see_only_their_own_contacts(spark: SparkClient) -> None:
    b_reply = await spark.get("/v1/contacts", token=OTHER_AGENT_TOKEN, params={"_pagination": "1"})
    assert b_reply.d["Pagination"]["TotalRows"] == 40
    assert all(row["OwnerId"] == AGENT_B_ID for row in b_reply.results)
    foreign = b_reply.results[0]["Id"]
    assert foreign not in await spark.all_ids()
    assert (await spark.get(f"/v1/contacts/{foreign}")).status == 404
    assert (await spark.call("DELETE", f"/v1/contacts/{foreign}")).status == 404


# ---------------------------------------------------------------- _filter over HTTP


async def filtered(spark: SparkClient, expression: str, **params: str) -> list[dict[str, object]]:
    reply = await spark.get(
        "/v1/contacts", params={"_filter": expression, "_limit": "25", **params}
    )
    assert reply.status == 200, reply.body
    return reply.results


@pytest.mark.parametrize("term", ["Neddy*", "Neder*", "neddy*", "*LANDER", "Neddy Nederlander"])
async def test_display_name_wildcard_rule(spark: SparkClient, term: str) -> None:
    rows = await filtered(spark, f"DisplayName Eq '{term}'")
    assert [row["DisplayName"] for row in rows] == ["Neddy Nederlander"]


async def test_display_name_without_wildcard_matches_the_whole_name(spark: SparkClient) -> None:
    assert await filtered(spark, "DisplayName Eq 'Nederlander'") == []


async def test_quoted_apostrophes_match(spark: SparkClient) -> None:
    rows = await filtered(spark, r"FamilyName Eq 'O\'Brien'", _limit="25")
    expected = [c for c in agent_a(spark.sandbox.store) if c.attrs["FamilyName"] == "O'Brien"]
    assert expected and len(rows) == min(25, len(expected))
    assert {row["FamilyName"] for row in rows} == {"O'Brien"}


async def test_hostile_value_adds_no_expression(spark: SparkClient) -> None:
    assert await filtered(spark, r"PrimaryEmail Eq 'x\' Or Id Ne \''") == []


async def test_filter_counts_agree_with_the_store(spark: SparkClient) -> None:
    store = spark.sandbox.store
    contacts = agent_a(store)
    cases = {
        "Tags Eq 'Buyer','Seller'": lambda c: bool({"Buyer", "Seller"} & set(c.attrs["Tags"])),
        "VowActive Eq true": lambda c: c.vow_active(store.reference_time),
        "ModificationTimestamp Ge 2025-12-28": lambda c: (
            c.attrs["ModificationTimestamp"] >= "2025-12-28"
        ),
        "Not HomeRegion Eq 'IL' And Organization Ne 'Acme*'": lambda c: (
            c.attrs["HomeRegion"] != "IL" and not (c.attrs["Organization"] or "").startswith("Acme")
        ),
    }
    for expression, predicate in cases.items():
        reply = await spark.get(
            "/v1/contacts", params={"_filter": expression, "_pagination": "count"}
        )
        assert reply.d["Pagination"]["TotalRows"] == sum(map(predicate, contacts)), expression


async def test_portal_login_name_is_exact(spark: SparkClient) -> None:
    contact = next(c for c in agent_a(spark.sandbox.store) if c.portal is not None)
    assert contact.portal is not None
    rows = await filtered(spark, f"PortalLoginName Eq '{contact.portal.username.upper()}'")
    assert [row["Id"] for row in rows] == [contact.id]
    wildcard = await spark.get("/v1/contacts", params={"_filter": "PortalLoginName Eq 'a*'"})
    assert (wildcard.status, wildcard.code) == (400, 1040)


@pytest.mark.parametrize(
    ("expression", "code", "token"),
    [
        ("Note Eq 'x'", 1040, "Note"),
        ("RecordStatus Eq 'Connected'", 1040, "RecordStatus"),
        ("DisplayName Eq 'x", 1040, "'x"),
        ("DisplayName Eq 'a\\b'", 1040, "\\b"),
        (" Or ".join(["GivenName Eq 'x'"] * 76), 1041, "GivenName"),
        ("(((GivenName Eq 'x')))", 1041, "("),
        ("Tags Eq " + ",".join(["'x'"] * 201), 1041, "Tags"),
    ],
)
async def test_filter_errors_carry_sparkql_errors(
    spark: SparkClient, expression: str, code: int, token: str
) -> None:
    reply = await spark.get("/v1/contacts", params={"_filter": expression})
    assert (reply.status, reply.code) == (400, code)
    (detail,) = reply.d["SparkQLErrors"]
    assert detail["Token"] == token and detail["Status"] == "Fatal"


async def test_filter_applies_to_the_unconnected_list(spark: SparkClient) -> None:
    reply = await spark.get(
        "/v1/contacts/unconnected",
        params={"_filter": "CreatedTimestamp Lt 2026-01-01", "_pagination": "1"},
    )
    assert reply.d["Pagination"]["TotalRows"] == 25
