"""The live feed of one gateway process: changes in, to the subscriptions that follow them.

Two sources: the change bus (writes through this process, or through any process on
the same Redis) and the pollers (changes made at the provider itself). A change is
routed by its credential scope, which names the tenant: a subscription only ever
hears changes of its own tenant's providers, even when two tenants share an upstream
credential. Handing a change over never waits (gateway/live/listener.py).

Subscriptions are bounded per client (`max_per_client`, across all its connections
in this process); one more is refused with TOO_MANY_SUBSCRIPTIONS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gateway.changes import ChangeBus, Subscription
from gateway.live.listener import Listener
from gateway.live.poller import Poller
from gateway.live.strategies import Found
from gateway.subscription_settings import SubscriptionSettings
from resolvers.changes import ContactChange
from resolvers.errors import GatewayError
from resolvers.live import ChangeSource, LiveChange, Watch
from resolvers.read_through import CachedReads

log = logging.getLogger("contact_gateway.live")

BUS_QUEUE = 10_000
"""The feed's own place on the bus: it forwards at once, so this only absorbs bursts."""


@dataclass(frozen=True, slots=True)
class FeedStats:
    subscriptions: int
    pollers: dict[str, bool]
    """Poller scope -> whether its baseline is taken."""


class LiveFeed:
    """Implements resolvers.live.ChangeFeed."""

    def __init__(
        self,
        bus: ChangeBus,
        settings: SubscriptionSettings,
        new_reads: Callable[[], CachedReads],
    ) -> None:
        self._bus = bus
        self._settings = settings
        self._new_reads = new_reads
        self._by_scope: dict[str, set[Listener]] = defaultdict(set)
        self._per_client: Counter[str] = Counter()
        self._pollers: dict[str, Poller] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self._heard: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._ending = False

    async def start(self) -> None:
        self._heard = self._bus.subscribe(BUS_QUEUE)
        self._task = asyncio.create_task(self._forward(self._heard), name="live-feed")

    async def aclose(self) -> None:
        if self._heard is not None:
            self._heard.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for listeners in list(self._by_scope.values()):
            for listener in list(listeners):
                listener.close()
        await asyncio.gather(*(p.stop() for p in self._pollers.values()), *self._stopping)
        self._pollers.clear()

    def end_all(self) -> None:
        """The server is stopping: every subscription ends now, and no new one starts."""
        self._ending = True
        for listener in self.listeners():
            listener.close()

    def listen(self, tenant: str, client: str, watches: Sequence[Watch]) -> Listener:
        if self._ending:
            raise GatewayError("the server is stopping", "SUBSCRIPTIONS_UNAVAILABLE")
        key = f"{tenant}/{client}"
        limit = self._settings.max_per_client
        if self._per_client[key] >= limit:
            raise GatewayError(
                f"this client already holds {limit} subscriptions, its limit; complete one "
                "before starting another",
                "TOO_MANY_SUBSCRIPTIONS",
                limit=limit,
            )
        listener = Listener(tenant, key, watches, self._settings.queue_size, self._detach)
        self._per_client[key] += 1
        for watch in watches:
            self._by_scope[watch.entry.cache_scope].add(listener)
            self._poller(tenant, watch).follow(watch.ids)
        return listener

    def stats(self) -> FeedStats:
        listeners = {id(x): x for group in self._by_scope.values() for x in group}
        ready = {scope: p.ready.is_set() for scope, p in self._pollers.items()}
        return FeedStats(len(listeners), ready)

    def listeners(self) -> list[Listener]:
        return list({id(x): x for group in self._by_scope.values() for x in group}.values())

    def _poller(self, tenant: str, watch: Watch) -> Poller:
        scope = watch.entry.cache_scope
        poller = self._pollers.get(scope)
        if poller is None:
            settings = self._settings
            poller = Poller(
                tenant, watch.entry, settings.poll_interval, settings.poll_page, self._polled
            )
            self._pollers[scope] = poller
            poller.start()
        return poller

    def _detach(self, listener: Listener) -> None:
        self._per_client[listener.client] -= 1
        if self._per_client[listener.client] <= 0:
            del self._per_client[listener.client]
        for scope, watch in listener.watches.items():
            self._by_scope[scope].discard(listener)
            if not self._by_scope[scope]:
                del self._by_scope[scope]
            poller = self._pollers.get(scope)
            if poller is not None and poller.unfollow(watch.ids):
                del self._pollers[scope]
                stopping = asyncio.create_task(poller.stop())
                self._stopping.add(stopping)
                stopping.add_done_callback(self._stopping.discard)

    async def _forward(self, heard: Subscription) -> None:
        async for change in heard:
            self._written(change)

    def _written(self, change: ContactChange) -> None:
        poller = self._pollers.get(change.scope)
        if poller is not None:
            poller.announced(change.native_id)
        live = LiveChange(
            change.provider, change.native_id, change.kind, change.at, ChangeSource.WRITE
        )
        self._deliver(change.scope, change.tenant, live)

    async def _polled(self, poller: Poller, found: Found) -> None:
        """Changes a poll found: drop their cached copies (subscribers read them next),
        then deliver."""
        reads = self._new_reads()
        for native_id in found:
            await reads.invalidate(poller.entry, native_id)
        now = time.time()
        for native_id, kind in found.items():
            name = poller.entry.provider.name
            live = LiveChange(name, native_id, kind, now, ChangeSource.POLL)
            self._deliver(poller.entry.cache_scope, poller.tenant, live)

    def _deliver(self, scope: str, tenant: str, change: LiveChange) -> None:
        for listener in list(self._by_scope.get(scope, ())):
            if listener.tenant == tenant and listener.wants(scope, change.native_id):
                listener.offer(change)
