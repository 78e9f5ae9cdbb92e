"""Per-request DataLoaders: every id asked for in one tick becomes one batch per provider.

Two loaders: records by (provider, id, wants) and expansions by (provider, id,
expansion). Both group their keys by provider and call `get_many` once per
group, so a page of contacts whose expansion fields were not planned still
costs one upstream batch, not one call per contact.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from strawberry.dataloader import DataLoader

from providers.errors import NotFound, ProviderError
from providers.model import ContactRecord, ProviderName, ReadWants
from providers.registry import ProviderSet


class RecordKey(NamedTuple):
    provider: ProviderName
    native_id: str
    wants: ReadWants


class ExpansionKey(NamedTuple):
    provider: ProviderName
    native_id: str
    expansion: str


@dataclass(frozen=True, slots=True)
class _Missing:
    """Placeholder for an id the provider did not return."""


RecordResult = ContactRecord | None


class ContactLoaders:
    """The DataLoaders of one GraphQL request (never shared between requests)."""

    def __init__(self, providers: ProviderSet) -> None:
        self._providers = providers
        self.records: DataLoader[RecordKey, RecordResult] = DataLoader(load_fn=self._load_records)
        self.expansions_loader: DataLoader[ExpansionKey, ContactRecord] = DataLoader(
            load_fn=self._load_expansions
        )

    async def record(
        self, provider: ProviderName, native_id: str, wants: ReadWants
    ) -> ContactRecord | None:
        return await self.records.load(RecordKey(provider, native_id, wants))

    async def expanded(self, record: ContactRecord, expansion: str) -> ContactRecord:
        key = ExpansionKey(record.provider, record.native_id, expansion)
        return await self.expansions_loader.load(key)

    async def _load_records(self, keys: Sequence[RecordKey]) -> list[RecordResult | BaseException]:
        groups: dict[tuple[ProviderName, ReadWants], list[str]] = defaultdict(list)
        for key in keys:
            groups[(key.provider, key.wants)].append(key.native_id)
        found = await self._fetch_groups({group: (ids, group[1]) for group, ids in groups.items()})
        return [_pick(found[(k.provider, k.wants)], k.native_id, allow_missing=True) for k in keys]

    async def _load_expansions(
        self, keys: Sequence[ExpansionKey]
    ) -> list[ContactRecord | BaseException]:
        ids: dict[ProviderName, list[str]] = defaultdict(list)
        wanted: dict[ProviderName, set[str]] = defaultdict(set)
        for key in keys:
            ids[key.provider].append(key.native_id)
            wanted[key.provider].add(key.expansion)
        requests = {
            (name, ReadWants(expansions=frozenset(wanted[name]))): (
                ids[name],
                ReadWants(expansions=frozenset(wanted[name])),
            )
            for name in ids
        }
        found = await self._fetch_groups(requests)
        by_provider = {group[0]: result for group, result in found.items()}
        results: list[ContactRecord | BaseException] = []
        for key in keys:
            picked = _pick(by_provider[key.provider], key.native_id, allow_missing=False)
            results.append(picked if picked is not None else NotFound("contact is gone"))
        return results

    async def _fetch_groups(
        self, requests: Mapping[tuple[ProviderName, ReadWants], tuple[list[str], ReadWants]]
    ) -> dict[tuple[ProviderName, ReadWants], Mapping[str, ContactRecord] | BaseException]:
        async def fetch(
            name: ProviderName, ids: list[str], wants: ReadWants
        ) -> Mapping[str, ContactRecord] | BaseException:
            entry = self._providers.get(name)
            try:
                return await entry.call(entry.provider.get_many(ids, wants))
            except ProviderError as exc:
                return exc

        groups = list(requests.items())
        results = await asyncio.gather(
            *(fetch(group[0], ids, wants) for group, (ids, wants) in groups)
        )
        return {group: result for (group, _), result in zip(groups, results, strict=True)}


def _pick(
    found: Mapping[str, ContactRecord] | BaseException, native_id: str, *, allow_missing: bool
) -> ContactRecord | BaseException | None:
    if isinstance(found, BaseException):
        return found
    record = found.get(native_id)
    if record is None and not allow_missing:
        return NotFound(f"contact {native_id} is gone")
    return record
