"""The read cache on Redis: SqliteCache's semantics, shared by every gateway process.

Keys, under `cg:c:` (gateway/redis_link.py):

- `e:<key>`: one entry — stored_at and expires_at (two doubles), then the encoded
  value. Redis expires it with the entry (TTL + stale-if-error): memory frees itself.
- `lru`: sorted set, entry -> last access; past `max_entries` the least recently used go.
- `l:<scope>`: the entries of the scope's list pages.
- `r:<scope>:<native id>`: the entries of one record (each selection of fields is its own).

The read's key already names its scope (provider, credential, tenant, role): one
scope's entry never answers another's read, and an invalidation names the scope it
drops. Writes and invalidations are Lua scripts, atomic in Redis: no process ever sees
an entry without its index, or half an invalidation. The data lives in the one Redis
every process shares, so an invalidation's DEL is seen by all of them at once; no
message has to reach them (gateway/changes.py announces writes for other listeners).

Redis failing never fails a request: reads become misses and writes are skipped, both
logged. An invalidation that still fails after the client's retries is logged as an
error, because copies of that scope may then be served until their TTL.
"""

from __future__ import annotations

import logging
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from gateway.record_codec import (
    CacheDecodeError,
    decode_page,
    decode_records,
    encode_page,
    encode_records,
)
from gateway.redis_link import PREFIX, warn_on_unsafe_eviction
from providers.model import ContactPage, ContactRecord
from resolvers.cache_policy import Cached

log = logging.getLogger("contact_gateway.cache")

NAMESPACE: Final = f"{PREFIX}c:"
LRU: Final = f"{NAMESPACE}lru"
_HEADER: Final = struct.Struct("!dd")
_CHUNK: Final = 500

# KEYS: lru, then (entry, index) pairs. ARGV: now, px, then one value per pair.
PUT: Final = """
local px = tonumber(ARGV[2])
for i = 2, #KEYS, 2 do
  redis.call('SET', KEYS[i], ARGV[i / 2 + 2], 'PX', px)
  redis.call('SADD', KEYS[i + 1], KEYS[i])
  if redis.call('PTTL', KEYS[i + 1]) < px then redis.call('PEXPIRE', KEYS[i + 1], px) end
  redis.call('ZADD', KEYS[1], ARGV[1], KEYS[i])
end
return redis.call('ZCARD', KEYS[1])
"""
# KEYS: lru, then the index sets to drop with their entries.
INVALIDATE: Final = """
local dropped = 0
for i = 2, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    local chunk = {unpack(members, j, math.min(j + 499, #members))}
    dropped = dropped + redis.call('DEL', unpack(chunk))
    redis.call('ZREM', KEYS[1], unpack(chunk))
  end
  redis.call('DEL', KEYS[i])
end
return dropped
"""
# KEYS: lru. ARGV: the bound.
EVICT: Final = """
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if excess <= 0 then return 0 end
local popped = redis.call('ZPOPMIN', KEYS[1], excess)
for i = 1, #popped, 2 do redis.call('DEL', popped[i]) end
return excess
"""
CacheEvents = Callable[[str, int], None]


def _entry(key: str) -> str:
    return f"{NAMESPACE}e:{key}"


def _list_index(scope: str) -> str:
    return f"{NAMESPACE}l:{scope}"


def _record_index(scope: str, native_id: str) -> str:
    return f"{NAMESPACE}r:{scope}:{native_id}"


