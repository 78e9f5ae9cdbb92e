"""How the SQLite cache writes: the kept row count stays true through every kind of
change (and is recounted on start), the bound holds across processes sharing the file,
and storing the same page again rewrites only the pages that changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.cache import SqliteCache
from gateway.database import connection_lock, open_database
from providers.model import ContactPage, ContactRecord, Email, ProviderName
from providers.spark.types import SparkExtras

NOW = 1_000.0


def _record(n: int) -> ContactRecord:
    return ContactRecord(
        ProviderName.SPARK,
        str(n),
        display_name=f"Person {n}",
        given_name="Person",
        family_name=f"Number {n}",
        organization="Example Holdings",
        emails=(Email(f"person.{n}@example.org"),),
        extras=SparkExtras(tags=("Buyer",), note=f"Note for {n} " * 20),
    )


@asynccontextmanager
async def open_cache(path: Path, **options: Any) -> AsyncIterator[SqliteCache]:
    connection = await open_database(path)
    cache = SqliteCache(connection, clock=lambda: NOW, **options)
    try:
        await cache.setup()
        yield cache
    finally:
        await cache.settled()
        await connection.close()


async def _one(connection: aiosqlite.Connection, sql: str) -> int:
    async with connection_lock(connection), connection.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _kept_and_real(cache: SqliteCache) -> tuple[int, int]:
    await cache.settled()
    kept = await _one(cache.connection, "SELECT entries FROM read_cache_size")
    return kept, await _one(cache.connection, "SELECT count(*) FROM read_cache")


async def test_the_kept_row_count_stays_true_through_every_change(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    evicted: list[int] = []
    async with open_cache(
        path, max_entries=6, evict_every=1, on_event=lambda _, n: evicted.append(n)
    ) as cache:
        for n in range(4):
            await cache.put_records(f"r{n}", "s", str(n), [_record(n)], NOW, 60)
        await cache.put_page("p", "s", ContactPage((_record(1),), 1, 0), NOW, 60)
        await cache.put_page("p", "s", ContactPage((_record(2),), 1, 0), NOW, 60)  # same key
        assert await _kept_and_real(cache) == (5, 5)
        for n in range(4, 8):
            await cache.put_records(f"o{n}", "other", str(n), [_record(n)], NOW, 60)
        assert await _kept_and_real(cache) == (6, 6), "evicted down to the bound"
        assert sum(evicted) == 3
        await cache.invalidate("other", "5")  # drops o5 and no list of "other"
        assert await _kept_and_real(cache) == (5, 5)
        async with connection_lock(cache.connection):
            await cache.connection.execute("UPDATE read_cache SET value = x'00' WHERE key = 'o6'")
            await cache.connection.commit()
        assert await cache.get_records("o6") is None, "an unreadable entry is dropped"
        assert await _kept_and_real(cache) == (4, 4)
        async with connection_lock(cache.connection):  # a count gone wrong outside the cache
            await cache.connection.execute("UPDATE read_cache_size SET entries = 999")
            await cache.connection.commit()
    async with open_cache(path, max_entries=6) as restarted:
        assert await _kept_and_real(restarted) == (4, 4), "recounted on start"
        assert (await restarted.stats())["entries"] == 4
        assert await restarted.clear() == 4
        assert await _kept_and_real(restarted) == (0, 0)


async def test_the_bound_counts_the_entries_another_process_wrote(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    async with (
        open_cache(path, max_entries=3, evict_every=1) as first,
        open_cache(path, max_entries=3, evict_every=1) as second,
    ):
        for n in range(3):
            await first.put_records(f"a{n}", "s", str(n), [_record(n)], NOW, 60)
        await first.settled()
        await second.put_records("b", "s", "9", [_record(9)], NOW, 60)
        assert await _kept_and_real(second) == (3, 3)
        assert await second.get_records("b") is not None


async def _wal_pages(cache: SqliteCache, path: Path) -> int:
    await cache.settled()
    page_size = await _one(cache.connection, "PRAGMA page_size")
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size // (page_size + 24) if wal.exists() else 0


async def test_storing_the_same_page_again_rewrites_only_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    page = ContactPage(tuple(_record(n) for n in range(100)), 100, 0)
    async with open_cache(path) as cache:
        await cache.put_page("l|s|q", "s", page, NOW - 30, 60)
        value_pages = await _wal_pages(cache, path)
        await cache.invalidate("nothing", None)  # checkpoints: the WAL starts empty again
        assert await _wal_pages(cache, path) == 0
        await cache.put_page("l|s|q", "s", page, NOW - 10, 60)
        rewritten = await _wal_pages(cache, path)
        hit = await cache.get_page("l|s|q")
    assert value_pages > 20, "the page spans many database pages"
    assert rewritten <= 5, f"{rewritten} pages written to store an unchanged page again"
    assert hit is not None and hit.value == page and hit.stored_at == NOW - 10
