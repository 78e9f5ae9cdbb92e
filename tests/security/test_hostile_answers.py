"""Hostile and broken provider answers.

XML bombs and external entities in IS24 answers (XML mode), served by a tiny stand-in
for IS24: refused unread as PROVIDER_ERROR, quickly (nothing expanded), and the listener
the entities point at — a raw TCP server on 127.0.0.1 — never gets a connection.
Malformed, truncated and wrongly typed bodies from every sandbox (its fault kit): typed
errors, no cache row for the failed read, and the next clean read is unharmed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import aiohttp
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.app import create_app
from providers.is24.xml_codec import NS_COMMON
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from schema.ids import encode_global_id
from tests.harness import Gateway, is24_settings
from tests.security.codes import ERROR_CODES
from tests.security.support import (
    BY_EXTERNAL_ID,
    CREATE,
    DELETE,
    LIST,
    PROVIDERS,
    READ,
    UPDATE,
    World,
    valid_input,
    world,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONTACT_ID: Final = "124308575"
CLEAN_LIST: Final = (
    f'<common:realtorContactDetailsList xmlns:common="{NS_COMMON}">'
    f'<realtorContactDetails id="{CONTACT_ID}"><email>a@b.example</email>'
    "<lastname>Brandt</lastname></realtorContactDetails>"
    "</common:realtorContactDetailsList>"
).encode()


class Listener:
    """A raw TCP listener the hostile documents point at; counts every connection."""

    def __init__(self) -> None:
        self.connections = 0
        self.url = ""

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Listener]:
        server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        async with server:
            yield self


def _contact(inner: str) -> str:
    return (
        f'<common:realtorContactDetail xmlns:common="{NS_COMMON}" id="{CONTACT_ID}">'
        f"{inner}</common:realtorContactDetail>"
    )


def hostile_documents(listener: str) -> dict[str, bytes]:
    laughs = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(10)
    )
    person = "<email>a@b.example</email><lastname>{}</lastname>"
    return {
        name: text.encode()
        for name, text in {
            "billion laughs": f"<!DOCTYPE r [{laughs}]>" + _contact(person.format("&l9;")),
            "external entity": f'<!DOCTYPE r [<!ENTITY x SYSTEM "{listener}/entity">]>'
            + _contact(person.format("&x;")),
            "local file": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + _contact(person.format("&x;")),
            "external dtd": f'<!DOCTYPE r SYSTEM "{listener}/dtd">' + _contact(person.format("x")),
            "parameter entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{listener}/p"> %p;]>'
            + _contact(person.format("x")),
            "xinclude": _contact(
                person.format("x")
                + f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{listener}/xi"/>'
            ),
        }.items()
    }


def stand_in(hostile: bytes, *, list_body: bytes | None = None) -> Starlette:
    """IS24 in XML mode answering `hostile` to everything (a clean empty list if given)."""

    async def answer(request: Request) -> Response:
        collection = request.url.path.endswith("/contact")
        if request.method == "GET" and collection and list_body is not None:
            return Response(list_body, media_type="application/xml")
        status = 201 if request.method == "POST" else 200
        return Response(hostile, status, media_type="application/xml;charset=UTF-8")

    return Starlette(routes=[Route("/{rest:path}", answer, methods=["GET", "POST", "PUT"])])


@asynccontextmanager
async def gateway_before(app: Starlette) -> AsyncIterator[Gateway]:
    async with aiohttp.ClientSession() as http, ServedApp(app) as upstream:
        settings = is24_settings(f"{upstream.base_url}/restapi/api", media_type="xml")
        async with ServedApp(create_app(settings)) as served:
            yield Gateway(served, http)


def _codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}


def _no_leak(body: dict[str, Any]) -> None:
    text = str(body)
    assert "root:" not in text and "lol" not in text  # /etc/passwd, expanded entities


HOSTILE_KINDS = list(hostile_documents("http://x"))


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
async def test_hostile_xml_reads_are_refused_unread_and_unfetched(kind: str) -> None:
    async with Listener().running() as listener:
        body = hostile_documents(listener.url)[kind]
        async with gateway_before(stand_in(body)) as gateway:
            started = time.perf_counter()
            answers = [
                await gateway.gql(LIST, provider="IS24"),
                await gateway.gql(READ, id=encode_global_id(ProviderName.IS24, CONTACT_ID)),
                await gateway.gql(BY_EXTERNAL_ID, externalId="crm-1"),
            ]
            elapsed = time.perf_counter() - started
        await asyncio.sleep(0.05)  # a fetch the parser might have started would land by now
    for answer in answers:
        if kind != "xinclude":  # XInclude is inert to the parser: an ordinary element
            assert _codes(answer) == {"PROVIDER_ERROR"}, answer
        _no_leak(answer)
    assert listener.connections == 0
    assert elapsed < 3.0  # nothing was expanded


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
async def test_hostile_xml_write_answers_are_refused_unfetched(kind: str) -> None:
    async with Listener().running() as listener:
        body = hostile_documents(listener.url)[kind]
        app = stand_in(body, list_body=CLEAN_LIST)
        async with gateway_before(app) as gateway:
            created = await gateway.gql(CREATE, input=valid_input(ProviderName.IS24))
            updated = await gateway.gql(
                UPDATE,
                id=encode_global_id(ProviderName.IS24, CONTACT_ID),
                input={"position": "Makler"},
            )
        await asyncio.sleep(0.05)
    for answer in (created, updated):
        if kind != "xinclude":
            assert answer.get("errors"), answer
        assert _codes(answer) <= {"PROVIDER_ERROR", "OUTCOME_UNKNOWN"}, answer
        _no_leak(answer)
    assert listener.connections == 0


# --- broken bodies from every sandbox --------------------------------------------------------

BODY_FAULTS: Final = ("malformed_next", "truncate_next", "wrong_content_type_next")


PATIENT: Final = {"circuit_consecutive_failures": 10_000, "circuit_failure_rate": 1.0}
"""Breakers that stay closed across this module's many provoked failures."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world(
        provider_overrides=dict.fromkeys(("spark", "is24", "autodns"), PATIENT)
    ) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def targets(w: World) -> dict[ProviderName, str]:
    """A contact per provider (global ids) for single reads and writes."""
    found = {}
    for provider in PROVIDERS:
        listed = await w.gateway.data(LIST, provider=provider.value, first=1)
        found[provider] = listed["contacts"]["nodes"][0]["id"]
    return found


