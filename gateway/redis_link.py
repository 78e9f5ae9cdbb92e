"""One Redis client per gateway process (cache_url = "redis://…"), opened in the lifespan.

Short socket timeouts and two quick retries: Redis is a cache here, so a slow or
absent Redis must cost a request milliseconds (a miss), never the request deadline.
Every key the gateway writes starts with `PREFIX`, so one Redis database can hold the
gateway's keys beside others', and `cache clear` touches only the cache's.
"""

from __future__ import annotations

import logging
from typing import Final

from pydantic import SecretStr
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.cache_url import check_cache_url

log = logging.getLogger("contact_gateway.redis")

PREFIX: Final = "cg:"
SOCKET_SECONDS: Final = 1.0


def open_redis(url: SecretStr, *, blocking_reads: bool = False) -> Redis:
    """A client for `url` (connections open lazily). `blocking_reads` is for pub/sub, whose
    reads wait for messages: no read timeout there."""
    check_cache_url(url)
    client: Redis = Redis.from_url(
        url.get_secret_value(),
        socket_timeout=None if blocking_reads else SOCKET_SECONDS,
        socket_connect_timeout=SOCKET_SECONDS,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )
    return client


async def ping(redis: Redis) -> bool:
    try:
        return bool(await redis.ping())
    except RedisError:
        return False


async def warn_on_unsafe_eviction(redis: Redis) -> None:
    """Warn when Redis may evict the gateway's keys on its own.

    The gateway bounds the cache itself (cache.max_entries). Redis evicting under a
    memory limit could drop an index set, and a write would then miss invalidating a copy
    until its TTL: keep `maxmemory 0` or `maxmemory-policy noeviction`. Managed Redis
    services often refuse CONFIG: then nothing is said.
    """
    try:
        config = await redis.config_get("maxmemory*")
    except RedisError:
        return
    values = {_text(k): _text(v) for k, v in config.items()}
    policy = values.get("maxmemory-policy", "noeviction")
    if values.get("maxmemory", "0") != "0" and policy != "noeviction":
        log.warning("redis maxmemory-policy %s may evict cache index keys: use noeviction", policy)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
