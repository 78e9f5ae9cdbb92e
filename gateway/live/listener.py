"""One subscription's queue: bounded, coalescing, never making the sender wait.

The feed hands a change over with `offer`, which never blocks: a publisher or poller
never waits for a subscriber, and one subscriber never waits for another. Changes of
a contact already waiting coalesce into one (its contact is read when the event is
sent, so the latest state goes out anyway). When `limit` distinct contacts are
waiting and another comes, the subscriber is too slow: its queue is dropped, it
leaves the feed at once, and the stream ends with SUBSCRIBER_TOO_SLOW.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence

from providers.model import ProviderName
from resolvers.changes import ChangeKind
from resolvers.errors import GatewayError
from resolvers.live import LiveChange, Watch

TOO_SLOW = "SUBSCRIBER_TOO_SLOW"


def merged(waiting: LiveChange, later: LiveChange) -> LiveChange:
    """Two changes of one contact as one: a contact created then updated is still news
    of its creation; otherwise the later change says what is true now."""
    if waiting.kind is ChangeKind.CREATED and later.kind is ChangeKind.UPDATED:
        return LiveChange(later.provider, later.native_id, waiting.kind, later.at, later.source)
    return later


class Listener:
    """The feed's end of one subscription (implements resolvers.live.ChangeListener)."""

    def __init__(
        self,
        tenant: str,
        client: str,
        watches: Sequence[Watch],
        limit: int,
        on_close: Callable[[Listener], None],
    ) -> None:
        self.tenant = tenant
        self.client = client
        self.watches = {w.entry.cache_scope: w for w in watches}
        self._limit = limit
        self._on_close = on_close
        self._waiting: OrderedDict[tuple[ProviderName, str], LiveChange] = OrderedDict()
        self._ready = asyncio.Event()
        self.closed = False
        self.overflowed = False
        self.coalesced = 0

    @property
    def pending(self) -> int:
        return len(self._waiting)

    def wants(self, scope: str, native_id: str) -> bool:
        watch = self.watches.get(scope)
        return watch is not None and watch.wants(native_id)

    def offer(self, change: LiveChange) -> None:
        """Queue without waiting; coalesce with the same contact; overflow ends it."""
        if self.closed:
            return
        key = (change.provider, change.native_id)
        waiting = self._waiting.get(key)
        if waiting is not None:
            self._waiting[key] = merged(waiting, change)
            self.coalesced += 1
        elif len(self._waiting) >= self._limit:
            self._overflow()
            return
        else:
            self._waiting[key] = change
        self._ready.set()

    async def next(self) -> LiveChange | None:
        while not self._waiting:
            if self.overflowed:
                raise GatewayError(
                    f"this subscription fell more than {self._limit} changes behind and was "
                    "ended; subscribe again (and read faster, or select less)",
                    TOO_SLOW,
                    limit=self._limit,
                )
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._waiting.popitem(last=False)[1]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._on_close(self)
        self._ready.set()

    def _overflow(self) -> None:
        self.overflowed = True
        self._waiting.clear()
        self.close()
