"""Per-request DataLoaders: every id asked for in one tick becomes one batch per provider.

Two loaders: records by (provider, id, wants, freshness) and expansions by
(provider, id, expansion). Both group their keys and call `get_many` once per
group (through the read cache), so a page of contacts whose expansion fields
were not planned still costs one upstream batch, not one call per contact.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Final, NamedTuple

from strawberry.dataloader import DataLoader

from providers.errors import NotFound, ProviderError
from providers.model import ContactRecord, ProviderName, ReadWants
from providers.native_ids import could_exist
from providers.registry import ProviderSet
from resolvers.cache_policy import ReadFreshness
from resolvers.read_through import CachedReads


class RecordKey(NamedTuple):
    provider: ProviderName
    native_id: str
    wants: ReadWants
    freshness: ReadFreshness = ReadFreshness()  # frozen, so safe to share


DEFAULT_FRESHNESS: Final = ReadFreshness()


class ExpansionKey(NamedTuple):
    provider: ProviderName
    native_id: str
    expansion: str


class Group(NamedTuple):
    provider: ProviderName
    wants: ReadWants
    freshness: ReadFreshness


Found = Mapping[str, ContactRecord] | BaseException


class ContactLoaders:
    """The DataLoaders of one GraphQL request (never shared between requests)."""

    def __init__(self, providers: ProviderSet, reads: CachedReads) -> None:
        self._providers = providers
        self._reads = reads
        self.records: DataLoader[RecordKey, ContactRecord | None] = DataLoader(
            load_fn=self._load_records
        )
        self.expansions_loader: DataLoader[ExpansionKey, ContactRecord] = DataLoader(
            load_fn=self._load_expansions
        )

    async def record(
        self,
        provider: ProviderName,
        native_id: str,
        wants: ReadWants,
        freshness: ReadFreshness = DEFAULT_FRESHNESS,
    ) -> ContactRecord | None:
        if not could_exist(provider, native_id):
            return None  # no call, no cache row for an id the provider cannot have
        return await self.records.load(RecordKey(provider, native_id, wants, freshness))

    async def expanded(self, record: ContactRecord, expansion: str) -> ContactRecord:
        key = ExpansionKey(record.provider, record.native_id, expansion)
        return await self.expansions_loader.load(key)

    async def _load_records(
        self, keys: Sequence[RecordKey]
    ) -> list[ContactRecord | BaseException | None]:
        groups: dict[Group, list[str]] = defaultdict(list)
        for key in keys:
            groups[Group(key.provider, key.wants, key.freshness)].append(key.native_id)
        found = await self._fetch(groups)
        return [
            _pick(found[Group(k.provider, k.wants, k.freshness)], k.native_id, allow_missing=True)
            for k in keys
        ]

    async def _load_expansions(
        self, keys: Sequence[ExpansionKey]
    ) -> list[ContactRecord | BaseException | None]:
        ids: dict[ProviderName, list[str]] = defaultdict(list)
        wanted: dict[ProviderName, set[str]] = defaultdict(set)
        for key in keys:
            ids[key.provider].append(key.native_id)
            wanted[key.provider].add(key.expansion)
        groups = {
            Group(name, ReadWants(expansions=frozenset(wanted[name])), ReadFreshness()): ids[name]
            for name in ids
        }
        found = await self._fetch(groups)
        by_provider = {group.provider: result for group, result in found.items()}
        return [_pick(by_provider[k.provider], k.native_id, allow_missing=False) for k in keys]

    async def _fetch(self, groups: Mapping[Group, list[str]]) -> dict[Group, Found]:
        async def fetch(group: Group, ids: list[str]) -> Found:
            entry = self._providers.get(group.provider)
            try:
                return await self._reads.get_many(entry, ids, group.wants, group.freshness)
            except ProviderError as exc:
                return exc

        items = list(groups.items())
        results = await asyncio.gather(*(fetch(group, ids) for group, ids in items))
        return {group: result for (group, _), result in zip(items, results, strict=True)}


def _pick(
    found: Found, native_id: str, *, allow_missing: bool
) -> ContactRecord | BaseException | None:
    if isinstance(found, BaseException):
        return found
    record = found.get(native_id)
    if record is None and not allow_missing:
        return NotFound(f"contact {native_id} is gone")
    return record
