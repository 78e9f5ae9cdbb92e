"""What only the Redis backend has: keys that expire on their own, a Redis that is down,
persisted queries shared by processes, and the change bus across processes."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from gateway.changes import LocalChangeBus, RedisChangeBus, decode, encode
from gateway.redis_cache import LRU, RedisCache
from gateway.redis_link import open_redis
from gateway.redis_stores import QUERIES, RedisQueryStore
from providers.model import ContactPage, ContactRecord, ProviderName
from resolvers.changes import ChangeKind, ContactChange


def _record(n: int) -> ContactRecord:
    return ContactRecord(ProviderName.AUTODNS, str(n), display_name=f"Handle {n}")


def _change(native_id: str, kind: ChangeKind = ChangeKind.UPDATED) -> ContactChange:
    return ContactChange("default", "AUTODNS:abc", ProviderName.AUTODNS, native_id, kind)


@asynccontextmanager
async def client(url: str) -> AsyncIterator[Redis]:
    redis = open_redis(SecretStr(url))
    try:
        yield redis
    finally:
        await redis.aclose()


async def test_entries_and_their_indexes_expire_in_redis(redis_url: str) -> None:
    async with client(redis_url) as redis:
        cache = RedisCache(redis)
        await cache.setup()
        now = time.time()
        await cache.put_records("r|s|1|a", "s", "1", [_record(1)], now, keep_for=30)
        await cache.put_records("r|s|1|b", "s", "1", [_record(1)], now, keep_for=90)
        await cache.put_page("l|s|q", "s", ContactPage((), 0, 0), now, keep_for=20)
        entry_ttl = await redis.pttl("cg:c:e:r|s|1|a")
        assert 28_000 < entry_ttl <= 30_000
        assert 88_000 < await redis.pttl("cg:c:r:s:1") <= 90_000, "as long as its longest entry"
        assert 18_000 < await redis.pttl("cg:c:l:s") <= 20_000


async def test_a_redis_that_is_down_costs_misses_not_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with client("redis://127.0.0.1:9/0") as redis:  # nothing listens on port 9
        cache = RedisCache(redis)
        await cache.setup()
        started = time.monotonic()
        await cache.put_records("k", "s", "1", [_record(1)], time.time(), 60)
        assert await cache.get_records("k") is None
        assert await cache.get_many_records(["k"]) == {}
        await cache.invalidate("s", "1")
        assert time.monotonic() - started < 5
    assert any("invalidation failed" in r.getMessage() for r in caplog.records)


async def test_clear_leaves_persisted_queries_alone(redis_url: str) -> None:
    async with client(redis_url) as redis:
        cache, queries = RedisCache(redis), RedisQueryStore(redis)
        await cache.setup()
        await queries.add("a" * 64, "{ providers { name } }")
        await cache.put_records("k", "s", "1", [_record(1)], time.time(), 60)
        assert await cache.clear() == 1
        assert await redis.exists(LRU) == 0
        assert await queries.get("a" * 64) == "{ providers { name } }"


async def test_persisted_queries_are_shared_and_keep_the_first(redis_url: str) -> None:
    async with client(redis_url) as one, client(redis_url) as other:
        await RedisQueryStore(one).add("b" * 64, "{ first }")
        await RedisQueryStore(other).add("b" * 64, "{ second }")
        assert await RedisQueryStore(other).get("b" * 64) == "{ first }"
        assert await RedisQueryStore(one).get("c" * 64) is None
        assert 0 < await one.ttl(f"{QUERIES}{'b' * 64}") <= 30 * 86_400


@asynccontextmanager
async def bus(url: str) -> AsyncIterator[RedisChangeBus]:
    changes = RedisChangeBus(
        open_redis(SecretStr(url)), open_redis(SecretStr(url), blocking_reads=True)
    )
    await changes.start()
    try:
        yield changes
    finally:
        await changes.aclose()
        await changes._redis.aclose()


async def test_a_change_reaches_every_process_once(redis_url: str) -> None:
    async with bus(redis_url) as first, bus(redis_url) as second:
        here, there = first.subscribe(), second.subscribe()
        created = _change("7", ChangeKind.CREATED)
        await first.publish(created)
        assert await asyncio.wait_for(there.get(), 2) == created
        assert await asyncio.wait_for(here.get(), 2) == created
        updated = _change("8")
        await first.publish(updated)
        assert await asyncio.wait_for(here.get(), 2) == updated
        await asyncio.sleep(0.1)
        assert here._queue.empty(), "delivered once, not once locally and once via Redis"


async def test_a_slow_listener_loses_the_oldest_and_stalls_nobody() -> None:
    local = LocalChangeBus()
    slow, fast = local.subscribe(limit=3), local.subscribe()
    for n in range(10):
        await local.publish(_change(str(n)))
    assert slow.dropped == 7
    kept = [await slow.get() for _ in range(3)]
    assert [c.native_id for c in kept if c is not None] == ["7", "8", "9"]
    assert fast.dropped == 0
    slow.close()
    assert await slow.get() is None
    await local.publish(_change("10"))
    assert slow._queue.empty(), "a closed listener hears nothing more"


def test_changes_round_trip_and_junk_is_skipped() -> None:
    change = _change("42", ChangeKind.DELETED)
    assert decode(encode(change)) == change
    assert decode(b"not json") is None
    assert decode('{"tenant": "t"}') is None


async def test_the_change_bus_reconnects_after_losing_redis(redis_url: str) -> None:
    async with bus(redis_url) as changes, client(redis_url) as admin:
        heard = changes.subscribe()
        assert await admin.client_kill_filter(_type="pubsub") >= 1
        deadline = time.monotonic() + 5
        got = None
        while got is None and time.monotonic() < deadline:
            await changes.publish(_change("after-reconnect"))
            with contextlib.suppress(TimeoutError):
                got = await asyncio.wait_for(heard.get(), 0.2)
        assert got is not None and got.native_id == "after-reconnect"


async def test_an_evicting_redis_is_warned_about(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with client(redis_url) as redis:
        await redis.config_set("maxmemory", "1gb")
        await redis.config_set("maxmemory-policy", "allkeys-lru")
        try:
            await RedisCache(redis).setup()
        finally:
            await redis.config_set("maxmemory", "0")
            await redis.config_set("maxmemory-policy", "noeviction")
    assert any("allkeys-lru" in r.getMessage() for r in caplog.records)
