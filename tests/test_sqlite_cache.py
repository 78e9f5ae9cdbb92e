"""The cache stores on their own, SQLite and Redis alike: round trips, bounds, eviction,
expiry, scoped invalidation, two processes on one store, and the `cache` CLI."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.cache import SqliteCache
from gateway.cli import main
from gateway.database import open_database
from gateway.redis_cache import RedisCache
from gateway.redis_link import open_redis
from providers.model import ContactPage, ContactRecord, Email, ProviderName
from providers.spark.types import Activity, SparkExtras

Cache = SqliteCache | RedisCache


def _record(n: int) -> ContactRecord:
    return ContactRecord(
        ProviderName.SPARK,
        str(n),
        display_name=f"Person {n}",
        emails=(Email(f"p{n}@example.org"),),
        extras=SparkExtras(tags=("Buyer",), activity=Activity(n, 0.5)),
        expansions_loaded=frozenset({"Activity"}),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def open_cache(url: str | None, tmp_path: Path, **options: Any) -> AsyncIterator[Cache]:
    """A cache on the backend `url` names (None: a SQLite file in tmp_path), closed after."""
    cache: Cache
    if url is None:
        connection = await open_database(tmp_path / "c.sqlite3")
        cache = SqliteCache(connection, evict_every=1, **options)
        try:
            await cache.setup()
            yield cache
        finally:
            await connection.close()
        return
    redis = open_redis(SecretStr(url))
    cache = RedisCache(redis, **options)
    try:
        await cache.setup()
        yield cache
    finally:
        await redis.aclose()


async def test_records_and_pages_round_trip_with_their_extras(
    cache_url: str | None, tmp_path: Path
) -> None:
    async with open_cache(cache_url, tmp_path, clock=Clock()) as cache:
        await cache.put_records("k1", "scope", "1", [_record(1)], stored_at=995.0, keep_for=60)
        hit = await cache.get_records("k1")
        assert hit is not None and hit.value == [_record(1)] and hit.stored_at == 995.0
        page = ContactPage((_record(2), _record(3)), total=9, offset=4)
        await cache.put_page("p1", "scope", page, stored_at=996.0, keep_for=60)
        cached = await cache.get_page("p1")
        assert cached is not None and cached.value == page
        many = await cache.get_many_records(["k1", "missing", "p1x"])
        assert list(many) == ["k1"]


async def test_the_least_recently_used_are_evicted_past_the_bound(
    cache_url: str | None, tmp_path: Path
) -> None:
    clock = Clock()
    evicted: list[int] = []
    async with open_cache(
        cache_url, tmp_path, max_entries=100, clock=clock, on_event=lambda e, n: evicted.append(n)
    ) as cache:
        for n in range(100):
            clock.now += 1
            await cache.put_records(f"k{n}", "s", str(n), [_record(n)], clock.now, 1e9)
        clock.now += 1
        assert await cache.get_records("k0") is not None  # k0 is now recently used
        clock.now += 1
        await cache.put_records("k100", "s", "100", [_record(100)], clock.now, 1e9)
        assert await cache.get_records("k0") is not None
        assert await cache.get_records("k1") is None
        assert evicted == [1]
        assert (await cache.stats())["entries"] == 100


async def test_entries_expire_and_scopes_are_invalidated_apart(
    cache_url: str | None, tmp_path: Path
) -> None:
    clock = Clock()
    async with open_cache(cache_url, tmp_path, clock=clock) as cache:
        await cache.put_records("a", "scope-a", "1", [_record(1)], clock.now, keep_for=10)
        await cache.put_records("a2", "scope-a", "2", [_record(2)], clock.now, keep_for=10)
        await cache.put_records("b", "scope-b", "1", [_record(1)], clock.now, keep_for=10)
        await cache.put_page("la", "scope-a", ContactPage((), 0, 0), clock.now, keep_for=10)
        await cache.put_page("lb", "scope-b", ContactPage((), 0, 0), clock.now, keep_for=10)
        await cache.invalidate("scope-a", "1")
        assert await cache.get_records("a") is None
        assert await cache.get_page("la") is None
        assert await cache.get_records("a2") is not None, "another record of the scope stays"
        assert await cache.get_records("b") is not None, "another scope is untouched"
        assert await cache.get_page("lb") is not None
        clock.now += 11
        assert await cache.get_records("b") is None


async def test_every_variant_of_a_record_is_invalidated(
    cache_url: str | None, tmp_path: Path
) -> None:
    """The same contact cached with different selected fields: a write drops them all."""
    clock = Clock()
    async with open_cache(cache_url, tmp_path, clock=clock) as cache:
        for variant in ("names", "names+emails", "everything"):
            await cache.put_records(f"r|s|7|{variant}", "s", "7", [_record(7)], clock.now, 60)
        await cache.invalidate("s", "7")
        found = await cache.get_many_records([f"r|s|7|{v}" for v in ("names", "everything")])
        assert found == {}


async def test_a_second_process_sees_the_first_ones_invalidation(
    cache_url: str | None, tmp_path: Path
) -> None:
    """Two caches on one store (two gateway processes): a write through one drops the
    copy the other would read."""
    async with (
        open_cache(cache_url, tmp_path) as first,
        open_cache(cache_url, tmp_path) as second,
    ):
        now = time.time()
        await first.put_records("r|s|9|x", "s", "9", [_record(9)], now, 60)
        await first.put_page("l|s|q", "s", ContactPage((_record(9),), 1, 0), now, 60)
        await first.settled()  # SQLite stores behind the request; another process sees it then
        assert await second.get_records("r|s|9|x") is not None
        await second.invalidate("s", "9")
        assert await first.get_records("r|s|9|x") is None
        assert await first.get_page("l|s|q") is None


async def test_stats_and_clear(cache_url: str | None, tmp_path: Path) -> None:
    async with open_cache(cache_url, tmp_path) as cache:
        await cache.put_records("k", "s", "1", [_record(1)], time.time(), 60)
        await cache.put_page("p", "s", ContactPage((_record(2),), 1, 0), time.time(), 60)
        stats = await cache.stats()
        assert stats["entries"] == 2 and stats["bytes"] > 0
        assert await cache.clear() == 2
        assert (await cache.stats())["entries"] == 0
        assert await cache.get_records("k") is None


def test_cache_cli_stats_and_clear(
    cache_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_DATA_DIR", str(tmp_path))
    if cache_url is not None:
        monkeypatch.setenv("CONTACT_GATEWAY_CACHE_URL", cache_url)
    assert main(["cache", "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0
    assert main(["cache", "clear"]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": 0}
