"""The gateway's own SQLite file (WAL): persisted queries today, the cache and the
idempotency ledger as they land. One connection per process, opened in the lifespan."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

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
