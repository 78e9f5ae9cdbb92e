"""How a poller finds what changed at a provider since its last look.

- `UpdatedSince` (Spark: `ModificationTimestamp`, AutoDNS: `updated`): the records
  modified since the newest one seen, oldest first, a bounded page per poll. The
  watermark is the provider's own timestamp, so the gateway's clock never matters; a
  two-second overlap and a fingerprint per record make each change count once.
  Deletions leave no record behind, so it cannot see them.
- `ListDiff` (IS24, which keeps no timestamps): a bounded list, diffed against the
  previous one. Deletions count only when both lists were complete.
- `Presence`: the ids subscriptions name, read in one batch: updated, or gone.

Each `changes` answers {native id: kind}; the first look (`baseline`) answers nothing.
Reads go straight to the provider (never the cache), through the entry's retries,
rate limit and circuit breaker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

from providers.model import (
    ContactFilter,
    ContactPage,
    ContactQuery,
    ContactRecord,
    ReadWants,
    SortDirection,
    SortField,
    SortOrder,
)
from providers.native_ids import could_exist
from providers.registry import ProviderEntry
from resolvers.changes import ChangeKind

OVERLAP: Final = timedelta(seconds=2)
"""Look this far behind the watermark: timestamps of whole seconds, and writes landing
in the same second as the newest record seen."""

Found = dict[str, ChangeKind]


PER_CALL: Final = ("stid",)
"""Extras that describe the call that read a record, not the contact (AutoDNS's stid)."""


def fingerprint(record: ContactRecord) -> str:
    """What a record says, hashed (where and by which call it was read is left out)."""
    extras = record.extras
    if is_dataclass(extras) and not isinstance(extras, type):
        names = {f.name for f in fields(extras)}
        extras = replace(extras, **{n: None for n in PER_CALL if n in names})
    text = repr(replace(record, freshness=None, extras=extras))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def _search(entry: ProviderEntry, query: ContactQuery) -> ContactPage:
    return await entry.read(lambda: entry.provider.search(query, ReadWants()))


def page_size(entry: ProviderEntry, wanted: int) -> int:
    """The poll page: `wanted`, within what one provider request returns."""
    return max(1, min(wanted, entry.provider.capabilities.max_page_size))


class Strategy(Protocol):
    sees_deletions: bool

    async def baseline(self, entry: ProviderEntry) -> None: ...

    async def changes(self, entry: ProviderEntry) -> Found: ...


@dataclass(slots=True)
class _Seen:
    print: str
    updated_at: datetime | None


class UpdatedSince:
    sees_deletions = False

    def __init__(self, page: int) -> None:
        self._page = page
        self._known: dict[str, _Seen] = {}
        self._watermark: datetime | None = None

    async def baseline(self, entry: ProviderEntry) -> None:
        newest = SortOrder(SortField.UPDATED_AT, SortDirection.DESC)
        page = await _search(entry, ContactQuery(order=(newest,), limit=self._page))
        self._remember(page.records)

    async def changes(self, entry: ProviderEntry) -> Found:
        since = self._watermark - OVERLAP if self._watermark is not None else None
        oldest = (SortOrder(SortField.UPDATED_AT), SortOrder(SortField.ID))
        query = ContactQuery(ContactFilter(updated_since=since), oldest, limit=self._page)
        page = await _search(entry, query)
        found: Found = {}
        for record in page.records:
            seen = self._known.get(record.native_id)
            if seen is not None and seen.print == fingerprint(record):
                continue
            new = seen is None and _created_since(record, since)
            found[record.native_id] = ChangeKind.CREATED if new else ChangeKind.UPDATED
        self._remember(page.records)
        return found

    def _remember(self, records: Sequence[ContactRecord]) -> None:
        for record in records:
            updated = _utc(record.updated_at)
            self._known[record.native_id] = _Seen(fingerprint(record), updated)
            if updated is not None and (self._watermark is None or updated > self._watermark):
                self._watermark = updated
        if self._watermark is not None:
            horizon = self._watermark - OVERLAP
            self._known = {
                i: s
                for i, s in self._known.items()
                if s.updated_at is None or s.updated_at >= horizon
            }


def _created_since(record: ContactRecord, since: datetime | None) -> bool:
    created = _utc(record.created_at)
    return since is None or (created is not None and created >= since)


class ListDiff:
    sees_deletions = True

    def __init__(self, entry: ProviderEntry, page: int) -> None:
        sortable = entry.provider.capabilities.sortable_fields
        newest_first = (SortOrder(SortField.ID, SortDirection.DESC),)
        self._query = ContactQuery(
            order=newest_first if SortField.ID in sortable else (), limit=page
        )
        self._known: dict[str, str] = {}
        self._complete = False

    async def baseline(self, entry: ProviderEntry) -> None:
        self._known, self._complete = await self._list(entry)

    async def changes(self, entry: ProviderEntry) -> Found:
        now, complete = await self._list(entry)
        found: Found = {
            i: ChangeKind.CREATED if i not in self._known else ChangeKind.UPDATED
            for i, p in now.items()
            if self._known.get(i) != p
        }
        if complete and self._complete:  # else an id may just have left the bounded list
            found.update(dict.fromkeys(set(self._known) - set(now), ChangeKind.DELETED))
        self._known, self._complete = now, complete
        return found

    async def _list(self, entry: ProviderEntry) -> tuple[dict[str, str], bool]:
        page = await _search(entry, self._query)
        complete = page.total is not None and page.total <= len(page.records)
        return {r.native_id: fingerprint(r) for r in page.records}, complete


MISSING: Final = ""


class Presence:
    """The named ids: UPDATED when a record changed, DELETED when it went, CREATED when
    an id first seen missing appears. A first look only remembers."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    async def changes(self, entry: ProviderEntry, ids: Collection[str]) -> Found:
        name = entry.provider.name
        wanted = [i for i in ids if could_exist(name, i)]
        if not wanted:
            self._known = {}
            return {}
        records = await entry.read(lambda: entry.provider.get_many(wanted, ReadWants()))
        now = {i: fingerprint(records[i]) if i in records else MISSING for i in wanted}
        found: Found = {}
        for native_id, print_now in now.items():
            before = self._known.get(native_id)
            if before is None or before == print_now:
                continue
            if print_now == MISSING:
                found[native_id] = ChangeKind.DELETED
            else:
                found[native_id] = ChangeKind.UPDATED if before else ChangeKind.CREATED
        self._known = now
        return found


def wide_strategy(entry: ProviderEntry, page: int) -> Strategy:
    """Updated-since where the provider can filter on it, else the bounded list diff."""
    if "updated_since" in entry.provider.capabilities.filterable_fields:
        return UpdatedSince(page)
    return ListDiff(entry, page)
