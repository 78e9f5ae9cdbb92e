"""Wildcard filters built to backtrack (`*a*a*a…*c` against a long run of `a`): IS24's
list is filtered in the gateway and Spark's sandbox evaluates `_filter` in-process (the
embedded default), so a regex translation would stall the event loop for minutes. Both
must answer at once, and correctly."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from providers.model import ProviderName
from tests.security.support import CREATE, World, valid_input, world

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEARCH = """query($provider: Provider, $filter: ContactFilterInput) {
  contacts(provider: $provider, filter: $filter, first: 5, cache: {policy: FRESH_ONLY}) {
    totalCount nodes { familyName } } }"""
LONG = "a" * 70
BACKTRACKING = "*a" * 30 + "*c"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def w() -> AsyncIterator[World]:
    async with world() as started:
        for provider in (ProviderName.IS24, ProviderName.SPARK):
            data = {**valid_input(provider), "familyName": LONG}
            if provider is ProviderName.SPARK:
                data["displayName"] = LONG
            created = await started.gateway.data(CREATE, input=data)
            assert created["createContact"]["userErrors"] == []
        yield started


@pytest.mark.parametrize("field", ["familyName", "displayName"])
@pytest.mark.parametrize("provider", [ProviderName.IS24, ProviderName.SPARK], ids=lambda p: p.value)
async def test_backtracking_wildcards_answer_at_once(
    w: World, provider: ProviderName, field: str
) -> None:
    started = time.perf_counter()
    missing = await w.gateway.data(SEARCH, provider=provider.value, filter={field: BACKTRACKING})
    found = await w.gateway.data(SEARCH, provider=provider.value, filter={field: "*a" * 30 + "*"})
    elapsed = time.perf_counter() - started
    assert missing["contacts"]["totalCount"] == 0
    assert found["contacts"]["totalCount"] >= 1
    assert elapsed < 2.0
