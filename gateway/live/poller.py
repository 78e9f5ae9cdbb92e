"""One poller per (tenant, provider): finds changes made outside the gateway.

It runs while at least one subscription follows the provider (the feed starts it on
the first and stops it after the last), first taking a silent baseline, then looking
every `poll_interval`. What it asks depends on its followers: the provider-wide
strategy for subscriptions without ids, and `Presence` for named ids where the wide
strategy cannot see deletions (or nobody follows the whole provider).

Writes through the gateway reach subscribers at once over the change bus; the poll
then finds the same change again. A change the poll finds is dropped when the bus
announced that contact since the previous successful poll began (before that, the
previous poll would already have seen it). Found changes wait `SETTLE` seconds first,
so a bus message still on its way is not overtaken.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from typing import Final

from gateway.live.strategies import Found, Presence, Strategy, page_size, wide_strategy
from providers.errors import ProviderError
from providers.registry import ProviderEntry
from resolvers.changes import ChangeKind

log = logging.getLogger("contact_gateway.live")

SETTLE: Final = 0.2
MAX_WATCHED: Final = 500
"""Named ids one poller reads per poll (a few batched requests); more are not polled."""

Emit = Callable[["Poller", Found], Awaitable[None]]


class Poller:
    def __init__(
        self, tenant: str, entry: ProviderEntry, interval: float, page: int, emit: Emit
    ) -> None:
        self.tenant = tenant
        self.entry = entry
        self._interval = interval
        self._page = page_size(entry, page)
        self._emit = emit
        self._watched: Counter[str] = Counter()
        self._wide_followers = 0
        self._wide: Strategy | None = None
        self._presence = Presence()
        self._announced: dict[str, float] = {}
        self._since: float | None = None
        """When the last successful look began (monotonic)."""
        self._task: asyncio.Task[None] | None = None
        self.polls = 0
        self.ready = asyncio.Event()
        """Set once the first look (the baseline) is done, successfully or not."""

    @property
    def followers(self) -> int:
        return self._wide_followers + sum(1 for _ in self._watched.elements())

    def follow(self, ids: Collection[str] | None) -> None:
        if ids is None:
            self._wide_followers += 1
        else:
            self._watched.update(ids)

    def unfollow(self, ids: Collection[str] | None) -> bool:
        """Forget one follower; True when nobody is left."""
        if ids is None:
            self._wide_followers -= 1
        else:
            self._watched.subtract(ids)
            self._watched = +self._watched
        return self._wide_followers <= 0 and not self._watched

    def announced(self, native_id: str) -> None:
        """The change bus told of a write to this contact."""
        self._announced[native_id] = time.monotonic()

    def start(self) -> None:
        """Run in a context of its own: not inside the request that started it (its
        provider-call budget, deadline and request id are not the poller's)."""
        name = f"poll-{self.entry.cache_scope}"
        self._task = asyncio.create_task(self._run(), name=name, context=contextvars.Context())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        await self._look()
        self.ready.set()
        while True:
            await asyncio.sleep(self._interval)
            await self._look()

    async def _look(self) -> None:
        began = time.monotonic()
        try:
            found = await self._changes()
        except ProviderError as exc:
            log.warning(
                "poll failed",
                extra={"provider": self.entry.provider.name.value, "code": exc.code},
            )
            return
        self.polls += 1
        if found:
            await asyncio.sleep(SETTLE)
            found = {i: k for i, k in found.items() if not self._heard(i)}
        self._since = began
        self._announced = {i: at for i, at in self._announced.items() if at >= began}
        if found:
            await self._emit(self, found)

    def _heard(self, native_id: str) -> bool:
        at = self._announced.get(native_id)
        return at is not None and self._since is not None and at >= self._since

    async def _changes(self) -> Found:
        """One look; the first look of each strategy only takes its baseline."""
        found: Found = {}
        if self._wide_followers > 0:
            if self._wide is None:
                wide = wide_strategy(self.entry, self._page)
                await wide.baseline(self.entry)
                self._wide = wide
            else:
                found.update(await self._wide.changes(self.entry))
        else:
            self._wide = None  # nobody follows everything: start afresh when someone does
        if self._watched and (self._wide is None or not self._wide.sees_deletions):
            ids = list(self._watched)[:MAX_WATCHED]
            for native_id, kind in (await self._presence.changes(self.entry, ids)).items():
                if kind is ChangeKind.DELETED or native_id not in found:
                    found[native_id] = kind
        return found
