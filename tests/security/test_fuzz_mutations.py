"""Property: whatever createContact / updateContact / updateMyContact input a client sends
(random, near-valid with random changes, with any provider block, or of the wrong shape
altogether), the gateway answers below 500 and every error and userError carries a
known code (never INTERNAL_SERVER_ERROR)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.model import ProviderName
from tests.security.fuzzing import JSON, TEXT, input_object, mutated, untyped
from tests.security.inputs import PROVIDER_BLOCKS
from tests.security.support import (
    CREATE,
    PROVIDERS,
    UPDATE,
    UPDATE_ME,
    World,
    raw_global_id,
    unique_input,
    valid_input,
    world,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FUZZ: Final = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def existing(w: World) -> dict[ProviderName, str]:
    ids = {}
    for provider in PROVIDERS:
        created = await w.gateway.data(CREATE, input=unique_input(provider, "fuzz-target"))
        ids[provider] = created["createContact"]["contact"]["id"]
    return ids


def creates(provider: ProviderName) -> st.SearchStrategy[dict[str, Any]]:
    own = provider.value.lower()
    foreign = PROVIDER_BLOCKS - {own}
    anything = input_object("CreateContactInput", fixed={"provider": provider.value})
    changes = input_object("CreateContactInput", leave_out={*foreign, "provider"})
    return st.one_of(anything, mutated(valid_input(provider), changes))


def updates(provider: ProviderName) -> st.SearchStrategy[dict[str, Any]]:
    own = provider.value.lower()
    base = {k: v for k, v in valid_input(provider).items() if k != "provider"}
    changes = input_object("UpdateContactInput", leave_out=PROVIDER_BLOCKS - {own})
    return st.one_of(input_object("UpdateContactInput"), mutated(base, changes))


def per_provider(
    build: Callable[[ProviderName], st.SearchStrategy[Any]],
) -> st.SearchStrategy[tuple[ProviderName, Any]]:
    """A provider, and a value built for it (each example may pick another provider)."""
    return st.sampled_from(PROVIDERS).flatmap(lambda p: st.tuples(st.just(p), build(p)))


@FUZZ
@given(case=per_provider(creates))
async def test_any_create_input_gets_a_typed_answer(
    w: World, case: tuple[ProviderName, dict[str, Any]]
) -> None:
    _, data = case
    assert untyped(await w.gateway.gql(CREATE, input=data)) == []


TARGET: Final = "the fixture's contact"


def targeted_updates(provider: ProviderName) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    ids = st.one_of(
        st.just(TARGET),
        TEXT,
        TEXT.map(lambda native: raw_global_id(f"{provider.value}:{native}")),
    )
    return st.tuples(ids, updates(provider))


@FUZZ
@given(case=per_provider(targeted_updates))
async def test_any_update_input_gets_a_typed_answer(
    w: World,
    existing: dict[ProviderName, str],
    case: tuple[ProviderName, tuple[str, dict[str, Any]]],
) -> None:
    provider, (target, changes) = case
    target = existing[provider] if target == TARGET else target
    assert untyped(await w.gateway.gql(UPDATE, id=target, input=changes)) == []


@FUZZ
@given(changes=input_object("UpdateMyContactInput"))
async def test_any_change_to_the_users_own_contact_gets_a_typed_answer(
    w: World, changes: dict[str, Any]
) -> None:
    assert untyped(await w.gateway.gql(UPDATE_ME, input=changes)) == []


@FUZZ
@given(value=JSON, provider=st.sampled_from([p.value for p in PROVIDERS]))
async def test_inputs_of_the_wrong_shape_are_typed_request_errors(
    w: World, value: Any, provider: str
) -> None:
    for query, variables in (
        (CREATE, {"input": value}),
        (CREATE, {"input": {**valid_input(ProviderName(provider)), "emails": value}}),
        (UPDATE, {"id": value, "input": {"givenName": value}}),
    ):
        assert untyped(await w.gateway.gql(query, **variables)) == []