@dataclass(slots=True)
class RedisCache:
    redis: Redis
    max_entries: int = 50_000
    on_event: CacheEvents | None = None
    clock: Callable[[], float] = time.time
    _scripts: dict[str, AsyncScript] = field(default_factory=dict)

    async def setup(self) -> None:
        for name, source in (("put", PUT), ("invalidate", INVALIDATE), ("evict", EVICT)):
            self._scripts[name] = self.redis.register_script(source)
        await warn_on_unsafe_eviction(self.redis)

    async def get_records(self, key: str) -> Cached[list[ContactRecord]] | None:
        raw = (await self._get_many([key])).get(key)
        return self._decode(key, raw, decode_records) if raw is not None else None

    async def get_many_records(self, keys: list[str]) -> dict[str, Cached[list[ContactRecord]]]:
        found: dict[str, Cached[list[ContactRecord]]] = {}
        for key, raw in (await self._get_many(keys)).items():
            hit = self._decode(key, raw, decode_records)
            if hit is not None:
                found[key] = hit
        return found

    async def get_page(self, key: str) -> Cached[ContactPage] | None:
        raw = (await self._get_many([key])).get(key)
        return self._decode(key, raw, decode_page) if raw is not None else None

    async def put_records(
        self,
        key: str,
        scope: str,
        native_id: str,
        records: list[ContactRecord],
        stored_at: float,
        keep_for: float,
    ) -> None:
        await self.put_many_records(scope, [(key, native_id, records)], stored_at, keep_for)

    async def put_many_records(
        self,
        scope: str,
        items: list[tuple[str, str, list[ContactRecord]]],
        stored_at: float,
        keep_for: float,
    ) -> None:
        rows = [(k, _record_index(scope, n), encode_records(r)) for k, n, r in items]
        await self._put(rows, stored_at, keep_for)

    async def put_page(
        self, key: str, scope: str, page: ContactPage, stored_at: float, keep_for: float
    ) -> None:
        await self._put([(key, _list_index(scope), encode_page(page))], stored_at, keep_for)

    async def invalidate(self, scope: str, native_id: str | None) -> None:
        """Drop every list page of `scope` and, with a native id, every copy of that record."""
        indexes = [_list_index(scope)]
        if native_id is not None:
            indexes.append(_record_index(scope, native_id))
        try:
            await self._scripts["invalidate"](keys=[LRU, *indexes])
        except RedisError as exc:
            log.error(
                "cache invalidation failed, this scope may serve old copies until their TTL: %s",
                type(exc).__name__,
            )

    async def clear(self) -> int:
        """Remove the cache's keys (not persisted queries or the idempotency ledger)."""
        removed = 0
        batch: list[bytes] = []
        async for key in self.redis.scan_iter(match=f"{NAMESPACE}*", count=1000):
            batch.append(key)
            removed += key.startswith(_entry("").encode())
            if len(batch) >= _CHUNK:
                await self.redis.unlink(*batch)
                batch.clear()
        if batch:
            await self.redis.unlink(*batch)
        return removed

    async def stats(self) -> dict[str, int]:
        """Entries and their bytes; `expired` counts index members Redis already expired."""
        live = size = gone = 0
        members: list[bytes] = []
        async for member, _ in self.redis.zscan_iter(LRU, count=1000):
            members.append(member)
        for start in range(0, len(members), _CHUNK):
            async with self.redis.pipeline(transaction=False) as pipe:
                for member in members[start : start + _CHUNK]:
                    pipe.strlen(member)
                lengths: list[int] = await pipe.execute()
            live += sum(1 for n in lengths if n)
            size += sum(lengths)
            gone += sum(1 for n in lengths if not n)
        return {"entries": live, "bytes": size, "expired": gone, "max_entries": self.max_entries}

    async def settled(self) -> None:
        """Writes go to Redis before the request answers: nothing runs behind."""

    async def aclose(self) -> None:
        """Nothing runs behind and the connection is the storage's: nothing to do."""

    async def stored_at_of(self, keys: list[str]) -> dict[str, float]:
        """The entries' headers only (GETRANGE of the two leading doubles)."""
        if not keys:
            return {}
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.getrange(_entry(key), 0, _HEADER.size - 1)
                headers: list[bytes] = await pipe.execute()
        except RedisError as exc:
            log.warning("cache read failed, treated as a miss: %s", type(exc).__name__)
            return {}
        now = self.clock()
        found: dict[str, float] = {}
        for key, header in zip(keys, headers, strict=True):
            if header and len(header) == _HEADER.size:
                stored_at, expires_at = _HEADER.unpack(header)
                if expires_at >= now:
                    found[key] = stored_at
        return found

    async def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        """Values of the keys that exist; each hit's last access is moved to now."""
        if not keys:
            return {}
        entries = [_entry(k) for k in keys]
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.mget(entries)
                pipe.zadd(LRU, dict.fromkeys(entries, self.clock()), xx=True)
                values, _ = await pipe.execute()
        except RedisError as exc:
            log.warning("cache read failed, treated as a miss: %s", type(exc).__name__)
            return {}
        return {k: v for k, v in zip(keys, values, strict=True) if v is not None}

    def _decode(self, key: str, raw: bytes, decode: Callable[[bytes], Any]) -> Cached[Any] | None:
        if len(raw) < _HEADER.size:
            return None
        stored_at, expires_at = _HEADER.unpack_from(raw)
        if expires_at < self.clock():
            return None
        try:
            return Cached(decode(raw[_HEADER.size :]), stored_at)
        except CacheDecodeError:
            return None  # an old format: the next read's answer replaces it

    async def _put(
        self, rows: list[tuple[str, str, bytes]], stored_at: float, keep_for: float
    ) -> None:
        """Store (key, index, value) rows in one script: entries, indexes, LRU, one trip."""
        now = self.clock()
        expires_at = stored_at + keep_for
        px = math.ceil((expires_at - now) * 1000)
        if not rows or px <= 0:
            return
        header = _HEADER.pack(stored_at, expires_at)
        keys = [LRU]
        for key, index, _ in rows:
            keys += [_entry(key), index]
        try:
            count = await self._scripts["put"](
                keys=keys, args=[now, px, *(header + value for _, _, value in rows)]
            )
            if int(count) > self.max_entries:
                await self._evict()
        except RedisError as exc:
            log.warning("cache write failed, not cached: %s", type(exc).__name__)

    async def _evict(self) -> None:
        evicted = int(await self._scripts["evict"](keys=[LRU], args=[self.max_entries]))
        if evicted and self.on_event is not None:
            self.on_event("eviction", evicted)
