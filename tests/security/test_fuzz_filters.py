"""Property: whatever filter, order, page size and cursor a client sends to `contacts` (one
provider or all merged), and whatever ids to `nodes`, the gateway answers below 500 and
every error carries a known code (never INTERNAL_SERVER_ERROR)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.fuzzing import JSON, TEXT, input_object, named_input, untyped, value_of
from tests.security.support import PROVIDERS, World, raw_global_id, world

pytestmark = pytest.mark.asyncio(loop_scope="module")

FUZZ: Final = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTACTS: Final = """query($provider: Provider, $filter: ContactFilterInput,
    $orderBy: [ContactOrderInput!], $first: Int, $after: String) {
  contacts(provider: $provider, filter: $filter, orderBy: $orderBy, first: $first,
           after: $after, cache: {policy: FRESH_ONLY}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id provider displayName }
  }
}"""
NODES: Final = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Contact { displayName } } }"
PAGE_SIZES: Final = st.one_of(
    st.none(), st.integers(min_value=-5, max_value=120), st.integers(), st.sampled_from([0, 1])
)
PROVIDER_NAMES: Final = st.none() | st.sampled_from([p.value for p in PROVIDERS])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


def _filters() -> st.SearchStrategy[Any]:
    """A random ContactFilterInput, or one narrowed to a single text field (more of these
    reach the providers' own filter builders instead of failing on the first field)."""
    one_text = st.sampled_from(
        ["displayName", "givenName", "familyName", "email", "phone", "organization", "city"]
    ).flatmap(lambda name: TEXT.map(lambda text: {name: text}))
    return st.one_of(st.none(), input_object("ContactFilterInput"), one_text)


@FUZZ
@given(
    provider=PROVIDER_NAMES,
    flt=_filters(),
    order=value_of(named_input("ContactOrderInput")).map(lambda o: None if o is None else [o]),
    first=PAGE_SIZES,
    after=st.none() | TEXT,
)
async def test_any_contacts_query_gets_a_typed_answer(
    w: World, provider: str | None, flt: Any, order: Any, first: Any, after: Any
) -> None:
    variables = {"provider": provider, "filter": flt, "orderBy": order, "first": first}
    assert untyped(await w.gateway.gql(CONTACTS, **variables, after=after)) == []


@FUZZ
@given(provider=PROVIDER_NAMES, flt=JSON, order=JSON)
async def test_filters_of_the_wrong_shape_are_typed_request_errors(
    w: World, provider: str | None, flt: Any, order: Any
) -> None:
    assert (
        untyped(await w.gateway.gql(CONTACTS, provider=provider, filter=flt, orderBy=order)) == []
    )


@FUZZ
@given(
    ids=st.lists(
        st.one_of(
            TEXT,
            st.tuples(st.sampled_from(["SPARK", "IS24", "AUTODNS", "spark", ""]), TEXT).map(
                lambda pair: raw_global_id(f"{pair[0]}:{pair[1]}")
            ),
        ),
        max_size=8,
    )
)
async def test_any_ids_get_a_typed_answer(w: World, ids: list[str]) -> None:
    assert untyped(await w.gateway.gql(NODES, ids=ids)) == []
