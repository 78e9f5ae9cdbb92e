"""The change bus: every successful write, announced to whoever listens, in every process.

Cache invalidation does not depend on it: a write drops its cached copies itself,
before it returns, in the store every process reads (the SQLite file on one machine,
or Redis). The bus is for what lives outside the shared store — live subscriptions
(`contactChanged`) and any per-process state — which must hear of writes made through
any gateway process:

- `LocalChangeBus` (the SQLite default): listeners in this process hear this
  process's writes. Several processes on one SQLite file do not hear each other.
- `RedisChangeBus` (cache_url = "redis://…"): a write is PUBLISHed on one channel;
  each process keeps one SUBSCRIBE connection and hands what arrives (its own writes
  included, once) to its local listeners. Redis pub/sub delivers at most once: a
  process that is disconnected misses what was published meanwhile, and reconnects.
  Listeners that must not miss a change also poll the provider.

Each listener has a bounded queue: when it is full the oldest change is dropped and
counted (`Subscription.dropped`), so a slow listener never stalls a writer or the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Final, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.redis_link import PREFIX
from providers.model import ProviderName
from resolvers.changes import ChangeKind, ChangePublisher, ContactChange

log = logging.getLogger("contact_gateway.changes")

CHANNEL: Final = f"{PREFIX}changes"
QUEUE_LIMIT: Final = 1000
READY_SECONDS: Final = 2.0
RECONNECT_SECONDS: Final = (0.1, 5.0)


class Subscription:
    """One listener: `async for change in subscription`, until `close()`."""

    def __init__(self, bus: LocalChangeBus, limit: int) -> None:
        self._bus = bus
        self._queue: asyncio.Queue[ContactChange | None] = asyncio.Queue(limit)
        self.dropped = 0
        self.closed = False

    def offer(self, change: ContactChange | None) -> None:
        """Queue without waiting; when full, the oldest change gives way."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(change)

    async def get(self) -> ContactChange | None:
        """The next change, or None once closed."""
        return None if self.closed and self._queue.empty() else await self._queue.get()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._bus.detach(self)
            self.offer(None)

    def __aiter__(self) -> AsyncIterator[ContactChange]:
        return self._changes()

    async def _changes(self) -> AsyncIterator[ContactChange]:
        while (change := await self.get()) is not None:
            yield change


class ChangeBus(ChangePublisher, Protocol):
    def subscribe(self, limit: int = QUEUE_LIMIT) -> Subscription: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class LocalChangeBus:
    """Listeners in this process, and the fan-out the Redis bus delivers into."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    async def publish(self, change: ContactChange) -> None:
        self.deliver(change)

    def deliver(self, change: ContactChange) -> None:
        for subscription in list(self._subscriptions):
            subscription.offer(change)

    def subscribe(self, limit: int = QUEUE_LIMIT) -> Subscription:
        subscription = Subscription(self, limit)
        self._subscriptions.add(subscription)
        return subscription

    def detach(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        for subscription in list(self._subscriptions):
            subscription.close()


class RedisChangeBus:
    """Publishes on `CHANNEL`; one listening task per process feeds the local listeners."""

    def __init__(self, redis: Redis, listener: Redis) -> None:
        self._redis = redis
        self._listener = listener
        """A client without read timeouts: SUBSCRIBE waits for messages."""
        self._local = LocalChangeBus()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def publish(self, change: ContactChange) -> None:
        try:
            await self._redis.publish(CHANNEL, encode(change))
        except RedisError as exc:
            log.warning("change not published: %s", type(exc).__name__)

    def subscribe(self, limit: int = QUEUE_LIMIT) -> Subscription:
        return self._local.subscribe(limit)

    async def start(self) -> None:
        """Start listening; wait briefly for the subscription (Redis may be down: go on)."""
        self._task = asyncio.create_task(self._listen(), name="change-bus-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), READY_SECONDS)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._listener.aclose()
        await self._local.aclose()

    async def _listen(self) -> None:
        delay = RECONNECT_SECONDS[0]
        while True:
            try:
                await self._receive()
            except (RedisError, OSError) as exc:
                log.warning("change bus disconnected, reconnecting: %s", type(exc).__name__)
            delay = RECONNECT_SECONDS[0] if self._ready.is_set() else delay * 2
            delay = min(delay, RECONNECT_SECONDS[1])
            self._ready.clear()
            await asyncio.sleep(delay)

    async def _receive(self) -> None:
        async with self._listener.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "subscribe":
                    self._ready.set()
                elif message.get("type") == "message":
                    change = decode(message.get("data"))
                    if change is not None:
                        self._local.deliver(change)


def encode(change: ContactChange) -> str:
    return json.dumps(
        {
            "tenant": change.tenant,
            "scope": change.scope,
            "provider": change.provider.value,
            "nativeId": change.native_id,
            "kind": change.kind.value,
            "at": change.at,
        }
    )


def decode(data: Any) -> ContactChange | None:
    """A change from the channel; anything else is logged (by type only) and skipped."""
    try:
        raw = json.loads(data)
        return ContactChange(
            tenant=str(raw["tenant"]),
            scope=str(raw["scope"]),
            provider=ProviderName(raw["provider"]),
            native_id=str(raw["nativeId"]),
            kind=ChangeKind(raw["kind"]),
            at=float(raw["at"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("unreadable change on the bus skipped: %s", type(exc).__name__)
        return None
