"""Hostile strings through the real gateway: control characters in every string input,
oversized strings and huge lists. Each must come back as a typed error (userErrors with a
field path and a known code, or a GraphQL error with a known `extensions.code`) and leave
nothing behind: no upstream write, no new cache row, the sandboxes' data unchanged."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from providers.model import ProviderName
from tests.security.codes import ERROR_CODES, USER_ERROR_CODES
from tests.security.inputs import Path, input_path, names_the_field, paths_for, put
from tests.security.support import (
    CREATE,
    LIST,
    PROVIDERS,
    TRANSFER,
    UPDATE,
    UPDATE_ME,
    World,
    leaves_nothing_behind,
    valid_input,
    world,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONTROL_CHARACTERS = ["\x00", "\x1b", "\x7f"]
"""NUL (truncates C strings), ESC (terminal escapes in logs and exports), DEL."""
OVERSIZED = "x" * 100_000
TEXT_FILTERS = [
    "displayName",
    "givenName",
    "familyName",
    "email",
    "phone",
    "organization",
    "city",
    "postalCode",
]


MY_CONTACT = {
    "displayName": "Agent A",
    "emails": [{"address": "agent.a@example.org"}],
    "phones": [{"kind": "WORK", "number": "+1 312 555 0100"}],
    "addresses": [{"kind": "HOME", "streetLines": ["1 Main St"], "locality": "Chicago"}],
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def existing(w: World) -> dict[ProviderName, str]:
    """One contact per provider to aim updates at (global ids)."""
    ids = {}
    for provider in PROVIDERS:
        body = await w.gateway.data(CREATE, input=valid_input(provider))
        payload = body["createContact"]
        assert payload["userErrors"] == [], payload
        ids[provider] = payload["contact"]["id"]
    return ids


def refused(payload: dict[str, Any], injected: list[str]) -> str | None:
    """Why `payload` is not a proper refusal of the injected field (None: it is)."""
    codes = [e["code"] for e in payload["userErrors"]]
    if payload["contact"] is not None or not codes:
        return f"accepted: {payload}"
    if not set(codes) <= USER_ERROR_CODES:
        return f"unknown codes {codes}"
    if not any(names_the_field(e["field"], injected) for e in payload["userErrors"]):
        return f"no userError names {injected}: {payload['userErrors']}"
    return None


async def _create_with(w: World, provider: ProviderName, path: Path, value: str) -> str | None:
    data = put(copy.deepcopy(valid_input(provider)), path, value)
    async with leaves_nothing_behind(w):
        body = await w.gateway.gql(CREATE, input=data)
    assert "errors" not in body, body
    return refused(body["data"]["createContact"], input_path(path))


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=["nul", "esc", "del"])
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_control_characters_in_every_create_field_are_refused(
    w: World, provider: ProviderName, char: str
) -> None:
    paths = paths_for("CreateContactInput", provider.value.lower())
    assert len(paths) > 15  # the schema walk found the fields
    problems = {path: await _create_with(w, provider, path, f"a{char}b") for path in paths}
    assert {p: why for p, why in problems.items() if why} == {}


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_control_characters_in_every_update_field_are_refused(
    w: World, existing: dict[ProviderName, str], provider: ProviderName
) -> None:
    base = {k: v for k, v in valid_input(provider).items() if k != "provider"}
    problems = {}
    for path in paths_for("UpdateContactInput", provider.value.lower()):
        data = put(copy.deepcopy(base), path, "a\x00b")
        async with leaves_nothing_behind(w, reads_allowed=True):
            body = await w.gateway.gql(UPDATE, id=existing[provider], input=data)
        assert "errors" not in body, body
        problems[path] = refused(body["data"]["updateContact"], input_path(path))
    assert {p: why for p, why in problems.items() if why} == {}


async def test_control_characters_in_the_users_own_contact_are_refused(w: World) -> None:
    problems = {}
    for path in paths_for("UpdateMyContactInput", None):
        data = put(copy.deepcopy(MY_CONTACT), path, "a\x1bb")
        async with leaves_nothing_behind(w):
            body = await w.gateway.gql(UPDATE_ME, input=data)
        problems[path] = refused(body["data"]["updateMyContact"], input_path(path))
    assert {p: why for p, why in problems.items() if why} == {}


async def test_a_control_character_in_an_owner_id_is_refused(
    w: World, existing: dict[ProviderName, str]
) -> None:
    async with leaves_nothing_behind(w):
        body = await w.gateway.data(TRANSFER, id=existing[ProviderName.SPARK], owner="2011\x00")
    assert refused(body["transferContact"], ["ownerId"]) is None


def _filter_refused(body: dict[str, Any], name: str) -> str | None:
    errors = body.get("errors") or []
    codes = {e.get("extensions", {}).get("code") for e in errors}
    if not errors or not codes <= ERROR_CODES:
        return f"not a typed error: {body}"
    if not any(name in e["message"] for e in errors):
        return f"the error does not name {name}: {errors}"
    return None


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[2J", OVERSIZED], ids=["nul", "esc", "100k"])
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_hostile_filter_values_are_refused_before_any_call(
    w: World, provider: ProviderName, value: str
) -> None:
    problems = {}
    for name in TEXT_FILTERS:
        async with leaves_nothing_behind(w):
            body = await w.gateway.gql(LIST, provider=provider.value, filter={name: value})
        problems[name] = _filter_refused(body, name)
    assert {n: why for n, why in problems.items() if why} == {}


@pytest.mark.parametrize(
    "field", [("familyName",), ("emails", 0, "address"), ("addresses", 0, "locality")]
)
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_oversized_strings_are_refused_before_any_call(
    w: World, provider: ProviderName, field: Path
) -> None:
    assert await _create_with(w, provider, field, OVERSIZED) is None


HUGE = 3_000


@pytest.mark.parametrize("field", ["emails", "phones", "addresses"])
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.value)
async def test_huge_lists_are_refused_before_any_call(
    w: World, provider: ProviderName, field: str
) -> None:
    data = valid_input(provider)
    data[field] = [data[field][0]] * HUGE
    async with leaves_nothing_behind(w):
        body = await w.gateway.gql(CREATE, input=data)
    _assert_typed(body, "createContact")


async def test_thousands_of_tags_are_refused_before_any_call(w: World) -> None:
    data = valid_input(ProviderName.SPARK)
    data["spark"]["tags"] = [f"tag-{i}" for i in range(HUGE)]
    async with leaves_nothing_behind(w):
        body = await w.gateway.gql(CREATE, input=data)
    _assert_typed(body, "createContact")
    async with leaves_nothing_behind(w):
        listed = await w.gateway.gql(LIST, provider="SPARK", filter={"tags": data["spark"]["tags"]})
    assert listed.get("errors") and _filter_refused(listed, "") is None


def _assert_typed(body: dict[str, Any], root: str) -> None:
    """A request error with a known code, or the mutation's userErrors with known codes."""
    if body.get("errors"):
        codes = {e.get("extensions", {}).get("code") for e in body["errors"]}
        assert codes <= ERROR_CODES, body["errors"]
        return
    payload = body["data"][root]
    assert payload["contact"] is None
    codes = {e["code"] for e in payload["userErrors"]}
    assert codes and codes <= USER_ERROR_CODES, payload
    assert all(e["field"] for e in payload["userErrors"]), payload
