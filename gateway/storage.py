"""Where a gateway process keeps what it shares: read cache, persisted queries, the
idempotency ledger, and the bus that announces writes.

- `cache_url` unset (the default): the SQLite file in `data_dir`. Processes on one
  machine that share the directory share cache, invalidations and APQ; the change
  bus reaches this process only.
- `cache_url = "redis://…"`: all of it in that Redis, which every process on every
  machine shares; the change bus runs on its pub/sub (gateway/changes.py).

Neither store being unavailable stops the gateway: it logs, runs uncached, and
`/readyz` reports the storage as unavailable.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Literal

import aiosqlite
from pydantic import SecretStr
from redis.asyncio import Redis

from gateway.cache import SqliteCache
from gateway.changes import ChangeBus, LocalChangeBus, RedisChangeBus
from gateway.database import connection_lock, open_database, open_reader
from gateway.persisted import QueryStore, SqliteQueryStore
from gateway.redis_cache import RedisCache
from gateway.redis_ledger import RedisLedger
from gateway.redis_link import open_redis, ping
from gateway.redis_stores import RedisQueryStore
from gateway.settings import Settings
from gateway.telemetry import GatewayTelemetry
from resolvers.cache_policy import RecordCache
from resolvers.idempotency import IdempotencyLedger

log = logging.getLogger("contact_gateway")


@dataclass(slots=True)
class Storage:
    kind: Literal["sqlite", "redis"]
    cache: RecordCache | None
    """None: running uncached (cache.enabled = false, or the store is unusable)."""
    queries: QueryStore | None
    changes: ChangeBus
    database: aiosqlite.Connection | None = None
    redis: Redis | None = None
    ledger: IdempotencyLedger | None = None
    """Redis's ledger; None with SQLite: gateway/idempotency.py opens it on `database`."""

    async def ping(self) -> bool:
        """Whether the store answers now (readiness)."""
        if self.redis is not None:
            return await ping(self.redis)
        if self.database is None:
            return False
        try:
            async with (
                connection_lock(self.database),
                self.database.execute("SELECT 1") as cursor,
            ):
                await cursor.fetchone()
        except (aiosqlite.Error, ValueError):
            return False
        return True

    async def aclose(self) -> None:
        await self.changes.aclose()
        if self.cache is not None:
            await self.cache.aclose()  # the writes behind requests, before the store closes
        if self.database is not None:
            await self.database.close()
        if self.redis is not None:
            await self.redis.aclose()


async def open_storage(settings: Settings, telemetry: GatewayTelemetry) -> Storage:
    if settings.cache_url is not None:
        storage = await _open_redis(settings, settings.cache_url, telemetry)
    else:
        storage = await _open_sqlite(settings, telemetry)
    await storage.changes.start()
    return storage


async def _open_sqlite(settings: Settings, telemetry: GatewayTelemetry) -> Storage:
    try:
        database = await open_database(settings.database_path)
    except (sqlite3.Error, OSError) as exc:
        log.error("cache database unavailable, running uncached: %s", type(exc).__name__)
        return Storage("sqlite", None, None, LocalChangeBus())
    cache: SqliteCache | None = None
    if settings.cache.enabled:
        cache = SqliteCache(
            database,
            settings.cache.max_entries,
            on_event=lambda event, n: telemetry.cache_evicted(n),
        )
        try:
            await cache.setup()
        except sqlite3.Error as exc:
            log.error("cache table unusable, running uncached: %s", type(exc).__name__)
            cache = None
        else:
            cache.reader = open_reader(settings.database_path)
    return Storage("sqlite", cache, SqliteQueryStore(database), LocalChangeBus(), database=database)


async def _open_redis(settings: Settings, url: SecretStr, telemetry: GatewayTelemetry) -> Storage:
    redis = open_redis(url)
    if not await ping(redis):
        log.error("redis unavailable at start-up: running uncached until it answers")
    cache: RedisCache | None = None
    if settings.cache.enabled:
        cache = RedisCache(
            redis, settings.cache.max_entries, on_event=lambda event, n: telemetry.cache_evicted(n)
        )
        await cache.setup()
    changes = RedisChangeBus(redis, open_redis(url, blocking_reads=True))
    keys = settings.idempotency
    ledger = RedisLedger(redis, keys.ttl, keys.in_flight_lease)
    await ledger.setup()
    return Storage("redis", cache, RedisQueryStore(redis), changes, redis=redis, ledger=ledger)


async def cache_command(settings: Settings, action: str) -> dict[str, int]:
    """`contact-gateway cache stats|clear` against the configured store (safe while the
    gateway runs)."""
    if settings.cache_url is None:
        connection = await open_database(settings.database_path)
        try:
            return await _administer(SqliteCache(connection, settings.cache.max_entries), action)
        finally:
            await connection.close()
    redis = open_redis(settings.cache_url)
    try:
        return await _administer(RedisCache(redis, settings.cache.max_entries), action)
    finally:
        await redis.aclose()


async def _administer(cache: SqliteCache | RedisCache, action: str) -> dict[str, int]:
    await cache.setup()
    if action == "clear":
        return {"removed": await cache.clear()}
    return await cache.stats()
