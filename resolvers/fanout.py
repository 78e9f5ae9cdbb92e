"""One contact list over several providers: concurrent pages, merged in order.

Each provider is asked for `first` records from its own offset (from the cursor),
all at once — so the latency is the slowest provider's, not the sum. The pages
are merged by the requested order; each edge's cursor records every provider's
offset after that edge, so the next page neither skips nor repeats a contact.
A provider that fails is left out of this page (its offset stays), and the
caller reports its error beside the others' data.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from providers.errors import ProviderError
from providers.model import ContactPage, ContactQuery, ContactRecord, ProviderName, ReadWants
from providers.registry import ProviderEntry
from resolvers.cache_policy import ReadFreshness
from resolvers.ordering import DEFAULT_ORDER, record_sort_key
from resolvers.read_through import CachedReads


@dataclass(frozen=True, slots=True)
class MergedEdge:
    record: ContactRecord
    offsets: dict[ProviderName, int]
    """Each provider's offset just after this edge (the edge's cursor)."""


@dataclass(frozen=True, slots=True)
class MergedPage:
    edges: list[MergedEdge]
    total: int | None
    has_next: bool
    failures: dict[ProviderName, ProviderError]


async def fetch_merged(
    reads: CachedReads,
    entries: Sequence[ProviderEntry],
    query: ContactQuery,
    offsets: Mapping[ProviderName, int],
    wants: ReadWants,
    freshness: ReadFreshness,
) -> MergedPage:
    order = query.order or DEFAULT_ORDER
    pages = await asyncio.gather(
        *(
            _page(
                reads,
                entry,
                replace(query, order=order, offset=offsets.get(entry.provider.name, 0)),
                wants,
                freshness,
            )
            for entry in entries
        )
    )
    good = {
        e.provider.name: p
        for e, p in zip(entries, pages, strict=True)
        if isinstance(p, ContactPage)
    }
    failures = {
        e.provider.name: p
        for e, p in zip(entries, pages, strict=True)
        if isinstance(p, ProviderError)
    }
    start = {e.provider.name: offsets.get(e.provider.name, 0) for e in entries}
    edges, consumed = _merge(good, start, query.limit, record_sort_key(order))
    totals = [p.total for p in good.values()]
    total = sum(t for t in totals if t is not None) if good else None
    has_next = any(_more(page, consumed[name]) for name, page in good.items())
    return MergedPage(edges, total, has_next or bool(failures and not edges), failures)


async def _page(
    reads: CachedReads,
    entry: ProviderEntry,
    query: ContactQuery,
    wants: ReadWants,
    freshness: ReadFreshness,
) -> ContactPage | ProviderError:
    try:
        return await reads.search(entry, query, wants, freshness)
    except ProviderError as exc:
        return exc


def _merge(
    pages: Mapping[ProviderName, ContactPage],
    start: Mapping[ProviderName, int],
    limit: int,
    sort_key: Callable[[ContactRecord], Any],
) -> tuple[list[MergedEdge], dict[ProviderName, int]]:
    heap: list[tuple[Any, int, ProviderName, int]] = []
    for rank, (name, page) in enumerate(pages.items()):
        if page.records:
            heap.append((sort_key(page.records[0]), rank, name, 0))
    heapq.heapify(heap)
    consumed = dict.fromkeys(pages, 0)
    edges: list[MergedEdge] = []
    while heap and len(edges) < limit:
        _, rank, name, index = heapq.heappop(heap)
        record = pages[name].records[index]
        consumed[name] += 1
        offsets = dict(start)
        offsets.update({n: start.get(n, 0) + c for n, c in consumed.items()})
        edges.append(MergedEdge(record, offsets))
        if index + 1 < len(pages[name].records):
            nxt = pages[name].records[index + 1]
            heapq.heappush(heap, (sort_key(nxt), rank, name, index + 1))
    return edges, consumed


def _more(page: ContactPage, consumed: int) -> bool:
    if consumed < len(page.records):
        return True
    if page.total is None:
        return False
    return page.offset + consumed < page.total
