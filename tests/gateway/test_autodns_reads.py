"""Reading AutoDNS domain contacts through GraphQL: info, batches, search push-down, paging."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

import providers.autodns.sandbox as autodns_sandbox
from providers.autodns.sandbox import AutoDnsSandbox, create_autodns_sandbox
from providers.autodns.sandbox_data import StoredContact
from providers.model import ProviderName
from schema.ids import encode_global_id
from tests.gateway.autodns_support import READ, SEARCH, create, direct, provider_requests
from tests.harness import Gateway, Sandbox, autodns_stack

STID = re.compile(r"\d{8}-app1-sbx-\d{6}")
NODES = (
    """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on DomainContact { nativeId alias } } }"""
)


@pytest.fixture
def seeded() -> AutoDnsSandbox:
    return create_autodns_sandbox()


@pytest.fixture
async def stack(seeded: AutoDnsSandbox) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with autodns_stack(seeded) as pair:
        yield pair


def _gid(native_id: object) -> str:
    return encode_global_id(ProviderName.AUTODNS, str(native_id))


def _mine(seeded: AutoDnsSandbox) -> list[StoredContact]:
    return seeded.store.owned_by(autodns_sandbox.USER)


async def _search(gateway: Gateway, first: int = 100, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gateway.data(SEARCH, first=first, **variables))["contacts"]
    return result


# --- info and batches -----------------------------------------------------------------------


async def test_contact_by_id_is_one_info_call_with_every_field_mapped(
    gateway: Gateway, sandbox: Sandbox, seeded: AutoDnsSandbox
) -> None:
    stored = next(c for c in _mine(seeded) if "fax" in c.fields and c.fields.get("state"))
    await sandbox.forget()
    contact = (await gateway.data(READ, id=_gid(stored.id)))["contact"]
    raw = stored.to_json()
    assert contact["nativeId"] == str(stored.id) and contact["alias"] == raw["alias"]
    assert (contact["givenName"], contact["familyName"]) == (raw["fname"], raw["lname"])
    assert contact["emails"] == [{"address": raw["email"], "kind": "PRIMARY"}]
    assert [(p["kind"], p["raw"]) for p in contact["phones"]] == [
        ("PRIMARY", raw["phone"]),
        ("FAX", raw["fax"]),
    ]
    assert all(p["e164"] == "+" + p["raw"].replace("-", "").lstrip("+") for p in contact["phones"])
    (address,) = contact["addresses"]
    assert address == {
        "kind": "OTHER",
        "streetLines": raw["address"],
        "postalCode": raw["pcode"],
        "locality": raw["city"],
        "region": raw["state"],
        "country": raw["country"],
    }
    assert (contact["verification"], contact["domainsafe"]) == (
        raw["verification"],
        raw["domainsafe"],
    )
    assert contact["createdAt"].startswith(raw["created"][:19])
    assert STID.fullmatch(contact["lastStid"])
    (request,) = await provider_requests(sandbox)
    assert (request["method"], request["path"]) == ("GET", f"/v1/contact/{stored.id}")


async def test_display_name_is_derived_by_type(gateway: Gateway, seeded: AutoDnsSandbox) -> None:
    by_type = {c.fields["type"]: c for c in _mine(seeded)}
    for kind, stored in by_type.items():
        contact = (await gateway.data(READ, id=_gid(stored.id)))["contact"]
        names = f"{stored.fields['fname']} {stored.fields['lname']}"
        expected = stored.fields["organization"] if kind == "ORG" else names
        assert (contact["type"], contact["displayName"]) == (kind, expected)


async def test_many_ids_are_one_search_and_unknown_ones_are_null(
    gateway: Gateway, sandbox: Sandbox, seeded: AutoDnsSandbox
) -> None:
    wanted = [c.id for c in _mine(seeded)[:60]]
    theirs = seeded.store.owned_by(autodns_sandbox.OTHER_USER)[0].id
    ids = [_gid(i) for i in wanted] + [_gid(theirs), _gid(99999999), _gid("../../x")]
    await sandbox.forget()
    nodes = (await gateway.data(NODES, ids=ids))["nodes"]
    assert [n["nativeId"] for n in nodes[:60]] == [str(i) for i in wanted]
    assert nodes[60:] == [None, None, None]
    requests = await provider_requests(sandbox)
    assert [(r["method"], r["path"]) for r in requests] == [("POST", "/v1/contact/_search")] * 2


# --- lists, paging, order -------------------------------------------------------------------


async def test_paging_to_the_end_returns_every_contact_once(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await _search(gateway, first=37, after=after)
        seen.extend(n["nativeId"] for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert page["totalCount"] == 120 and len(seen) == 120 and len(set(seen)) == 120
    assert len(await provider_requests(sandbox)) == 4


async def test_default_order_is_updated_desc_then_id(
    gateway: Gateway, seeded: AutoDnsSandbox
) -> None:
    page = await _search(gateway)
    want = sorted(_mine(seeded), key=lambda c: c.id)
    want.sort(key=lambda c: c.updated, reverse=True)
    assert [n["nativeId"] for n in page["nodes"]] == [str(c.id) for c in want[:100]]
    assert len({n["lastStid"] for n in page["nodes"]}) == 1


async def test_order_by_family_name(gateway: Gateway, seeded: AutoDnsSandbox) -> None:
    order = [{"field": "FAMILY_NAME", "direction": "DESC"}]
    page = await _search(gateway, orderBy=order)
    want = sorted(_mine(seeded), key=lambda c: c.id)
    want.sort(key=lambda c: c.fields["lname"].casefold(), reverse=True)
    assert [n["nativeId"] for n in page["nodes"]] == [str(c.id) for c in want[:100]]


async def test_an_order_autodns_cannot_sort_by_is_refused(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, first=5, orderBy=[{"field": "DISPLAY_NAME"}])
    error = body["errors"][0]["extensions"]
    assert error["code"] == "BAD_USER_INPUT" and error["fields"][0]["code"] == "UNSUPPORTED"
    assert await sandbox.count() == 0


# --- filters pushed down --------------------------------------------------------------------

FILTERS: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
    ({"givenName": "Anna"}, [{"key": "fname", "value": "Anna"}]),
    ({"familyName": "M*"}, [{"key": "lname", "value": "M*", "operator": "LIKE"}]),
    ({"email": "*.de"}, [{"key": "email", "value": "*.de", "operator": "LIKE"}]),
    ({"organization": "*GmbH"}, [{"key": "organization", "value": "*GmbH", "operator": "LIKE"}]),
    ({"city": "berlin"}, [{"key": "city", "value": "berlin"}]),
    ({"postalCode": "1010"}, [{"key": "pcode", "value": "1010"}]),
    (
        {"updatedSince": "2026-01-01T00:00:00Z"},
        [{"key": "updated", "value": "2026-01-01T01:00:00+01:00", "operator": "GREATER_EQUAL"}],
    ),
    (
        {"createdSince": "2025-06-01T12:00:00+02:00"},
        [{"key": "created", "value": "2025-06-01T12:00:00+02:00", "operator": "GREATER_EQUAL"}],
    ),
    ({"autodns": {"type": "ORG"}}, [{"key": "type", "value": "ORG"}]),
    ({"autodns": {"country": "at"}}, [{"key": "country", "value": "at"}]),
    ({"autodns": {"alias": "a*"}}, [{"key": "alias", "value": "a*", "operator": "LIKE"}]),
    ({"autodns": {"verification": "FAILED"}}, [{"key": "verification", "value": "FAILED"}]),
    ({"autodns": {"domainsafe": True}}, [{"key": "domainsafe", "value": "true"}]),
    (
        {"displayName": "Anna*"},
        [
            {
                "filters": [
                    {"key": "fname", "value": "Anna*", "operator": "LIKE"},
                    {"key": "lname", "value": "Anna*", "operator": "LIKE", "link": "OR"},
                    {"key": "organization", "value": "Anna*", "operator": "LIKE", "link": "OR"},
                ]
            }
        ],
    ),
    (
        {"familyName": "M*", "autodns": {"country": "DE"}},
        [
            {"key": "lname", "value": "M*", "operator": "LIKE"},
            {"key": "country", "value": "DE"},
        ],
    ),
]


@pytest.mark.parametrize(("flt", "reference"), FILTERS)
async def test_each_filter_is_pushed_down_in_one_search(
    gateway: Gateway, sandbox: Sandbox, flt: dict[str, Any], reference: list[dict[str, Any]]
) -> None:
    status, expected = await direct(
        sandbox,
        "POST",
        "/contact/_search",
        {"filters": reference, "view": {"limit": 1000}, "orders": [{"key": "id"}]},
    )
    assert status == 200 and expected.object is not None and expected.object.summary
    await sandbox.forget()
    page = await _search(gateway, filter=flt, orderBy=[{"field": "ID"}])
    assert page["totalCount"] == expected.object.summary
    assert [n["nativeId"] for n in page["nodes"]] == [str(d["id"]) for d in expected.data][:100]
    assert len(await provider_requests(sandbox)) == 1


async def test_display_name_with_a_space_matches_first_and_last_name(gateway: Gateway) -> None:
    created = (await create(gateway, givenName="Zora", familyName="Quandt"))["contact"]
    page = await _search(gateway, filter={"displayName": "Zora Quandt"})
    assert [n["nativeId"] for n in page["nodes"]] == [created["nativeId"]]


async def test_phone_filter_takes_e164_and_matches_the_wire_format(
    gateway: Gateway, seeded: AutoDnsSandbox
) -> None:
    stored = next(c for c in _mine(seeded) if "fax" in c.fields)
    for key in ("phone", "fax"):
        e164 = "+" + stored.fields[key].replace("-", "").lstrip("+")
        page = await _search(gateway, filter={"phone": e164})
        assert str(stored.id) in [n["nativeId"] for n in page["nodes"]]
    wire = await _search(gateway, filter={"phone": stored.fields["phone"]})
    assert str(stored.id) in [n["nativeId"] for n in wire["nodes"]]


async def test_a_hostile_filter_value_stays_a_value(gateway: Gateway) -> None:
    page = await _search(gateway, filter={"familyName": '", "operator": "NOT_EQUAL'})
    assert page["totalCount"] == 0


@pytest.mark.parametrize(
    ("flt", "field", "code"),
    [
        ({"familyName": "tab\there"}, ["filter", "familyName"], "INVALID"),
        ({"autodns": {"alias": "nul\x00"}}, ["filter", "autodns", "alias"], "INVALID"),
        ({"tags": ["Buyer"]}, ["filter", "tags"], "UNSUPPORTED"),
        ({"spark": {"unconnected": True}}, ["filter"], "NOT_ALLOWED"),
    ],
)
async def test_filters_autodns_cannot_take_are_refused_locally(
    gateway: Gateway, sandbox: Sandbox, flt: dict[str, Any], field: list[str], code: str
) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, first=5, filter=flt)
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    assert (extensions["fields"][0]["field"], extensions["fields"][0]["code"]) == (field, code)
    assert await sandbox.count() == 0


async def test_first_zero_still_counts(gateway: Gateway) -> None:
    page = await _search(gateway, first=0)
    assert page["totalCount"] == 120 and page["nodes"] == []


async def test_providers_reports_autodns_capabilities(gateway: Gateway) -> None:
    query = """{ providers { name sandbox capabilities { operations filterableFields
        sortableFields maxPageSize batchRead } } }"""
    (info,) = (await gateway.data(query))["providers"]
    assert info["name"] == "AUTODNS" and info["capabilities"]["batchRead"] is True
    assert "autodns.alias" in info["capabilities"]["filterableFields"]
    assert "DISPLAY_NAME" not in info["capabilities"]["sortableFields"]
    assert set(info["capabilities"]["operations"]) == {"READ", "LIST", "CREATE", "UPDATE", "DELETE"}


async def test_a_second_read_is_served_from_the_cache_with_the_original_stid(
    gateway: Gateway, sandbox: Sandbox, seeded: AutoDnsSandbox
) -> None:
    query = """query($id: ID!) { contact(id: $id) {
        freshness { servedFrom } ... on DomainContact { alias owner { user } lastStid } } }"""
    contact_id = _gid(_mine(seeded)[0].id)
    await sandbox.forget()
    first = (await gateway.data(query, id=contact_id))["contact"]
    second = (await gateway.data(query, id=contact_id))["contact"]
    assert first["freshness"]["servedFrom"] == "PROVIDER"
    assert second == {**first, "freshness": {"servedFrom": "CACHE"}}
    assert await sandbox.count() == 1
