"""The AutoDNS sandbox over real HTTP: every task, every EF code, auth, search, faults."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.autodns.envelope import EnvelopeError, StatusType, parse_envelope
from providers.autodns.rules import contact_problems
from providers.autodns.sandbox import (
    CONTEXT,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    USER,
    AutoDnsSandbox,
    create_autodns_sandbox,
)
from providers.autodns.sandbox_data import StoredContact
from providers.autodns.sandbox_search import run_search
from providers.autodns.search import OPERATORS, SEARCH_KEYS, SearchError, parse_search
from tests.autodns.conftest import AutoDnsClient, Reply, basic, valid_contact

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}")
STID = re.compile(r"\d{8}-app1-sbx-\d{6}")


def mine(sandbox: AutoDnsSandbox) -> list[StoredContact]:
    return sandbox.store.owned_by(USER)


def first(sandbox: AutoDnsSandbox, *, used: bool, owner: str = USER) -> StoredContact:
    return next(c for c in sandbox.store.owned_by(owner) if bool(c.domains) is used)


def ids(reply: Reply) -> list[int]:
    return [int(d["id"]) for d in reply.envelope.data]


def assert_error(reply: Reply, http: int, status: str, code: str) -> None:
    env = reply.envelope
    assert (reply.status, env.status.code, env.status.type) == (http, status, StatusType.ERROR)
    assert code in env.message_codes, env.messages


# --- the tasks ---------------------------------------------------------------------------


async def test_create_then_info_returns_the_stored_contact(client: AutoDnsClient) -> None:
    reply = await client.create(valid_contact(country="de", fname=" Jane "))
    env = reply.envelope
    assert (reply.status, env.status.code, env.status.type) == (200, "S0301", StatusType.SUCCESS)
    created = env.data[0]
    assert env.object is not None and env.object.value == str(created["id"])
    assert isinstance(created["id"], int)
    assert (created["country"], created["fname"], created["protection"]) == (
        "DE",
        "Jane",
        "SHOW_NONE",
    )
    assert created["owner"] == created["updater"] == {"context": 4, "user": USER}
    assert TIME.fullmatch(created["created"]) and created["created"] == created["updated"]
    info = await client.info(created["id"])
    assert info.envelope.status.code == "S0304" and info.envelope.data[0] == created


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"phone": "+1-123"}, "EF03010", "phone"),
        ({"fax": "+49 941 99"}, "EF03011", "fax"),
        ({"alias": None}, "EF030110", "alias"),
        ({"comment": "c" * 501}, "EF03012", "comment"),
        ({"city": "x" * 65}, "EF03015", "city"),
        ({"fname": "4711"}, "EF03017", "fname"),
        ({"lname": "\x1b[31m"}, "EF03018", "lname"),
        ({"type": "ORG"}, "EF03019", "organization"),
        ({"country": "Germany"}, "EF03023", "country"),
    ],
)
async def test_create_answers_each_rule_with_its_code(
    client: AutoDnsClient, overrides: dict[str, Any], code: str, field: str
) -> None:
    reply = await client.create(valid_contact(**overrides))
    assert_error(reply, 400, "E0301", code)
    assert [t for t, _ in reply.objects(code)] == [field]


@pytest.mark.parametrize(
    ("alias", "code"), [("__internal_error_13__", "EF03013"), ("__internal_error_14__", "EF03014")]
)
async def test_internal_errors_can_be_triggered(
    client: AutoDnsClient, alias: str, code: str
) -> None:
    assert_error(await client.create(valid_contact(alias=alias)), 500, "E0301", code)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
async def test_create_rejects_bodies_that_are_not_objects(
    client: AutoDnsClient, body: bytes
) -> None:
    reply = await client.call(
        "POST", "/v1/contact", data=body, headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 400, "E0301", "EF03024")


async def test_same_data_is_refused_unless_forced(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    existing = mine(sandbox)[0]
    copy = {
        **existing.to_json(),
        "alias": "copy",
        "fname": f"  {existing.fields['fname'].upper()} ",
    }
    refused = await client.create(copy)
    assert_error(refused, 409, "E0301", "EF03020")
    assert refused.objects("EF03020") == [("Contact", str(existing.id))]
    forced = await client.create(copy, force=True)
    assert forced.status == 200 and ids(forced)[0] not in (existing.id,)
    assert_error(await client.create(copy), 409, "E0301", "EF03020")
    odd_key = await client.call("POST", "/v1/contact", json=copy, params=[("keys[]", "force")])
    assert_error(odd_key, 400, "E0301", "EF03024")


async def test_same_data_of_another_account_does_not_count(
    other_client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    reply = await other_client.create({**mine(sandbox)[0].to_json(), "alias": "mine-too"})
    assert reply.status == 200 and reply.envelope.data[0]["owner"]["user"] == OTHER_USER


async def test_update_merges_sent_fields(client: AutoDnsClient, sandbox: AutoDnsSandbox) -> None:
    target = first(sandbox, used=False)
    before = target.to_json()
    reply = await client.update(target.id, {"city": "Passau", "fax": None, "id": target.id})
    assert reply.status == 200 and reply.envelope.status.code == "S0302"
    after = reply.envelope.data[0]
    assert after["city"] == "Passau" and "fax" not in after and after["lname"] == before["lname"]
    assert after["updated"] > before["updated"] and after["created"] == before["created"]
    assert (await client.info(target.id)).envelope.data[0] == after


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"phone": "0941/123"}, "EF03010"),
        ({"fname": None}, "EF03017"),
        ({"alias": ""}, "EF030110"),
        ({"id": 1}, "EF03024"),
        ({"address": ["a"] * 4}, "EF03015"),
    ],
)
async def test_update_applies_the_rules(
    client: AutoDnsClient, sandbox: AutoDnsSandbox, changes: dict[str, Any], code: str
) -> None:
    target = mine(sandbox)[0]
    assert_error(await client.update(target.id, changes), 400, "E0302", code)


async def test_delete_unused_contact(client: AutoDnsClient, sandbox: AutoDnsSandbox) -> None:
    target = first(sandbox, used=False)
    reply = await client.delete(target.id)
    assert (reply.status, reply.envelope.status.code) == (200, "S0303")
    assert reply.envelope.object is not None and reply.envelope.object.value == str(target.id)
    assert_error(await client.info(target.id), 404, "E0304", "EF03021")
    assert_error(await client.delete(target.id), 404, "E0303", "EF03021")


async def test_delete_of_a_contact_used_by_domains_is_refused(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    target = first(sandbox, used=True)
    reply = await client.delete(target.id)
    assert_error(reply, 409, "E0303", "EF03022")
    assert reply.objects("EF03022") == [("domain", d) for d in target.domains]
    assert (await client.info(target.id)).status == 200


@pytest.mark.parametrize(
    ("method", "status"), [("GET", "E0304"), ("PUT", "E0302"), ("DELETE", "E0303")]
)
async def test_tasks_on_another_accounts_contact_are_not_authorised(
    client: AutoDnsClient, sandbox: AutoDnsSandbox, method: str, status: str
) -> None:
    theirs = sandbox.store.owned_by(OTHER_USER)[0]
    reply = await client.call(method, f"/v1/contact/{theirs.id}", json={"city": "x"})
    assert_error(reply, 403, status, "EF03016")
    assert sandbox.store.contacts[theirs.id].fields == theirs.fields


@pytest.mark.parametrize(
    ("method", "status"), [("GET", "E0304"), ("PUT", "E0302"), ("DELETE", "E0303")]
)
async def test_a_missing_id_is_ef030110(client: AutoDnsClient, method: str, status: str) -> None:
    assert_error(await client.call(method, "/v1/contact/", json={}), 400, status, "EF030110")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/contact/..%2F..%2F_sandbox%2Freset",
        "/v1/contact/../../_sandbox/reset",
        "/v1/contact/%2E%2E/%2E%2E/_sandbox/faults",
        "/v1/contact/23151400%2F..",
        "/v1/contact/23151400%3Fx=1",
        "/v1/contact/23151400%00",
        "/v1/contact/-1",
        "/v1/contact/0023151400",
    ],
)
async def test_hostile_ids_never_reach_another_path(
    client: AutoDnsClient, sandbox: AutoDnsSandbox, path: str
) -> None:
    await client.control("DELETE", "requests")
    created = ids(await client.create(valid_contact()))[0]
    for method in ("GET", "DELETE", "POST"):
        reply = await client.call(method, path, raw_path=True, json={})
        assert reply.status in (404, 405) and reply.envelope.is_error
        assert reply.envelope.message_codes in (("EF03021",), ("EF00001",))
    log = await client.control("GET", "requests")
    assert log["count"] == 4 and all(r["path"].startswith("/v1/contact") for r in log["requests"])
    assert created in sandbox.store.contacts  # no reset happened


async def test_unknown_paths_and_methods_answer_with_envelopes(client: AutoDnsClient) -> None:
    assert_error(await client.call("GET", "/v2/contact"), 404, "E0000", "EF00001")
    assert_error(
        await client.call("PATCH", "/v1/contact/23151400", json={}), 405, "E0000", "EF00001"
    )


# --- auth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "password", "context"),
    [
        (USER, "wrong", CONTEXT),
        ("nobody", PASSWORD, CONTEXT),
        (USER, OTHER_PASSWORD, CONTEXT),
        (USER, PASSWORD, "5"),
        (USER, PASSWORD, None),
    ],
)
async def test_bad_credentials_get_401(
    client: AutoDnsClient, user: str, password: str, context: str | None
) -> None:
    reply = await client.as_user(user, password, context).search()
    assert_error(reply, 401, "E0000", "EF00000")
    assert reply.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "header", ["", "Bearer abc", "Basic !!!", "Basic " + "bm9jb2xvbg==", basic(USER, "")]
)
async def test_malformed_authorization_gets_401(client: AutoDnsClient, header: str) -> None:
    reply = await client.call("GET", "/v1/contact/23151400", headers={"Authorization": header})
    assert_error(reply, 401, "E0000", "EF00000")


async def test_each_account_sees_only_its_contacts(
    client: AutoDnsClient, other_client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    theirs = {c.id for c in sandbox.store.owned_by(OTHER_USER)}
    reply = await other_client.search({"view": {"limit": 1000}})
    assert set(ids(reply)) == theirs and reply.envelope.object is not None
    assert reply.envelope.object.summary == len(theirs)
    mine_reply = await client.search({"view": {"limit": 1000}})
    assert not theirs & set(ids(mine_reply)) and len(ids(mine_reply)) == 120


# --- search ------------------------------------------------------------------------------


async def test_search_defaults_to_50_by_id_with_summary(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    reply = await client.search()
    env = reply.envelope
    assert env.status.code == "S0304" and env.object is not None and env.object.summary == 120
    assert ids(reply) == sorted(c.id for c in mine(sandbox))[:50]


def _text(c: StoredContact, key: str) -> str:
    return str(c.fields.get(key) or "").casefold()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {"key": "country", "value": "de", "operator": "EQUAL"},
            lambda c: _text(c, "country") == "de",
        ),
        (
            {"key": "type", "value": "PERSON", "operator": "NOT_EQUAL"},
            lambda c: c.fields["type"] != "PERSON",
        ),
        (
            {"key": "alias", "value": "a*", "operator": "LIKE"},
            lambda c: _text(c, "alias").startswith("a"),
        ),
        (
            {"key": "email", "value": "*.de", "operator": "NOT_LIKE"},
            lambda c: not _text(c, "email").endswith(".de"),
        ),
        (
            {"key": "phone", "value": "+49-*-*", "operator": "LIKE"},
            lambda c: _text(c, "phone").startswith("+49-"),
        ),
        ({"key": "id", "value": "23151450", "operator": "GREATER"}, lambda c: c.id > 23151450),
        ({"key": "id", "value": 23151410, "operator": "LESS_EQUAL"}, lambda c: c.id <= 23151410),
        ({"key": "lname", "value": "m", "operator": "LESS"}, lambda c: _text(c, "lname") < "m"),
        (
            {
                "key": "created",
                "value": "2025-01-01T00:00:00.000+0100",
                "operator": "GREATER_EQUAL",
            },
            lambda c: c.created.isoformat() >= "2025-01-01T00:00:00+01:00",
        ),
        ({"key": "domainsafe", "value": True, "operator": "EQUAL"}, lambda c: c.domainsafe),
        ({"key": "verification", "value": "FAILED"}, lambda c: c.verification == "FAILED"),
        (
            {"key": "address", "value": "*straße*", "operator": "LIKE"},
            lambda c: "strasse" in " ".join(c.fields["address"]).casefold(),
        ),
    ],
)
async def test_each_operator_filters_like_a_reference(
    client: AutoDnsClient, sandbox: AutoDnsSandbox, condition: dict[str, Any], expected: Any
) -> None:
    reply = await client.search({"filters": [condition], "view": {"limit": 1000}})
    want = [c.id for c in mine(sandbox) if expected(c)]
    assert want and ids(reply) == want and reply.envelope.object is not None
    assert reply.envelope.object.summary == len(want)


async def test_or_links_and_nesting(client: AutoDnsClient, sandbox: AutoDnsSandbox) -> None:
    either = {
        "filters": [
            {"key": "country", "value": "DE"},
            {"key": "country", "value": "AT", "link": "OR"},
        ]
    }
    reply = await client.search({**either, "view": {"limit": 1000}})
    assert ids(reply) == [c.id for c in mine(sandbox) if c.fields["country"] in ("DE", "AT")]
    nested = {
        "filters": [
            {"key": "type", "value": "PERSON"},
            {
                "link": "AND",
                "filters": [
                    {"key": "city", "value": "Berlin"},
                    {"key": "city", "value": "Wien", "link": "OR"},
                ],
            },
        ],
        "view": {"limit": 1000},
    }
    want = [
        c.id
        for c in mine(sandbox)
        if c.fields["type"] == "PERSON" and c.fields["city"] in ("Berlin", "Wien")
    ]
    assert want and ids(await client.search(nested)) == want


async def test_orders_sort_with_id_as_tie_breaker(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    body = {
        "orders": [{"key": "country", "ordertype": "DESC"}, {"key": "created", "ordertype": "ASC"}]
    }
    reply = await client.search({**body, "view": {"limit": 1000}})
    want = sorted(mine(sandbox), key=lambda c: c.created)
    want.sort(key=lambda c: c.fields["country"], reverse=True)
    assert ids(reply) == [c.id for c in want]


@pytest.mark.parametrize("limit", [1, 7, 50])
async def test_paging_to_the_end_has_no_gaps_or_repeats(
    client: AutoDnsClient, sandbox: AutoDnsSandbox, limit: int
) -> None:
    orders = [{"key": "lname", "ordertype": "ASC"}]
    full = ids(await client.search({"orders": orders, "view": {"limit": 1000}}))
    seen: list[int] = []
    while True:
        page = ids(
            await client.search({"orders": orders, "view": {"limit": limit, "offset": len(seen)}})
        )
        if not page:
            break
        seen += page
    assert seen == full and len(set(seen)) == len(mine(sandbox)) == 120


@pytest.mark.parametrize(
    "body",
    [
        {"filters": [{"key": "password", "value": "x"}]},
        {"filters": [{"key": "id", "value": "abc", "operator": "GREATER"}]},
        {"filters": [{"key": "created", "value": "yesterday", "operator": "LESS"}]},
        {"view": {"limit": 1001}},
        {"orders": [{"key": "nope", "ordertype": "ASC"}]},
        {"query": {}},
        [1],
    ],
)
async def test_malformed_search_is_ef03024(client: AutoDnsClient, body: Any) -> None:
    assert_error(await client.search(body), 400, "E0304", "EF03024")


# --- stid, faults, log, reset ------------------------------------------------------------


async def test_every_answer_has_a_unique_stid(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    replies = [await client.search(), await client.info(1), await client.create(valid_contact())]
    replies.append(await client.as_user(USER, "bad").search())
    await client.control("POST", "faults", {"fail_next": 1, "rate_limit_next": 1})
    replies += [await client.search(), await client.search()]
    stids = [r.envelope.stid for r in replies]
    assert all(STID.fullmatch(s) for s in stids) and len(set(stids)) == len(stids)


async def test_injected_errors_and_rate_limits_are_envelopes(client: AutoDnsClient) -> None:
    await client.control("POST", "faults", {"fail_next": 1, "error_status": 502})
    assert_error(await client.search(), 502, "E0000", "EF00500")
    await client.control("POST", "faults", {"rate_limit_next": 1, "retry_after_s": 2.5})
    limited = await client.search()
    assert_error(limited, 429, "E0000", "EF00429")
    assert limited.headers["Retry-After"] == "3"
    assert (await client.search()).status == 200


@pytest.mark.parametrize("fault", ["malformed_next", "truncate_next", "wrong_content_type_next"])
async def test_mangled_bodies_make_the_parser_raise(client: AutoDnsClient, fault: str) -> None:
    await client.control("POST", "faults", {fault: 1})
    reply = await client.search()
    with pytest.raises(EnvelopeError):
        parse_envelope(reply.body)
    assert (await client.search()).envelope.status.code == "S0304"


async def test_the_request_log_counts_provider_calls_only(client: AutoDnsClient) -> None:
    await client.control("DELETE", "requests")
    await client.search()
    await client.info(23151400)
    await client.control("GET", "faults")
    log = await client.control("GET", "requests")
    assert log["count"] == 2
    assert [(r["method"], r["path"]) for r in log["requests"]] == [
        ("POST", "/v1/contact/_search"),
        ("GET", "/v1/contact/23151400"),
    ]


async def test_reset_restores_the_seed_exactly(
    client: AutoDnsClient, sandbox: AutoDnsSandbox
) -> None:
    snapshot = [c.to_json() for c in sandbox.store.contacts.values()]
    await client.create(valid_contact())
    await client.update(mine(sandbox)[0].id, {"city": "Passau"})
    await client.delete(first(sandbox, used=False).id)
    stid_before = (await client.search()).envelope.stid
    await client.control("POST", "reset")
    assert [c.to_json() for c in sandbox.store.contacts.values()] == snapshot
    after = await client.search()
    assert after.envelope.object is not None and after.envelope.object.summary == 120
    assert after.envelope.stid > stid_before
    assert ids(await client.create(valid_contact())) == [max(c["id"] for c in snapshot) + 1]


def test_seed_is_deterministic_valid_and_sized() -> None:
    one, two = create_autodns_sandbox(), create_autodns_sandbox()
    assert [c.to_json() for c in one.store.contacts.values()] == [
        c.to_json() for c in two.store.contacts.values()
    ]
    other_seed = create_autodns_sandbox(seed=14, contact_count=30)
    assert (
        len(other_seed.store.owned_by(USER)) == 30
        and len(other_seed.store.owned_by(OTHER_USER)) == 3
    )
    contacts = list(one.store.contacts.values())
    assert all(contact_problems(c.fields) == [] for c in contacts)
    assert {c.fields["type"] for c in contacts} == {"PERSON", "ORG", "ROLE"}
    assert len({c.fields["country"] for c in contacts}) >= 8
    assert any(c.domains for c in contacts) and any(not c.domains for c in contacts)
    assert any("fax" in c.fields for c in contacts)


_condition = st.fixed_dictionaries(
    {
        "key": st.sampled_from(sorted(SEARCH_KEYS)),
        "value": st.text(max_size=12) | st.integers() | st.booleans() | st.just("2025-01-01"),
        "operator": st.sampled_from(sorted(OPERATORS)),
        "link": st.sampled_from(["AND", "OR"]),
    }
)
_filters = st.recursive(
    st.lists(_condition, max_size=3),
    lambda inner: st.lists(_condition | st.fixed_dictionaries({"filters": inner}), max_size=3),
    max_leaves=8,
)
_SEEDED = create_autodns_sandbox(contact_count=40)


@given(_filters, st.sampled_from(sorted(SEARCH_KEYS)), st.integers(1, 60), st.integers(0, 50))
def test_search_evaluation_never_crashes(filters: Any, order: str, limit: int, offset: int) -> None:
    body = {
        "filters": filters,
        "view": {"limit": limit, "offset": offset},
        "orders": [{"key": order}],
    }
    contacts = _SEEDED.store.owned_by(USER)
    try:
        page, total = run_search(contacts, parse_search(body))
    except SearchError:
        return
    assert len(page) <= limit and total <= len(contacts)
    assert {c.id for c in page} <= {c.id for c in contacts}
