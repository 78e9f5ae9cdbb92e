"""Cache writes behind a request start once its answer is sent, unless needed sooner."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from gateway.after_response import answer_first, current_gate
from gateway.cache import SqliteCache
from gateway.database import connection_lock, open_database
from providers.model import ContactRecord, ProviderName

NOW = 1_000.0
KEY = "r|spark-scope|42|all"


def _rows_on_disk(path: Path) -> int:
    with sqlite3.connect(path) as other:  # another connection: what has been committed
        return int(other.execute("SELECT count(*) FROM read_cache").fetchone()[0])


async def _cache(path: Path) -> SqliteCache:
    cache = SqliteCache(await open_database(path), clock=lambda: NOW)
    await cache.setup()
    return cache


async def _put(cache: SqliteCache) -> None:
    record = ContactRecord(ProviderName.SPARK, "42", display_name="Someone")
    await cache.put_many_records("spark-scope", [(KEY, "42", [record])], NOW, 60.0)


async def test_a_write_behind_a_request_waits_for_its_answer(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        with answer_first():
            await _put(cache)
            await asyncio.sleep(0.05)  # time enough for an ungated write to land
            assert _rows_on_disk(path) == 0
        await asyncio.wait_for(cache.settled(), 5)
        assert _rows_on_disk(path) == 1
    finally:
        await cache.connection.close()


async def test_a_read_in_the_same_request_gets_the_entry_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        with answer_first():
            await _put(cache)
            found = await asyncio.wait_for(cache.get_many_records([KEY]), 5)  # no deadlock
            assert [r.native_id for r in found[KEY].value] == ["42"]
            await _put(cache)  # the gate stays open for the rest of the request
            await asyncio.sleep(0.05)
            await asyncio.wait_for(cache.settled(), 5)
        assert _rows_on_disk(path) == 1
    finally:
        await cache.connection.close()


async def test_outside_a_request_writes_start_at_once(tmp_path: Path) -> None:
    assert current_gate() is None
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        await _put(cache)
        for _ in range(100):  # it lands without anyone waiting for it
            if _rows_on_disk(path) == 1:
                break
            await asyncio.sleep(0.01)
        assert _rows_on_disk(path) == 1
    finally:
        await cache.settled()
        await cache.connection.close()


async def test_settled_waits_only_for_writes_started_before_it(tmp_path: Path) -> None:
    """Under steady load new writes keep starting; a read must not wait for all of them."""
    cache = await _cache(tmp_path / "cache.sqlite3")
    stop = asyncio.Event()

    async def steady_load() -> None:
        while not stop.is_set():
            await _put(cache)
            await asyncio.sleep(0.001)

    load = asyncio.create_task(steady_load())
    try:
        await asyncio.sleep(0.1)
        await asyncio.wait_for(cache.settled(), 1.0)  # the old loop waited until load ended
        assert not stop.is_set()
    finally:
        stop.set()
        await load
        await cache.drained()
        assert not cache._pending
        await cache.connection.close()


async def test_a_write_made_before_an_invalidation_never_lands_after_it(tmp_path: Path) -> None:
    """A read's write made while an invalidation of its scope waits, and let out after the
    invalidation (its answer was still on the way), is dropped: no stale copy comes back."""
    path = tmp_path / "cache.sqlite3"
    cache = await _cache(path)
    try:
        async with connection_lock(cache.connection):  # the invalidation queues for it
            invalidation = asyncio.create_task(cache.invalidate("spark-scope", "42"))
            await asyncio.sleep(0.01)
            await _put(cache)  # made now, queued behind the invalidation
        await asyncio.wait_for(invalidation, 5)
        await asyncio.wait_for(cache.settled(), 5)
        assert _rows_on_disk(path) == 0
        await _put(cache)  # made after the invalidation: stored as usual
        await cache.settled()
        assert _rows_on_disk(path) == 1
    finally:
        await cache.connection.close()
