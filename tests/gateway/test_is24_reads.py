"""IS24 reads through GraphQL, in both media types: the list (filtered, ordered and paged
in the adapter), contact/node/nodes, external ids, and the deprecated fields."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from providers.is24.sandbox import USERNAME, Is24Sandbox, create_is24_sandbox
from resolvers.root import build_schema
from tests.gateway.is24_support import (
    BY_EXTERNAL_ID,
    COLLECTION,
    READ,
    SEARCH,
    created,
    gid,
    upstream,
)
from tests.harness import Gateway, Sandbox, is24_stack

SEEDED = 60


@pytest.fixture
def seeded() -> Is24Sandbox:
    return create_is24_sandbox()


@pytest.fixture(params=["json", "xml"])
async def stack(
    seeded: Is24Sandbox, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with is24_stack(seeded, media_type=request.param) as pair:
        yield pair


async def _search(gateway: Gateway, first: int = 100, **args: Any) -> dict[str, Any]:
    contacts: dict[str, Any] = (await gateway.data(SEARCH, first=first, **args))["contacts"]
    return contacts


# --- the list -----------------------------------------------------------------------------


async def test_the_list_is_the_seed_in_one_upstream_call(
    gateway: Gateway, sandbox: Sandbox, seeded: Is24Sandbox
) -> None:
    await sandbox.forget()
    contacts = await _search(gateway)
    assert contacts["totalCount"] == SEEDED
    ids = [n["nativeId"] for n in contacts["nodes"]]
    assert sorted(ids) == sorted(seeded.store.of(USERNAME))
    assert await upstream(sandbox) == [("GET", COLLECTION)]
    assert {n["provider"] for n in contacts["nodes"]} == {"IS24"}


async def test_pages_walk_the_list_without_repeats(gateway: Gateway) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await _search(gateway, first=25, after=after)
        seen += [n["nativeId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == SEEDED == len(set(seen))
    assert seen == sorted(seen)  # the default order (updatedAt) is unknown at IS24: by id


async def test_ordering_is_done_locally(gateway: Gateway) -> None:
    order = [{"field": "FAMILY_NAME", "direction": "DESC"}, {"field": "GIVEN_NAME"}]
    nodes = (await _search(gateway, orderBy=order))["nodes"]
    keys = [(n["familyName"].casefold(), n["givenName"].casefold()) for n in nodes]
    by_given = sorted(keys, key=lambda k: k[1])
    assert keys == sorted(by_given, key=lambda k: k[0], reverse=True)  # sorts are stable


@pytest.mark.parametrize(
    ("flt", "check"),
    [
        ({"familyName": "m*"}, lambda n: n["familyName"].casefold().startswith("m")),
        ({"city": "BERLIN"}, lambda n: n["addresses"][0]["locality"] == "Berlin"),
        ({"postalCode": "10*"}, lambda n: n["addresses"][0]["postalCode"].startswith("10")),
        ({"email": "*.1?@*"}, lambda n: False),  # `?` is no wildcard: nothing matches
        ({"is24": {"showOnProfilePage": True}}, lambda n: n["showOnProfilePage"] is True),
        ({"is24": {"businessCardContact": True}}, lambda n: n["businessCardContact"] is True),
    ],
)
async def test_filters_are_applied_locally_after_one_list_call(
    gateway: Gateway, sandbox: Sandbox, flt: dict[str, Any], check: Any
) -> None:
    everything = (await _search(gateway))["nodes"]
    await sandbox.forget()
    found = await _search(gateway, filter=flt)
    expected = [n["nativeId"] for n in everything if check(n)]
    assert [n["nativeId"] for n in found["nodes"]] == expected
    assert found["totalCount"] == len(expected)
    assert await upstream(sandbox) == [("GET", COLLECTION)]


async def test_filter_counts_match_the_seed(gateway: Gateway, seeded: Is24Sandbox) -> None:
    docs = seeded.store.of(USERNAME).values()
    shown = sum(1 for d in docs if d.get("showOnProfilePage") is True)
    assert (await _search(gateway, filter={"is24": {"showOnProfilePage": True}}))[
        "totalCount"
    ] == shown
    assert (await _search(gateway, filter={"is24": {"defaultContact": True}}))["totalCount"] == 1
    assert (await _search(gateway, filter={"tags": ["VIP"]}))["totalCount"] == 0


async def test_phone_filter_matches_as_shown_or_e164(gateway: Gateway) -> None:
    contact = await created(gateway)
    for number in ("+49 30 24301999", "+493024301999", "*24301999"):
        nodes = (await _search(gateway, filter={"phone": number}))["nodes"]
        assert [n["nativeId"] for n in nodes] == [contact["nativeId"]], number


async def test_timestamp_filters_are_refused_without_an_upstream_call(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    body = await gateway.gql(SEARCH, first=5, filter={"updatedSince": "2024-01-01T00:00:00Z"})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["fields"][0]["field"] == ["filter", "updatedSince"]
    assert error["extensions"]["fields"][0]["code"] == "UNSUPPORTED"
    assert await sandbox.count() == 0


# --- one contact, many contacts -----------------------------------------------------------


async def test_contact_and_node_read_one_contact(
    gateway: Gateway, sandbox: Sandbox, seeded: Is24Sandbox
) -> None:
    native_id = next(iter(seeded.store.of(USERNAME)))  # index 0: phone and fax in parts
    await sandbox.forget()
    contact = (await gateway.data(READ, id=gid(native_id)))["contact"]
    assert contact["nativeId"] == native_id and contact["defaultContact"] is True
    work = next(p for p in contact["phones"] if p["kind"] == "WORK")
    doc = seeded.store.get(USERNAME, native_id)
    assert doc is not None
    assert (work["countryCode"], work["areaCode"], work["subscriber"]) == (
        doc["phoneNumberCountryCode"],
        doc["phoneNumberAreaCode"],
        doc["phoneNumberSubscriber"],
    )
    assert work["e164"] == f"+49{doc['phoneNumberAreaCode']}{doc['phoneNumberSubscriber']}"
    assert await upstream(sandbox) == [("GET", f"{COLLECTION}/{native_id}")]
    node = await gateway.data(
        "query($id: ID!) { node(id: $id) { id ... on RealtorContact { nativeId } } }",
        id=gid(native_id),
    )
    assert node["node"]["nativeId"] == native_id


async def test_a_few_ids_are_single_reads_and_many_are_one_list_call(
    gateway: Gateway, sandbox: Sandbox, seeded: Is24Sandbox
) -> None:
    ids = list(seeded.store.of(USERNAME))
    query = """query($ids: [ID!]!) {
      nodes(ids: $ids, cache: {policy: FRESH_ONLY}) { ... on RealtorContact { nativeId } } }"""
    await sandbox.forget()
    few = (await gateway.data(query, ids=[gid(i) for i in ids[:2]]))["nodes"]
    assert [n["nativeId"] for n in few] == ids[:2]
    assert sorted(await upstream(sandbox)) == sorted(("GET", f"{COLLECTION}/{i}") for i in ids[:2])
    await sandbox.forget()
    many = (await gateway.data(query, ids=[gid(i) for i in [*ids[:30], "999", "../1"]]))["nodes"]
    assert [n["nativeId"] if n else None for n in many] == [*ids[:30], None, None]
    assert await upstream(sandbox) == [("GET", COLLECTION)]


async def test_unknown_and_hostile_ids_read_as_null(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    assert (await gateway.data(READ, id=gid("999")))["contact"] is None
    assert await upstream(sandbox) == [("GET", f"{COLLECTION}/999")]
    await sandbox.forget()
    for hostile in ("../../etc/passwd", "1/../2", "ext-crm-0001", "%2e%2e", "1?x=2", "1#x"):
        assert (await gateway.data(READ, id=gid(hostile)))["contact"] is None, hostile
    assert await upstream(sandbox) == []


# --- external ids -------------------------------------------------------------------------


async def test_seeded_external_ids_are_found(gateway: Gateway, seeded: Is24Sandbox) -> None:
    for native_id, doc in list(seeded.store.of(USERNAME).items())[:8]:
        external_id = doc.get("externalId")
        if not isinstance(external_id, str):
            continue
        found = (await gateway.data(BY_EXTERNAL_ID, externalId=external_id))[
            "realtorContactByExternalId"
        ]
        assert (found["nativeId"], found["externalId"]) == (native_id, external_id)


@pytest.mark.parametrize(
    "external_id",
    ["office/berlin/7", "..", "../..", "a/../../b", "x%2Fy", "%2e%2e", "ext-1", "a b?c=d#e", "ü/ß"],
)
async def test_external_ids_round_trip_and_stay_in_one_segment(
    gateway: Gateway, sandbox: Sandbox, external_id: str
) -> None:
    contact = await created(gateway, is24={"externalId": external_id})
    await sandbox.forget()
    found = (await gateway.data(BY_EXTERNAL_ID, externalId=external_id))[
        "realtorContactByExternalId"
    ]
    assert (found["nativeId"], found["externalId"]) == (contact["nativeId"], external_id)
    ((method, path),) = await upstream(sandbox)
    assert method == "GET" and path == f"{COLLECTION}/ext-{external_id}"  # decoded by the server


async def test_unknown_external_ids_read_as_null(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    for external_id in ("nope", "../1", "124308575"):
        found = await gateway.data(BY_EXTERNAL_ID, externalId=external_id)
        assert found["realtorContactByExternalId"] is None
    assert len(await upstream(sandbox)) == 3
    for unusable in ("", "bell\x07"):  # never sent: no contact can have it
        found = await gateway.data(BY_EXTERNAL_ID, externalId=unusable)
        assert found["realtorContactByExternalId"] is None
    assert len(await upstream(sandbox)) == 3


# --- deprecated fields and the wire format ------------------------------------------------


async def test_company_and_office_hours_are_deprecated_but_readable(gateway: Gateway) -> None:
    introspection = await gateway.data(
        """{ __type(name: "RealtorContact") {
             fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }"""
    )
    fields = {f["name"]: f for f in introspection["__type"]["fields"]}
    for name in ("company", "officeHours"):
        assert fields[name]["isDeprecated"] is True
        assert fields[name]["deprecationReason"] == "no longer used or shown on the IS24 website"
    assert fields["externalId"]["isDeprecated"] is False
    contact = await created(gateway, organization="Acme", is24={"officeHours": "Mo 9-12"})
    assert (contact["company"], contact["officeHours"]) == ("Acme", "Mo 9-12")


def test_the_sdl_marks_the_deprecated_fields() -> None:
    sdl = build_schema().as_str()
    reason = '@deprecated(reason: "no longer used or shown on the IS24 website")'
    realtor = sdl.split("type RealtorContact implements Contact & Node {")[1].split("}")[0]
    assert f"company: String {reason}" in realtor
    assert f"officeHours: String {reason}" in realtor


class HeaderRecorder:
    """ASGI middleware noting the media headers of every provider request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/restapi/"):
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            self.seen.append(
                (scope["method"], headers.get("accept", ""), headers.get("content-type", ""))
            )
        await self.app(scope, receive, send)


@pytest.mark.parametrize("media", ["json", "xml"])
async def test_the_configured_media_type_is_on_the_wire(media: str) -> None:
    sandbox = create_is24_sandbox()
    recorder = HeaderRecorder(sandbox.app)
    async with is24_stack(replace(sandbox, app=recorder), media_type=media) as (_, gateway):
        await created(gateway)
    expected = f"application/{media}"
    assert [m for m, _, _ in recorder.seen] == ["GET", "POST", "GET"]
    assert all(accept == expected for _, accept, _ in recorder.seen)
    assert recorder.seen[1][2].startswith(expected)
