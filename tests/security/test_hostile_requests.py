"""Hostile HTTP bodies and documents: invalid UTF-8, JSON nested past the parser's
recursion, escaped lone surrogates, oversized bodies, deeply nested literals. Each is a
4xx or a typed GraphQL error (never a 500, never INTERNAL_SERVER_ERROR), before any
provider is called."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from providers.model import ProviderName
from tests.security.codes import ERROR_CODES
from tests.security.support import (
    CREATE,
    LIST,
    PROVIDERS,
    World,
    leaves_nothing_behind,
    valid_input,
    world,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILTERED = "query($f: ContactFilterInput) { contacts(filter: $f, first: 1) { totalCount } }"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


async def post(w: World, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    async with w.gateway.http.post(w.gateway.url, data=body, headers=headers) as resp:
        return resp.status, await resp.json()


def _code(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    code: str = error["extensions"]["code"]
    return code


INVALID_UTF8 = {
    "lone continuation byte": b'{"query": "{ providers { name } }", "x": "\x80"}',
    "truncated sequence": b'{"query": "{ providers { name } }", "x": "\xc3"}',
    "overlong slash": b'{"query": "{ providers { name } }", "x": "\xc0\xaf"}',
    "encoded surrogate": b'{"query": "{ providers { name } }", "x": "\xed\xa0\x80"}',
    "latin-1 name": '{"query": "query($f: ContactFilterInput) { contacts(filter: $f) '
    '{ totalCount } }", "variables": {"f": {"familyName": "Müller"}}}'.encode("latin-1"),
    "utf-16": '{"query": "{ providers { name } }"}'.encode("utf-16"),
}


@pytest.mark.parametrize("body", INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
async def test_invalid_utf8_is_400(w: World, body: bytes) -> None:
    async with leaves_nothing_behind(w):
        status, answer = await post(w, body)
    assert (status, _code(answer)) == (400, "BAD_REQUEST")


@pytest.mark.parametrize("depth", [2_000, 100_000])
async def test_json_nested_past_the_parsers_recursion_is_400(w: World, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = f'{{"query": "{FILTERED}", "variables": {{"f": {{"tags": {nested}}}}}}}'
    async with leaves_nothing_behind(w):
        status, answer = await post(w, body.encode())
    assert status in (400, 413) and _code(answer) in ERROR_CODES, answer


async def test_nested_json_in_get_variables_is_400(w: World) -> None:
    params = {"query": "{ providers { name } }", "variables": "[" * 2_000 + "]" * 2_000}
    async with (
        leaves_nothing_behind(w),
        w.gateway.http.get(w.gateway.url, params=params) as resp,
    ):
        status, answer = resp.status, await resp.json()
    assert (status, _code(answer)) == (400, "BAD_REQUEST")


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_escaped_lone_surrogates_are_400_not_internal_errors(
    w: World, provider: ProviderName
) -> None:
    listed = {"provider": provider.value, "filter": {"familyName": "Hop@per"}}
    created = {"input": {**valid_input(provider), "familyName": "Hop@per"}}
    for query, variables in ((LIST, listed), (CREATE, created)):
        for lone in ("\\ud800", "\\udfff", "\\uDBFF"):
            text = json.dumps({"query": query, "variables": variables}).replace("@", lone)
            async with leaves_nothing_behind(w):
                status, answer = await post(w, text.encode())
            assert (status, _code(answer)) == (400, "BAD_REQUEST"), text


async def test_escaped_surrogate_pairs_are_ordinary_text(w: World) -> None:
    text = json.dumps({"query": FILTERED, "variables": {"f": {"familyName": "😀"}}})
    assert "\\ud83d\\ude00" in text
    status, answer = await post(w, text.encode())
    assert status == 200 and "errors" not in answer, answer


async def test_an_oversized_body_is_413_before_it_is_read(w: World) -> None:
    body = json.dumps({"query": FILTERED, "variables": {"f": {"familyName": "x" * 300_000}}})
    async with leaves_nothing_behind(w):
        status, answer = await post(w, body.encode())
    assert status == 413 and _code(answer) in ERROR_CODES


@pytest.mark.parametrize(
    "document",
    [
        "{ contacts(filter: {tags: " + "[" * 3_000 + '"a"' + "]" * 3_000 + "}) { totalCount } }",
        "{ contacts(filter: " + "{spark: " * 2_000 + "{}" + "}" * 2_000 + ") { totalCount } }",
        "{ contacts(filter: {tags: " + "[" * 40 + '"a"' + "]" * 40 + "}) { totalCount } }",
        "{ contacts(first: 1) " + "{ nodes " * 300 + "{ id }" + "}" * 300 + "}",
    ],
    ids=["deep list literal", "deep object literal", "nested list", "deep selection"],
)
async def test_deeply_nested_documents_are_typed_request_errors(w: World, document: str) -> None:
    async with leaves_nothing_behind(w):
        status, answer = await post(w, json.dumps({"query": document}).encode())
    assert status < 500 and "data" not in answer, answer
    assert {e["extensions"]["code"] for e in answer["errors"]} <= ERROR_CODES
