"""Replay lookups read the SQLite file on the event loop through a read-only connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gateway.cache import SqliteCache
from gateway.database import open_database, open_reader
from providers.model import ContactRecord, ProviderName

NOW = 1_000.0


async def _cache(path: Path) -> SqliteCache:
    cache = SqliteCache(await open_database(path), clock=lambda: NOW)
    await cache.setup()
    cache.reader = open_reader(path)
    return cache


async def _put(cache: SqliteCache, key: str, at: float) -> None:
    record = ContactRecord(ProviderName.SPARK, "7", display_name="Someone")
    await cache.put_many_records("scope", [(key, "7", [record])], at, 60.0)


async def test_the_reader_sees_what_the_cache_and_other_processes_committed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        assert cache.reader is not None
        await _put(cache, "k1", NOW - 5)
        assert await cache.stored_at_of(["k1", "k2"]) == {"k1": NOW - 5}  # its own write
        with sqlite3.connect(path) as other:  # another process rewrites the entry
            other.execute("UPDATE read_cache SET stored_at = ? WHERE key = 'k1'", (NOW - 1,))
        assert await cache.stored_at_of(["k1"]) == {"k1": NOW - 1}
        await cache.invalidate("scope", "7")
        assert await cache.stored_at_of(["k1"]) == {}
        with pytest.raises(sqlite3.OperationalError):  # it cannot write
            cache.reader.execute("DELETE FROM read_cache")
    finally:
        await cache.aclose()
        await cache.connection.close()


async def test_a_busy_or_broken_reader_falls_back_to_the_connection(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        await _put(cache, "k1", NOW - 5)
        assert cache.reader is not None
        cache.reader.close()  # any sqlite3.Error on the reader: the aiosqlite path answers
        assert await cache.stored_at_of(["k1"]) == {"k1": NOW - 5}
    finally:
        cache.reader = None
        await cache.connection.close()


def test_no_reader_for_a_file_that_cannot_be_opened(tmp_path: Path) -> None:
    assert open_reader(tmp_path / "missing" / "cache.sqlite3") is None
