"""Hostile ids through the real gateway, for every provider and every operation taking one.

Malformed global ids are INVALID_ID (reads) or an `id` userError (writes). Well-formed
global ids around a native id that tries to leave the contact resource (`../`, `%2F`,
`?`, `#`, `%00`, unicode dots…) read as null and are NOT_FOUND for writes, without any
upstream request, cache row or data change.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from providers.model import ProviderName
from schema.ids import encode_global_id
from tests.security.codes import ERROR_CODES
from tests.security.support import (
    API_PREFIXES,
    BY_EXTERNAL_ID,
    CREATE,
    DELETE,
    NODE,
    NODES,
    PROVIDERS,
    READ,
    TRANSFER,
    UPDATE,
    World,
    leaves_nothing_behind,
    raw_global_id,
    valid_input,
    world,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

MALFORMED = {
    "empty": "",
    "not base64": "!!!!",
    "no native id": raw_global_id("SPARK:"),
    "no provider": raw_global_id(":1"),
    "unknown provider": raw_global_id("NOPE:1"),
    "lower-case provider": raw_global_id("spark:1"),
    "padded": raw_global_id("SPARK:1") + "==",
    "standard alphabet": base64.b64encode(b"IS24:1?>>").decode(),
    "not utf-8 inside": base64.urlsafe_b64encode(b"SPARK:\xff\xfe").decode().rstrip("="),
    "non-ascii": "SPARK:é",
    "huge": "A" * 5_000,
}
TRAVERSAL = [
    "../../etc/passwd",
    "..%2F..%2F_sandbox%2Freset",
    "%2e%2e%2f",
    "1/../2",
    "1%2F2",
    "1?x=1",
    "1#x",
    "1%00",
    "1\x00",
    "..",
    ".",
    "\uff0e\uff0e\uff0f_sandbox",  # fullwidth dots and slash
    "\u2024\u2024/1",  # one-dot leaders
    "1\r\nX-Injected: yes",
    " 1",
    "+1",
    "²",
    "١٢٣",  # Arabic-Indic digits
    "9" * 700,  # digits, but longer than any provider's ids (a longer one is MALFORMED)
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


def _codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}


def _id_errors(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


@pytest.mark.parametrize("global_id", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_global_ids_are_typed_errors_and_reach_nothing(
    w: World, global_id: str
) -> None:
    async with leaves_nothing_behind(w):
        for query in (READ, NODE):
            body = await w.gateway.gql(query, id=global_id)
            assert _codes(body) == {"INVALID_ID"}, body
            assert body["data"] in ({"contact": None}, {"node": None})
        nodes = await w.gateway.gql(NODES, ids=[global_id])
        assert _codes(nodes) == {"INVALID_ID"} and nodes["data"] in (None, {"nodes": [None]})
        for mutation, root, extra in (
            (UPDATE, "updateContact", {"input": {"givenName": "x"}}),
            (DELETE, "deleteContact", {}),
            (TRANSFER, "transferContact", {"owner": "20110101000000000000002"}),
        ):
            payload = (await w.gateway.data(mutation, id=global_id, **extra))[root]
            assert _id_errors(payload) == [(["id"], "INVALID")], payload


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_path_escaping_native_ids_never_reach_upstream(
    w: World, provider: ProviderName
) -> None:
    hostile = [encode_global_id(provider, native) for native in TRAVERSAL]
    async with leaves_nothing_behind(w):
        for global_id in hostile:
            for query, root in ((READ, "contact"), (NODE, "node")):
                assert await w.gateway.data(query, id=global_id) == {root: None}, global_id
        nodes = await w.gateway.data(NODES, ids=hostile[:50])
        assert nodes["nodes"] == [None] * len(hostile[:50])
        for global_id in hostile:
            update = await w.gateway.data(UPDATE, id=global_id, input={"position": "x"})
            delete = await w.gateway.data(DELETE, id=global_id)
            for payload in (update["updateContact"], delete["deleteContact"]):
                assert _id_errors(payload) in ([(["id"], "NOT_FOUND")], [(["id"], "INVALID")])


async def test_transfers_with_hostile_ids_or_owners_reach_nothing(w: World) -> None:
    created = await w.gateway.data(CREATE, input=valid_input(ProviderName.SPARK))
    own_id = created["createContact"]["contact"]["id"]
    async with leaves_nothing_behind(w):
        for native in TRAVERSAL:
            spark_id = encode_global_id(ProviderName.SPARK, native)
            payload = await w.gateway.data(TRANSFER, id=spark_id, owner="20110101000000000000002")
            assert _id_errors(payload["transferContact"]) == [(["id"], "NOT_FOUND")], native
            payload = await w.gateway.data(TRANSFER, id=own_id, owner=native)
            assert _id_errors(payload["transferContact"]) == [(["ownerId"], "INVALID_FORMAT")]
        for provider in (ProviderName.IS24, ProviderName.AUTODNS):
            other = encode_global_id(provider, "../1")
            payload = await w.gateway.data(TRANSFER, id=other, owner="20110101000000000000002")
            assert _id_errors(payload["transferContact"]) == [(["id"], "UNSUPPORTED")]


async def test_external_ids_no_contact_can_have_are_null_unsent(w: World) -> None:
    async with leaves_nothing_behind(w):
        for external_id in ("", "a\x00b", "\x1b[2J", "x" * 300):
            body = await w.gateway.data(BY_EXTERNAL_ID, externalId=external_id)
            assert body == {"realtorContactByExternalId": None}


@pytest.mark.parametrize(
    "external_id", ["../../../_sandbox/reset", "..%2F..%2F", "a/../../b", "?x=1", "#top", "%00"]
)
async def test_external_ids_stay_one_segment_below_the_collection(
    w: World, external_id: str
) -> None:
    async with leaves_nothing_behind(w, reads_allowed=True):
        body = await w.gateway.data(BY_EXTERNAL_ID, externalId=external_id)
        requests = await w.requests()
    assert body == {"realtorContactByExternalId": None}
    prefix = API_PREFIXES[ProviderName.IS24]
    assert [(n, r["method"], r["path"]) for n, r in requests] == [
        (ProviderName.IS24, "GET", f"{prefix}/ext-{external_id}")  # the server's decoding
    ]


async def test_thousands_of_ids_are_refused_before_any_call(w: World) -> None:
    ids = [encode_global_id(ProviderName.SPARK, str(10**22 + i)) for i in range(3_000)]
    async with leaves_nothing_behind(w):
        body = await w.gateway.gql(NODES, ids=ids)
    assert body.get("errors") and _codes(body) <= ERROR_CODES, body
    assert not body.get("data") or body["data"]["nodes"] is None
