"""The ledger's rules, one contract for every store (SQLite file, Redis, memory): claims, results,
unknown outcomes, leases, expiry, tenants, erasure. A settable clock stands in for time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.database import open_database
from gateway.idempotency import MemoryLedger, SqliteLedger
from gateway.redis_ledger import RedisLedger
from gateway.redis_link import open_redis
from providers.errors import IssueCode
from providers.is24.types import Is24Extras
from providers.model import ContactRecord, Email, ProviderName
from resolvers.errors import user_error
from resolvers.idempotency import ClaimKind, IdempotencyLedger, Subject, WriteResult

SPARK = ProviderName.SPARK
RESULT = WriteResult(
    record=ContactRecord(
        ProviderName.IS24,
        "123",
        given_name="Lena",
        emails=(Email("lena@example.org"),),
        extras=Is24Extras(external_id="crm-1"),
    )
)


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis", "memory"])
async def ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[IdempotencyLedger, Clock]]:
    clock = Clock()
    if request.param == "redis":
        redis = open_redis(SecretStr(request.getfixturevalue("redis_url")))
        ledger = RedisLedger(redis, ttl=100, lease=10, clock=clock)
        await ledger.setup()
        try:
            yield ledger, clock
        finally:
            await redis.aclose()
        return
    if request.param == "memory":
        yield MemoryLedger(ttl=100, lease=10, clock=clock), clock
        return
    connection = await open_database(tmp_path / "gateway.sqlite3")
    store = SqliteLedger(connection, ttl=100, lease=10, clock=clock)
    await store.setup()
    try:
        yield store, clock
    finally:
        await connection.close()


Pair = tuple[IdempotencyLedger, Clock]


async def test_a_finished_key_replays_its_result(ledger: Pair) -> None:
    store, _ = ledger
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.NEW
    await store.complete("t", "k", RESULT, Subject(ProviderName.IS24, "123"))
    replay = await store.claim("t", "k", "f1")
    assert (replay.kind, replay.result) == (ClaimKind.REPLAY, RESULT)


async def test_user_errors_replay_too(ledger: Pair) -> None:
    store, _ = ledger
    refused = WriteResult(
        user_errors=(user_error(["input"], IssueCode.DUPLICATE, "taken", "1055"),)
    )
    await store.claim("t", "k", "f1")
    await store.complete("t", "k", refused, None)
    assert (await store.claim("t", "k", "f1")).result == refused


async def test_another_request_under_the_key_is_refused(ledger: Pair) -> None:
    store, _ = ledger
    await store.claim("t", "k", "f1")
    assert (await store.claim("t", "k", "f2")).kind is ClaimKind.REUSED  # while in flight
    await store.complete("t", "k", RESULT, None)
    assert (await store.claim("t", "k", "f2")).kind is ClaimKind.REUSED


async def test_in_flight_until_the_lease_ends_then_one_claimer_reconciles(ledger: Pair) -> None:
    store, clock = ledger
    await store.claim("t", "k", "f1")
    clock.now += 9
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.IN_FLIGHT
    clock.now += 2  # its gateway is gone
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.RECONCILE
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.IN_FLIGHT  # taken: ours now


async def test_an_unknown_outcome_is_reconciled_by_the_next_claim(ledger: Pair) -> None:
    store, _ = ledger
    await store.claim("t", "k", "f1")
    await store.mark_unknown("t", "k")
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.RECONCILE
    assert (await store.claim("t", "k", "f1")).kind is ClaimKind.IN_FLIGHT


async def test_a_released_key_starts_afresh(ledger: Pair) -> None:
    store, _ = ledger
    await store.claim("t", "k", "f1")
    await store.release("t", "k")
    assert (await store.claim("t", "k", "f2")).kind is ClaimKind.NEW


async def test_keys_expire_and_are_per_tenant(ledger: Pair) -> None:
    store, clock = ledger
    await store.claim("a", "k", "f1")
    await store.complete("a", "k", RESULT, None)
    assert (await store.claim("b", "k", "f2")).kind is ClaimKind.NEW
    clock.now += 100
    assert (await store.claim("a", "k", "f2")).kind is ClaimKind.NEW


async def test_claimed_contacts_and_erasure(ledger: Pair) -> None:
    store, _ = ledger
    await store.claim("t", "k", "f1")
    await store.complete("t", "k", RESULT, Subject(ProviderName.IS24, "123"))
    assert await store.claimed(ProviderName.IS24, ["123", "456"]) == {"123"}
    assert await store.claimed(SPARK, ["123"]) == set()
    await store.erase(Subject(ProviderName.IS24, "123"))
    replay = await store.claim("t", "k", "f1")
    assert replay.result is not None and replay.result.record is None
    assert [e.code.value for e in replay.result.user_errors] == ["NOT_FOUND"]


async def test_the_sqlite_ledger_is_shared_by_processes_on_one_file(tmp_path: Path) -> None:
    """Two connections (two gateway processes): the key is owned once."""
    path, clock = tmp_path / "gateway.sqlite3", Clock()
    first, second = await open_database(path), await open_database(path)
    try:
        one, two = (SqliteLedger(c, ttl=100, lease=10, clock=clock) for c in (first, second))
        await one.setup()
        await two.setup()
        assert (await one.claim("t", "k", "f1")).kind is ClaimKind.NEW
        assert (await two.claim("t", "k", "f1")).kind is ClaimKind.IN_FLIGHT
        await one.complete("t", "k", RESULT, None)
        assert (await two.claim("t", "k", "f1")).result == RESULT
    finally:
        await first.close()
        await second.close()
