"""How many requests one provider gets at once, and how fast (a bulkhead and a rate limit).

`max_concurrent` bounds the requests in flight to one provider, so a slow provider
holds at most that many of the gateway's tasks; the rate limit is a token bucket
(aiolimiter's leaky bucket: `burst` requests at once, refilled at `per_second`)
so the gateway stays under the provider's own quota instead of collecting 429s.
Waiting for either ends with the request deadline: `NotSent`, nothing went out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from providers import deadline
from providers.errors import NotSent
from providers.model import ProviderName


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """RELIABILITY.md: a bulkhead of 20 per provider; the rate limit is the account's own."""

    max_concurrent: int = 20
    rate_limit_per_second: float | None = None
    rate_limit_burst: int = 10


class UpstreamLimits:
    """One provider's bulkhead and rate limit; `slot()` wraps every upstream request."""

    def __init__(self, settings: LimitSettings | None = None) -> None:
        self.settings = settings or LimitSettings()
        self._slots = asyncio.Semaphore(self.settings.max_concurrent)
        rate, burst = self.settings.rate_limit_per_second, self.settings.rate_limit_burst
        self._bucket = AsyncLimiter(burst, burst / rate) if rate else None

    @asynccontextmanager
    async def slot(self, provider: ProviderName) -> AsyncIterator[None]:
        """Wait (within the deadline) for a free slot and a token, then hold the slot."""
        wait = deadline.remaining()
        try:
            async with asyncio.timeout(None if wait is None else max(0.0, wait)):
                await self._slots.acquire()
                try:
                    if self._bucket is not None:
                        await self._bucket.acquire()
                except BaseException:
                    self._slots.release()
                    raise
        except TimeoutError:
            raise NotSent(
                f"{provider.value}: the request deadline ran out before a slot was free",
                provider=provider,
            ) from None
        try:
            yield
        finally:
            self._slots.release()
