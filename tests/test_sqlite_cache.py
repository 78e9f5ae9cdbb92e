"""The SQLite cache on its own: round trips, bounds, eviction, expiry, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cache import SqliteCache
from gateway.cli import main
from gateway.database import open_database
from providers.model import ContactPage, ContactRecord, Email, ProviderName
from providers.spark.types import Activity, SparkExtras


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


async def test_records_and_pages_round_trip_with_their_extras(tmp_path: Path) -> None:
    connection = await open_database(tmp_path / "c.sqlite3")
    cache = SqliteCache(connection, clock=Clock())
    await cache.setup()
    try:
        await cache.put_records("k1", "scope", "1", [_record(1)], stored_at=995.0, keep_for=60)
        hit = await cache.get_records("k1")
        assert hit is not None and hit.value == [_record(1)] and hit.stored_at == 995.0
        page = ContactPage((_record(2), _record(3)), total=9, offset=4)
        await cache.put_page("p1", "scope", page, stored_at=996.0, keep_for=60)
        cached = await cache.get_page("p1")
        assert cached is not None and cached.value == page
    finally:
        await connection.close()


async def test_the_least_recently_used_are_evicted_past_the_bound(tmp_path: Path) -> None:
    connection = await open_database(tmp_path / "c.sqlite3")
    clock = Clock()
    evicted: list[int] = []
    cache = SqliteCache(
        connection,
        max_entries=100,
        clock=clock,
        evict_every=1,
        on_event=lambda event, n: evicted.append(n),
    )
    await cache.setup()
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
    await connection.close()


async def test_entries_expire_and_scopes_are_invalidated_apart(tmp_path: Path) -> None:
    connection = await open_database(tmp_path / "c.sqlite3")
    clock = Clock()
    cache = SqliteCache(connection, clock=clock)
    await cache.setup()
    await cache.put_records("a", "scope-a", "1", [_record(1)], clock.now, keep_for=10)
    await cache.put_records("b", "scope-b", "1", [_record(1)], clock.now, keep_for=10)
    await cache.put_page("la", "scope-a", ContactPage((), 0, 0), clock.now, keep_for=10)
    await cache.invalidate("scope-a", "1")
    assert await cache.get_records("a") is None
    assert await cache.get_page("la") is None
    assert await cache.get_records("b") is not None
    clock.now += 11
    assert await cache.get_records("b") is None
    await connection.close()


def test_cache_cli_stats_and_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_DATA_DIR", str(tmp_path))
    assert main(["cache", "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0
    assert main(["cache", "clear"]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": 0}
