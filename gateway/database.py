"""The gateway's own SQLite file (WAL): persisted queries today, the cache and the
idempotency ledger as they land. One connection per process, opened in the lifespan."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path

import aiosqlite

_LOCKS: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = weakref.WeakKeyDictionary()

PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never block the writer
    "PRAGMA synchronous=NORMAL",  # durable enough with WAL, far fewer fsyncs
    "PRAGMA secure_delete=ON",  # deleted personal data leaves no bytes behind
    "PRAGMA busy_timeout=5000",  # several worker processes share the file
)


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the SQLite file with the gateway's pragmas.

    A file that is not a database fails on the first pragma; the connection is closed
    then, because aiosqlite's worker thread would otherwise keep the process from exiting.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(path)
    try:
        for pragma in PRAGMAS:
            await connection.execute(pragma)
    except BaseException:
        await connection.close()
        raise
    return connection


def connection_lock(connection: aiosqlite.Connection) -> asyncio.Lock:
    """The lock every user of `connection` holds for one unit of work.

    aiosqlite runs statements one at a time, but coroutines sharing a connection would
    interleave theirs: one commits another's half-done transaction, or a checkpoint
    runs inside a write ("database table is locked"), or a commit resets a cursor
    still being read. Holding this lock from the first statement to the commit keeps
    each unit whole.
    """
    lock = _LOCKS.get(connection)
    if lock is None:
        lock = _LOCKS[connection] = asyncio.Lock()
    return lock