READ_FRESH: Final = "query($id: ID!) { contact(id: $id, cache: {policy: FRESH_ONLY}) { id } }"
NODES_FRESH: Final = "query($ids: [ID!]!) { nodes(ids: $ids, cache: {policy: FRESH_ONLY}) { id } }"
LIST_FRESH: Final = """query($provider: Provider, $filter: ContactFilterInput) {
  contacts(provider: $provider, filter: $filter, first: 3, cache: {policy: FRESH_ONLY}) {
    totalCount nodes { id } } }"""


@pytest.mark.parametrize("fault", BODY_FAULTS)
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_broken_read_answers_are_typed_and_never_cached(
    w: World, targets: dict[ProviderName, str], provider: ProviderName, fault: str
) -> None:
    sandbox, contact = w.sandboxes[provider], targets[provider]
    await w.settled()  # an earlier read's cache write must not count as one of these
    keys = await w.cache_keys()
    reads: list[tuple[str, dict[str, Any]]] = [
        (LIST_FRESH, {"provider": provider.value, "filter": {"familyName": f"*{fault}*"}}),
        (READ_FRESH, {"id": contact}),
        (NODES_FRESH, {"ids": [contact, contact]}),
    ]
    for query, variables in reads:
        await sandbox.faults(**{fault: 10})
        answer = await w.gateway.gql(query, **variables)
        assert _codes(answer) == {"PROVIDER_ERROR"}, (query, answer)
        await w.reset()
    await w.settled()  # and any write these reads made is in before the rows are compared
    assert await w.cache_keys() - keys == set()  # nothing unreadable was stored
    healthy = await w.gateway.data(READ_FRESH, id=contact)
    assert healthy["contact"] == {"id": contact}


@pytest.mark.parametrize("fault", BODY_FAULTS)
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_broken_write_answers_are_typed(w: World, provider: ProviderName, fault: str) -> None:
    created = await w.gateway.data(CREATE, input=valid_input(provider))
    contact = created["createContact"]["contact"]["id"]
    writes: list[tuple[str, dict[str, Any]]] = [
        (UPDATE, {"id": contact, "input": {"givenName": "Amazing"}}),
        (DELETE, {"id": contact}),
        (CREATE, {"input": valid_input(provider)}),
    ]
    try:
        for query, variables in writes:
            await w.sandboxes[provider].faults(**{fault: 10})
            answer = await w.gateway.gql(query, **variables)
            assert answer.get("errors"), answer
            assert _codes(answer) <= ERROR_CODES - {"INTERNAL_SERVER_ERROR"}, answer
            await w.sandboxes[provider].faults(**{fault: 0})
    finally:
        await w.reset()
