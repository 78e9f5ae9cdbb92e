"""Persisted queries (APQ) in Redis, under `cg:pq:<sha256>` (gateway/redis_link.py).

Every gateway process on the shared Redis sees a registration at once. A document is
kept 30 days after its last use; an expired hash answers PersistedQueryNotFound, and
APQ clients then register it again. Redis being away makes a lookup a miss and a
registration a no-op (both logged): the request itself still runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.redis_link import PREFIX

log = logging.getLogger("contact_gateway.persisted")

QUERIES: Final = f"{PREFIX}pq:"
KEEP_SECONDS: Final = 30 * 86_400


@dataclass(slots=True)
class RedisQueryStore:
    redis: Redis
    keep_for: int = KEEP_SECONDS

    async def setup(self) -> None:
        return None

    async def get(self, digest: str) -> str | None:
        try:
            value = await self.redis.getex(f"{QUERIES}{digest}", ex=self.keep_for)
        except RedisError as exc:
            log.warning("persisted query lookup failed: %s", type(exc).__name__)
            return None
        return value.decode() if isinstance(value, bytes) else None

    async def add(self, digest: str, query: str) -> None:
        try:
            await self.redis.set(f"{QUERIES}{digest}", query, nx=True, ex=self.keep_for)
        except RedisError as exc:
            log.warning("persisted query not registered: %s", type(exc).__name__)
