"""Provider reads through the cache: fresh hits, misses filled, stale copies on failure.

- A hit younger than the TTL (or the request's `maxAge`) is served without a call.
- A miss calls the provider and stores the answer for TTL + stale-if-error window.
- When the provider fails with a retriable error (down, timeout, rate limited), a
  copy younger than the stale-if-error bound is served and flagged stale.
- Keys carry the entry's cache scope (provider, credential id, role): one caller's
  entry can never answer another credential's read.
- A write that succeeded drops its copies and is announced (`written`) on the change
  bus, so listeners in every gateway process hear of it (resolvers/changes.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from providers.errors import RetriableError
from providers.model import (
    ContactPage,
    ContactQuery,
    ContactRecord,
    Freshness,
    ProviderName,
    ReadWants,
    with_freshness,
)
from providers.registry import ProviderEntry
from resolvers.cache_policy import Cached, ReadFreshness, RecordCache, Ttl
from resolvers.changes import ChangeKind, ChangePublisher, ContactChange

CacheEvent = Callable[[ProviderName, str], None]


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _wants_key(wants: ReadWants) -> str:
    fields = sorted(wants.fields) if wants.fields is not None else None
    return _digest(sorted(wants.expansions), fields)


def _stamp(record: ContactRecord, stored_at: float, *, cached: bool, stale: bool) -> ContactRecord:
    return with_freshness(record, _freshness(stored_at, cached=cached, stale=stale))


def _freshness(stored_at: float, *, cached: bool, stale: bool) -> Freshness:
    at = datetime.fromtimestamp(stored_at, UTC)
    return Freshness(from_cache=cached, fetched_at=at, stale=stale)


@dataclass(slots=True)
class StaleNote:
    provider: ProviderName
    fetched_at: datetime


@dataclass(slots=True)
class CachedReads:
    cache: RecordCache | None
    ttls: Mapping[ProviderName, Ttl]
    on_event: CacheEvent | None = None
    clock: Callable[[], float] = time.time
    stale_served: list[StaleNote] = field(default_factory=list)
    changes: ChangePublisher | None = None
    dependencies: dict[str, float] = field(default_factory=dict)
    """Cache entries this request was answered from: key -> stored_at."""
    fresh_until: float = float("inf")
    """When the first of those entries stops being fresh for this request."""
    all_from_cache: bool = True
    """False once any read went to the provider or served a stale copy: such an answer
    must not be replayed (gateway/response_cache.py)."""

    def _depends_on(
        self, key: str, stored_at: float, fresh_for: float, want: ReadFreshness
    ) -> None:
        limit = fresh_for if want.max_age is None else min(fresh_for, want.max_age)
        self.dependencies[key] = stored_at
        self.fresh_until = min(self.fresh_until, stored_at + limit)

    def _ttl(self, provider: ProviderName) -> Ttl:
        return self.ttls.get(provider, Ttl())

    def _event(self, provider: ProviderName, event: str) -> None:
        if self.on_event is not None:
            self.on_event(provider, event)

    def _usable(self, stored_at: float | None, fresh_for: float, want: ReadFreshness) -> bool:
        if stored_at is None or not want.use_cache:
            return False
        limit = fresh_for if want.max_age is None else min(fresh_for, want.max_age)
        return self.clock() - stored_at <= limit

    def _within_stale(self, stored_at: float | None, ttl: Ttl) -> bool:
        return (
            stored_at is not None and self.clock() - stored_at <= ttl.records + ttl.stale_if_error
        )

    async def get_many(
        self, entry: ProviderEntry, ids: Sequence[str], wants: ReadWants, want: ReadFreshness
    ) -> dict[str, ContactRecord]:
        name = entry.provider.name
        if self.cache is None:
            self.all_from_cache = False
            return dict(await entry.read(lambda: entry.provider.get_many(ids, wants)))
        ttl, wants_key = self._ttl(name), _wants_key(wants)
        keys = {i: f"r|{entry.cache_scope}|{i}|{wants_key}" for i in ids}
        # FRESH_ONLY never uses a copy, not even as a stale stand-in: no lookup at all.
        stored = await self.cache.get_many_records(list(keys.values())) if want.use_cache else {}
        hits = {i: stored.get(k) for i, k in keys.items()}
        found: dict[str, ContactRecord] = {}
        misses = []
        for native_id, hit in hits.items():
            if hit is not None and self._usable(hit.stored_at, ttl.records, want):
                self._event(name, "hit")
                self._depends_on(keys[native_id], hit.stored_at, ttl.records, want)
                found.update(
                    {
                        r.native_id: _stamp(r, hit.stored_at, cached=True, stale=False)
                        for r in hit.value
                    }
                )
            else:
                self._event(name, "miss")
                misses.append(native_id)
        if misses:
            self.all_from_cache = False
            fallback = hits if want.use_cache else dict.fromkeys(misses)  # FRESH_ONLY: no stale
            found.update(await self._fetch_records(entry, misses, wants, keys, fallback, ttl))
        return found

    async def _fetch_records(
        self,
        entry: ProviderEntry,
        ids: list[str],
        wants: ReadWants,
        keys: dict[str, str],
        hits: Mapping[str, Cached[list[ContactRecord]] | None],
        ttl: Ttl,
    ) -> dict[str, ContactRecord]:
        assert self.cache is not None
        now = self.clock()
        try:
            fetched = await entry.read(lambda: entry.provider.get_many(ids, wants))
        except RetriableError:
            stale = {i: hits[i] for i in ids if self._within_stale(_stored_at(hits[i]), ttl)}
            if len(stale) < len(ids):
                raise
            return self._serve_stale(entry.provider.name, stale)
        items = [(keys[i], i, [fetched[i]] if i in fetched else []) for i in ids]
        await self.cache.put_many_records(
            entry.cache_scope, items, now, ttl.records + ttl.stale_if_error
        )
        return {i: _stamp(r, now, cached=False, stale=False) for i, r in fetched.items()}

    def _serve_stale(
        self, name: ProviderName, stale: Mapping[str, Cached[list[ContactRecord]] | None]
    ) -> dict[str, ContactRecord]:
        served: dict[str, ContactRecord] = {}
        for hit in stale.values():
            assert hit is not None
            self.stale_served.append(StaleNote(name, datetime.fromtimestamp(hit.stored_at, UTC)))
            served.update(
                {r.native_id: _stamp(r, hit.stored_at, cached=True, stale=True) for r in hit.value}
            )
        self._event(name, "stale")
        return served

    async def search(
        self, entry: ProviderEntry, query: ContactQuery, wants: ReadWants, want: ReadFreshness
    ) -> ContactPage:
        name = entry.provider.name
        if self.cache is None:
            self.all_from_cache = False
            return await entry.read(lambda: entry.provider.search(query, wants))
        ttl = self._ttl(name)
        key = f"l|{entry.cache_scope}|{_digest(query)}|{_wants_key(wants)}"
        hit = await self.cache.get_page(key) if want.use_cache else None
        if hit is not None and self._usable(hit.stored_at, ttl.lists, want):
            self._event(name, "hit")
            self._depends_on(key, hit.stored_at, ttl.lists, want)
            return _stamp_page(hit.value, hit.stored_at, stale=False, cached=True)
        self._event(name, "miss")
        self.all_from_cache = False
        now = self.clock()
        try:
            page = await entry.read(lambda: entry.provider.search(query, wants))
        except RetriableError:
            if hit is None or not want.use_cache:
                raise
            if self.clock() - hit.stored_at > ttl.lists + ttl.stale_if_error:
                raise
            self.stale_served.append(StaleNote(name, datetime.fromtimestamp(hit.stored_at, UTC)))
            self._event(name, "stale")
            return _stamp_page(hit.value, hit.stored_at, stale=True, cached=True)
        await self.cache.put_page(key, entry.cache_scope, page, now, ttl.lists + ttl.stale_if_error)
        return _stamp_page(page, now, stale=False, cached=False)

    async def invalidate(self, entry: ProviderEntry, native_id: str | None) -> None:
        if self.cache is not None:
            await self.cache.invalidate(entry.cache_scope, native_id)

    async def written(
        self, entry: ProviderEntry, native_id: str, kind: ChangeKind, tenant: str
    ) -> None:
        """The provider accepted a write: drop the contact's copies and the scope's lists,
        then announce it (only after the drop, so a listener that reads sees the write)."""
        await self.invalidate(entry, native_id)
        if self.changes is not None:
            change = ContactChange(tenant, entry.cache_scope, entry.provider.name, native_id, kind)
            await self.changes.publish(change)


def _stored_at(hit: Cached[list[ContactRecord]] | None) -> float | None:
    return hit.stored_at if hit is not None else None


def _stamp_page(page: ContactPage, stored_at: float, *, stale: bool, cached: bool) -> ContactPage:
    freshness = _freshness(stored_at, cached=cached, stale=stale)  # one for the whole page
    records = tuple([with_freshness(r, freshness) for r in page.records])
    return ContactPage(records, page.total, page.offset)
