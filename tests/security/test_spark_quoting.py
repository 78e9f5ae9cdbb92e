"""Filter values that try to break out of Spark's quoting: the Spark sandbox (a strict
SparkQL reader) must receive exactly the expressions the filter means, read from the
`_filter` of the request it logged, and match nothing the value did not ask for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio

from providers.model import ProviderName
from tests.security.codes import ERROR_CODES
from tests.security.support import World, leaves_nothing_behind, world

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEARCH = """query($filter: ContactFilterInput) {
  contacts(provider: SPARK, filter: $filter, first: 5, cache: {policy: FRESH_ONLY}) {
    totalCount nodes { id } } }"""
BREAKOUTS = [
    "'",
    "O'Brien",
    "' Or Id Ne '",
    "x' Or DisplayName Eq '*",
    "') Or (Id Ne '",
    "' And Not Id Eq '",
    "'' Or ''",
    "*' Or '*",
    "Eq 'x'",
]
REFUSED = ["\\", "\\' Or Id Ne \\'", "x\\", "a\nb", "a\rb' Or Id Ne '", "tab\there"]
FIELDS = {
    "familyName": "FamilyName",
    "givenName": "GivenName",
    "email": "PrimaryEmail",
    "organization": "Organization",
    "displayName": "DisplayName",
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


def quoted(value: str) -> str:
    """Spark's string literal: single quotes, `\\'` the only escape."""
    return "'" + value.replace("'", "\\'") + "'"


async def sent_filters(w: World, flt: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The GraphQL data of a Spark search, and each `_filter` the sandbox received."""
    await w.forget()
    data = await w.gateway.data(SEARCH, filter=flt)
    spark = w.sandboxes[ProviderName.SPARK]
    filters = [
        value
        for request in await spark.requests()
        for value in parse_qs(request["query"]).get("_filter", [])
    ]
    return data, filters


@pytest.mark.parametrize("value", BREAKOUTS)
@pytest.mark.parametrize("field", FIELDS)
async def test_quotes_in_values_stay_inside_one_literal(w: World, field: str, value: str) -> None:
    data, filters = await sent_filters(w, {field: value})
    assert filters == [f"{FIELDS[field]} Eq {quoted(value)}"]
    if " Or " in value or " And " in value:  # an injected `Or Id Ne ''` would match all
        assert data["contacts"]["totalCount"] == 0


@pytest.mark.parametrize("value", BREAKOUTS)
async def test_quotes_in_list_values_stay_inside_their_literals(w: World, value: str) -> None:
    _, filters = await sent_filters(w, {"tags": [value, "Buyer"], "familyName": value})
    assert filters == [f"FamilyName Eq {quoted(value)} And Tags Eq {quoted(value)},'Buyer'"]


async def test_a_phone_value_stays_inside_every_alternative(w: World) -> None:
    value = "' Or Id Ne '"
    _, filters = await sent_filters(w, {"phone": value, "spark": {"portalLoginName": value}})
    alternatives = " Or ".join(
        f"{name}PhoneNumber Eq {quoted(value)}"
        for name in ("Primary", "Home", "Work", "Mobile", "Fax", "Pager", "Other")
    )
    assert filters == [f"({alternatives}) And PortalLoginName Eq {quoted(value)}"]


@pytest.mark.parametrize("value", REFUSED)
@pytest.mark.parametrize("field", FIELDS)
async def test_backslashes_and_line_breaks_are_refused_unsent(
    w: World, field: str, value: str
) -> None:
    async with leaves_nothing_behind(w):
        body = await w.gateway.gql(SEARCH, filter={field: value})
    (error,) = body["errors"]
    assert error["extensions"]["code"] in ERROR_CODES - {"PROVIDER_ERROR"}
    assert field in error["message"]
