"""The local read cache: one SQLite table in the gateway's file (WAL, secure_delete).

Entries are keyed by provider, cache scope (provider credential id and role,
never a secret) and the read; each row remembers its scope and native id so a
mutation can drop the record and every list of the scope. A row is kept for
TTL + the stale-if-error window; the caller decides from `stored_at` whether it is
fresh. The table is bounded: past `max_entries`, the least recently used go. Triggers
keep its row count in `read_cache_size` (recounted at setup), so checking the bound
reads one row instead of counting up to `max_entries`.

A write is an upsert: an entry stored again is updated in place, and SQLite rewrites
only the pages whose bytes changed, so storing the same page again writes a few pages
instead of the whole value plus its indexes.

A hit is a read only: its access time waits in memory and is written with the next
write (or every `TOUCH_FLUSH` hits), so serving from the cache never commits.
Every unit of work holds the connection's lock (gateway/database.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import aiosqlite

from gateway.after_response import current_gate
from gateway.database import connection_lock
from gateway.record_codec import (
    CacheDecodeError,
    decode_page,
    decode_records,
    encode_page,
    encode_records,
)
from providers.model import ContactPage, ContactRecord
from resolvers.cache_policy import Cached

log = logging.getLogger("contact_gateway.cache")

SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS read_cache (
        key TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        native_id TEXT,
        value BLOB NOT NULL,
        stored_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        last_access REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS read_cache_scope ON read_cache (scope, native_id)",
    "CREATE INDEX IF NOT EXISTS read_cache_access ON read_cache (last_access)",
    """CREATE TABLE IF NOT EXISTS read_cache_size (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        entries INTEGER NOT NULL
    )""",
    # An INSERT OR REPLACE would not fire the delete trigger: writes are upserts.
    """CREATE TRIGGER IF NOT EXISTS read_cache_added AFTER INSERT ON read_cache
    BEGIN UPDATE read_cache_size SET entries = entries + 1; END""",
    """CREATE TRIGGER IF NOT EXISTS read_cache_removed AFTER DELETE ON read_cache
    BEGIN UPDATE read_cache_size SET entries = entries - 1; END""",
    "INSERT OR REPLACE INTO read_cache_size (id, entries) SELECT 0, count(*) FROM read_cache",
)
UPSERT: Final = (
    "INSERT INTO read_cache (key, scope, native_id, value, stored_at, expires_at, last_access) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET scope = excluded.scope, "
    "native_id = excluded.native_id, value = excluded.value, stored_at = excluded.stored_at, "
    "expires_at = excluded.expires_at, last_access = excluded.last_access"
)
CacheEvents = Callable[[str, int], None]
Row = tuple[str, str, str | None, bytes]
"""key, scope, native id (None for a list page), encoded value."""
MAX_BEHIND: Final = 64
TOUCH_FLUSH: Final = 1024
"""Buffered hit times written in one statement at most this many hits apart."""


@dataclass(slots=True)
class SqliteCache:
    connection: aiosqlite.Connection
    max_entries: int = 50_000
    on_event: CacheEvents | None = None
    clock: Callable[[], float] = time.time
    evict_every: int = 64
    _puts: int = 0
    _touched: dict[str, float] = field(default_factory=dict)
    """Hit times not yet written (key -> unix time of the last hit)."""
    _pending: set[asyncio.Task[None]] = field(default_factory=set)
    """Writes still running behind the requests that caused them."""
    _gates: set[asyncio.Event] = field(default_factory=set)
    """Gates pending writes wait at until their request's answer is sent."""
    _epochs: dict[str, int] = field(default_factory=dict)
    """Invalidations so far per scope: a write made before one must not land after it."""
    reader: sqlite3.Connection | None = None
    """A read-only connection for the lookups replayed answers make, used on the event
    loop (gateway/database.py `open_reader`); without one they go through `connection`."""

    async def aclose(self) -> None:
        """Store every write still behind, then close the read-only lookup connection."""
        await self.drained()
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    async def setup(self) -> None:
        """Create the tables and recount the rows, in one transaction that holds the write
        lock from its start. A deferred one reads first (the recount) and then writes; when
        another process commits in between (two gateways starting on one file), SQLite
        refuses the upgrade at once, without waiting, and that gateway ran uncached."""
        async with connection_lock(self.connection):
            await self.connection.execute("BEGIN IMMEDIATE")  # waits (busy_timeout) instead
            for statement in SCHEMA:
                await self.connection.execute(statement)
            await self.connection.commit()

    async def get_records(self, key: str) -> Cached[list[ContactRecord]] | None:
        row = await self._get(key)
        if row is None:
            return None
        try:
            return Cached(decode_records(row[0]), row[1])
        except CacheDecodeError:
            await self._drop(key)
            return None

    async def get_many_records(self, keys: list[str]) -> dict[str, Cached[list[ContactRecord]]]:
        rows = await self._get_many(keys)
        found: dict[str, Cached[list[ContactRecord]]] = {}
        for key, (value, stored_at) in rows.items():
            try:
                found[key] = Cached(decode_records(value), stored_at)
            except CacheDecodeError:
                await self._drop(key)
        return found

    async def put_many_records(
        self,
        scope: str,
        items: list[tuple[str, str, list[ContactRecord]]],
        stored_at: float,
        keep_for: float,
    ) -> None:
        await self._behind(
            scope,
            lambda: [(k, scope, n, encode_records(records)) for k, n, records in items],
            stored_at,
            keep_for,
        )

    async def get_page(self, key: str) -> Cached[ContactPage] | None:
        row = await self._get(key)
        if row is None:
            return None
        try:
            return Cached(decode_page(row[0]), row[1])
        except CacheDecodeError:
            await self._drop(key)
            return None

    async def put_records(
        self,
        key: str,
        scope: str,
        native_id: str,
        records: list[ContactRecord],
        stored_at: float,
        keep_for: float,
    ) -> None:
        await self._behind(
            scope, lambda: [(key, scope, native_id, encode_records(records))], stored_at, keep_for
        )

    async def put_page(
        self, key: str, scope: str, page: ContactPage, stored_at: float, keep_for: float
    ) -> None:
        await self._behind(
            scope, lambda: [(key, scope, None, encode_page(page))], stored_at, keep_for
        )

    async def invalidate(self, scope: str, native_id: str | None) -> None:
        await self.settled()  # a write still behind must not land after its invalidation
        async with connection_lock(self.connection):
            await self.connection.execute(
                "DELETE FROM read_cache WHERE scope = ? AND (native_id IS NULL OR native_id = ?)",
                (scope, native_id),
            )
            await self.connection.commit()
            self._epochs[scope] = self._epochs.get(scope, 0) + 1  # writes made before: void
            # Leave no bytes of the dropped rows in the WAL either (secure_delete covers the
            # file).
            await self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def stored_at_of(self, keys: list[str]) -> dict[str, float]:
        if not keys:
            return {}
        await self.settled()
        marks = ",".join("?" * len(keys))
        sql = (
            f"SELECT key, stored_at FROM read_cache WHERE key IN ({marks}) "  # noqa: S608  # only placeholders are interpolated
            "AND expires_at >= ?"
        )
        if self.reader is not None:
            try:
                rows = self.reader.execute(sql, (*keys, self.clock())).fetchall()
            except sqlite3.Error:  # busy, or the file went away: the usual path decides
                pass
            else:
                return {str(r[0]): float(r[1]) for r in rows}
        async with (
            connection_lock(self.connection),
            self.connection.execute(sql, (*keys, self.clock())) as cursor,
        ):
            return {str(r[0]): float(r[1]) for r in await cursor.fetchall()}

    async def clear(self) -> int:
        await self.settled()
        async with connection_lock(self.connection):
            self._touched.clear()
            cursor = await self.connection.execute("DELETE FROM read_cache")
            await self.connection.commit()
            await self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return cursor.rowcount

    async def stats(self) -> dict[str, int]:
        await self.settled()
        now = self.clock()
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                "SELECT count(*), coalesce(sum(length(value)), 0), "
                "coalesce(sum(expires_at < ?), 0) FROM read_cache",
                (now,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        count, size, expired = row if row else (0, 0, 0)
        return {
            "entries": int(count),
            "bytes": int(size),
            "expired": int(expired),
            "max_entries": self.max_entries,
        }

    async def _get_many(self, keys: list[str]) -> dict[str, tuple[bytes, float]]:
        if not keys:
            return {}
        await self.settled()
        now = self.clock()
        marks = ",".join("?" * len(keys))
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                f"SELECT key, value, stored_at FROM read_cache WHERE key IN ({marks}) "  # noqa: S608  # only placeholders are interpolated
                "AND expires_at >= ?",
                (*keys, now),
            ) as cursor,
        ):
            rows = {str(r[0]): (bytes(r[1]), float(r[2])) for r in await cursor.fetchall()}
        await self._touch(rows, now)
        return rows

    async def _get(self, key: str) -> tuple[bytes, float] | None:
        await self.settled()
        now = self.clock()
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                "SELECT value, stored_at, expires_at FROM read_cache WHERE key = ?", (key,)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is None or row[2] < now:
            return None
        await self._touch((key,), now)
        return bytes(row[0]), float(row[1])

    async def _touch(self, keys: Iterable[str], now: float) -> None:
        for key in keys:
            self._touched[key] = now
        if len(self._touched) >= TOUCH_FLUSH:
            async with connection_lock(self.connection):
                await self._flush_touches()
                await self.connection.commit()

    async def _flush_touches(self) -> None:
        """Write the buffered hit times (inside the caller's locked unit)."""
        if self._touched:
            touched, self._touched = self._touched, {}
            await self.connection.executemany(
                "UPDATE read_cache SET last_access = max(last_access, ?) WHERE key = ?",
                [(at, key) for key, at in touched.items()],
            )

    async def _behind(
        self, scope: str, rows: Callable[[], list[Row]], stored_at: float, keep_for: float
    ) -> None:
        """Encode and store entries behind the request that read them: its answer does not
        wait for SQLite, and the write starts once the answer is sent. Every read,
        invalidation and count first waits for these writes (`settled`, which opens their
        gates), so this process never misses its own entry nor sees it come back after an
        invalidation: a write made before an invalidation of its scope that would land
        after it (it was made while the invalidation waited, its answer not yet sent) is
        dropped. At most MAX_BEHIND writes run behind; one more waits."""
        if len(self._pending) >= MAX_BEHIND:
            await self.settled()
        gate = current_gate()  # start once the answer is out (gateway/after_response.py)
        if gate is not None:
            self._gates.add(gate)
        epoch = self._epochs.get(scope, 0)
        write = self._write_later(rows, stored_at, keep_for, (scope, epoch), gate)
        task = asyncio.get_running_loop().create_task(write)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settled(self) -> None:
        """Wait for the writes behind requests that were started before this call.

        Only those: under steady load new writes start all the time, and waiting until
        none is left kept a read (or the writer past MAX_BEHIND) waiting as long as the
        load lasted (seconds; drive.py saw 5-9 s). `drained` waits for all."""
        pending = list(self._pending)
        if not pending:
            return
        for gate in self._gates:  # needed now: no waiting for any answer to be sent
            gate.set()
        self._gates.clear()
        await asyncio.gather(*pending, return_exceptions=True)

    async def drained(self) -> None:
        """Wait until no write is left behind (before the connection closes)."""
        while self._pending:
            await self.settled()

    async def _write_later(
        self,
        rows: Callable[[], list[Row]],
        stored_at: float,
        keep_for: float,
        made: tuple[str, int],
        gate: asyncio.Event | None = None,
    ) -> None:
        if gate is not None:
            await gate.wait()
            self._gates.discard(gate)  # open for good: nobody needs to open it again
        try:
            await self._put_rows(rows(), stored_at, keep_for, made)
        except (sqlite3.Error, ValueError) as exc:  # ValueError: the connection is closed
            log.warning("cache write failed, entry skipped: %s", type(exc).__name__)

    async def _put_rows(
        self, rows: list[Row], stored_at: float, keep_for: float, made: tuple[str, int]
    ) -> None:
        """Write entries in one transaction (one commit for a whole batch), unless their
        scope was invalidated since they were made (`made`: scope and its epoch then)."""
        scope, epoch = made
        async with connection_lock(self.connection):
            if self._epochs.get(scope, 0) != epoch:
                return
            await self.connection.executemany(
                UPSERT,
                [(k, sc, n, v, stored_at, stored_at + keep_for, stored_at) for k, sc, n, v in rows],
            )
            await self._flush_touches()
            await self.connection.commit()
            self._puts += len(rows)
            if self._puts >= self.evict_every:
                self._puts = 0
                await self._evict()

    async def _drop(self, key: str) -> None:
        async with connection_lock(self.connection):
            self._touched.pop(key, None)
            await self.connection.execute("DELETE FROM read_cache WHERE key = ?", (key,))
            await self.connection.commit()

    async def _evict(self) -> None:
        """Drop the least recently used beyond the bound (inside the caller's locked unit)."""
        async with self.connection.execute("SELECT entries FROM read_cache_size") as cursor:
            row = await cursor.fetchone()
        excess = (int(row[0]) if row else 0) - self.max_entries
        if excess <= 0:
            return
        await self.connection.execute(
            "DELETE FROM read_cache WHERE key IN "
            "(SELECT key FROM read_cache ORDER BY last_access LIMIT ?)",
            (excess,),
        )
        await self.connection.commit()
        if self.on_event is not None:
            self.on_event("eviction", excess)
