"""One contact list over several providers: concurrent pages, merged in order.

Each provider is asked for a page from its own position (from the cursor), all at
once — so the latency is the slowest provider's, not the sum. The pages are
merged by the requested order; each edge's cursor records every provider's
position after that edge. A resumed page starts a few records early and
realigns on the last contact taken (by id, or by its sort values when it was
deleted), so contacts created or deleted between pages neither shift a contact
out of the list nor show one twice. A provider that fails is left out of this
page (its position stays) and the caller reports its error beside the others.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Final

from providers.autodns.types import AutoDnsFilter
from providers.errors import ProviderError
from providers.is24.types import Is24Filter
from providers.model import (
    ContactFilter,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
    SortOrder,
)
from providers.registry import ProviderEntry
from providers.spark.types import SparkFilter
from resolvers.cache_policy import ReadFreshness
from resolvers.ordering import DEFAULT_ORDER, compare_values, record_sort_key, sort_values
from resolvers.paging import Position
from resolvers.read_through import CachedReads

UNIFIED_FILTER_FIELDS: Final = tuple(f.name for f in fields(ContactFilter) if f.name != "extras")
BLOCK_OWNERS: Final[dict[type, ProviderName]] = {
    SparkFilter: ProviderName.SPARK,
    AutoDnsFilter: ProviderName.AUTODNS,
    Is24Filter: ProviderName.IS24,
}
REALIGN_WINDOW: Final = 5
"""Records re-read before a resume point: absorbs that many deletions before it."""


@dataclass(frozen=True, slots=True)
class MergedEdge:
    record: ContactRecord
    after: Mapping[ProviderName, Position | Taken]
    """Each provider's place just after this edge; `positions` spells it out."""
    order: Sequence[SortOrder]

    @property
    def positions(self) -> dict[ProviderName, Position]:
        """Each provider's position just after this edge (the edge's cursor). Computed
        only for the cursors a query selects: a position holds the last record's sort
        values, which cost more than the rest of the merge."""
        return {
            name: place if isinstance(place, Position) else place.position(self.order)
            for name, place in self.after.items()
        }


@dataclass(frozen=True, slots=True)
class Taken:
    """A provider's place after taking `record`, its `offset`-th result."""

    offset: int
    record: ContactRecord

    def position(self, order: Sequence[SortOrder]) -> Position:
        return Position(self.offset, self.record.native_id, sort_values(self.record, order))


@dataclass(frozen=True, slots=True)
class MergedPage:
    edges: list[MergedEdge]
    total: int | None
    has_next: bool
    failures: dict[ProviderName, ProviderError]


@dataclass(frozen=True, slots=True)
class Resumed:
    """One provider's records after its position, and the offset of the first of them."""

    records: tuple[ContactRecord, ...]
    offset: int
    total: int | None
    more_upstream: bool


async def fetch_merged(
    reads: CachedReads,
    entries: Sequence[ProviderEntry],
    query: ContactQuery,
    positions: Mapping[ProviderName, Position],
    wants: ReadWants,
    freshness: ReadFreshness,
) -> MergedPage:
    order = query.order or DEFAULT_ORDER
    query = replace(query, order=order)
    merging = len(entries) > 1
    results = await asyncio.gather(
        *(
            _resume(
                reads,
                e,
                _for_provider(e, query) if merging else query,
                positions.get(e.provider.name, Position(0)),
                wants,
                freshness,
            )
            for e in entries
        )
    )
    good = {
        e.provider.name: r for e, r in zip(entries, results, strict=True) if isinstance(r, Resumed)
    }
    failures = {
        e.provider.name: r
        for e, r in zip(entries, results, strict=True)
        if isinstance(r, ProviderError)
    }
    start = {e.provider.name: positions.get(e.provider.name, Position(0)) for e in entries}
    edges, consumed = _merge(good, start, query.limit, order, record_sort_key(order))
    totals = [r.total for r in good.values() if r.total is not None]
    has_next = any(consumed[name] < len(r.records) or r.more_upstream for name, r in good.items())
    return MergedPage(edges, sum(totals) if good else None, has_next, failures)


def _for_provider(entry: ProviderEntry, query: ContactQuery) -> ContactQuery | None:
    """The query as one provider of a merged list sees it, or None if it cannot match.

    A unified filter field the provider does not have (tags on AutoDNS) matches none
    of its contacts; another provider's filter block does not apply to it.
    """
    flt = query.filter
    used = {name for name in UNIFIED_FILTER_FIELDS if getattr(flt, name) is not None}
    if used - entry.provider.capabilities.filterable_fields:
        return None
    owner = BLOCK_OWNERS.get(type(flt.extras)) if flt.extras is not None else None
    if owner is not None and owner is not entry.provider.name:
        return replace(query, filter=replace(flt, extras=None))
    return query


async def _resume(
    reads: CachedReads,
    entry: ProviderEntry,
    query: ContactQuery | None,
    position: Position,
    wants: ReadWants,
    freshness: ReadFreshness,
) -> Resumed | ProviderError:
    if query is None:
        return Resumed((), position.offset, 0, more_upstream=False)
    back = min(position.offset, REALIGN_WINDOW) if position.last_id else 0
    start = position.offset - back
    ask = replace(query, offset=start, limit=query.limit + back if query.limit else 0)
    try:
        page = await reads.search(entry, ask, wants, freshness)
    except ProviderError as exc:
        return exc
    skip = _realign(page.records, position, back, query.order)
    records = page.records[skip:]
    more = page.total is not None and start + len(page.records) < page.total
    return Resumed(records, start + skip, page.total, more)


def _realign(
    records: Sequence[ContactRecord],
    position: Position,
    back: int,
    order: Sequence[SortOrder],
) -> int:
    """How many fetched records lie at or before the last one already taken."""
    if position.last_id is None:
        return back
    for index, record in enumerate(records):
        if record.native_id == position.last_id:
            return index + 1
    if position.last_values is None:
        return back
    for index, record in enumerate(records):
        if compare_values(sort_values(record, order), position.last_values, order) > 0:
            return index
    return len(records)


def _merge(
    resumed: Mapping[ProviderName, Resumed],
    start: Mapping[ProviderName, Position],
    limit: int,
    order: Sequence[SortOrder],
    sort_key: Callable[[ContactRecord], Any],
) -> tuple[list[MergedEdge], dict[ProviderName, int]]:
    heap: list[tuple[Any, int, ProviderName, int]] = []
    for rank, (name, result) in enumerate(resumed.items()):
        if result.records:
            heap.append((sort_key(result.records[0]), rank, name, 0))
    heapq.heapify(heap)
    consumed = dict.fromkeys(resumed, 0)
    places: dict[ProviderName, Position | Taken] = dict(start)
    edges: list[MergedEdge] = []
    while heap and len(edges) < limit:
        _, rank, name, index = heapq.heappop(heap)
        result = resumed[name]
        record = result.records[index]
        consumed[name] += 1
        places[name] = Taken(result.offset + consumed[name], record)
        edges.append(MergedEdge(record, dict(places), order))
        if index + 1 < len(result.records):
            nxt = result.records[index + 1]
            heapq.heappush(heap, (sort_key(nxt), rank, name, index + 1))
    return edges, consumed
