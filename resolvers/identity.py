"""Cross-provider identity: which contacts in other providers are the same person.

For every contact whose `sameAs` is selected in one tick, the loader asks each
other provider once per distinct normalised email and once per distinct family
name (through the read cache, a few at a time), then scores the candidates
locally: the same email counts most, then the same E.164 phone, then the same
given + family name at the same postal code or city. Nothing runs unless the
field is selected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from strawberry.dataloader import DataLoader

from providers.errors import ProviderError
from providers.model import ContactFilter, ContactQuery, ContactRecord, ReadWants
from providers.registry import ProviderEntry, ProviderSet
from resolvers.cache_policy import ReadFreshness
from resolvers.read_through import CachedReads

WEIGHTS: Final = {"email": 0.6, "phone": 0.3, "name_and_address": 0.3}
CANDIDATES_PER_QUERY: Final = 25
CONCURRENT_QUERIES: Final = 8


@dataclass(frozen=True, slots=True)
class Match:
    record: ContactRecord
    score: float
    matched_on: tuple[str, ...]


def _emails(record: ContactRecord) -> set[str]:
    return {e.address.strip().casefold() for e in record.emails if e.address.strip()}


def _phones(record: ContactRecord) -> set[str]:
    return {p.e164 for p in record.phones if p.e164}


def _name_and_places(record: ContactRecord) -> tuple[str, set[str]] | None:
    if not record.given_name or not record.family_name:
        return None
    name = f"{record.given_name.strip().casefold()} {record.family_name.strip().casefold()}"
    places = {a.postal_code.strip().casefold() for a in record.addresses if a.postal_code}
    places |= {a.locality.strip().casefold() for a in record.addresses if a.locality}
    return name, places


def score(subject: ContactRecord, candidate: ContactRecord) -> Match | None:
    """How surely `candidate` is the same person as `subject` (None: not at all)."""
    matched: list[str] = []
    if _emails(subject) & _emails(candidate):
        matched.append("email")
    if _phones(subject) & _phones(candidate):
        matched.append("phone")
    mine, theirs = _name_and_places(subject), _name_and_places(candidate)
    if mine and theirs and mine[0] == theirs[0] and mine[1] & theirs[1]:
        matched.append("name_and_address")
    if not matched:
        return None
    total = round(min(1.0, sum(WEIGHTS[m] for m in matched)), 2)
    return Match(candidate, total, tuple(matched))


def _queries(records: Iterable[ContactRecord]) -> set[ContactFilter]:
    filters: set[ContactFilter] = set()
    for record in records:
        filters |= {ContactFilter(email=e) for e in _emails(record) if "*" not in e}
        if record.family_name and "*" not in record.family_name:
            filters.add(ContactFilter(family_name=record.family_name.strip()))
    return filters


class IdentityMatcher:
    """The per-request `sameAs` loader."""

    def __init__(self, providers: ProviderSet, reads: CachedReads) -> None:
        self._providers = providers
        self._reads = reads
        self.loader: DataLoader[tuple[str, str], list[Match]] = DataLoader(
            load_fn=self._load, cache_key_fn=lambda key: key
        )
        self._records: dict[tuple[str, str], ContactRecord] = {}

    async def matches(self, record: ContactRecord) -> list[Match]:
        key = (record.provider.value, record.native_id)
        self._records[key] = record
        return await self.loader.load(key)

    async def _load(self, keys: Sequence[tuple[str, str]]) -> list[list[Match]]:
        subjects = [self._records[k] for k in keys]
        gate = asyncio.Semaphore(CONCURRENT_QUERIES)
        queries = _queries(subjects)
        searches = [
            self._search(entry, flt, gate)
            for entry in self._providers
            if any(s.provider is not entry.provider.name for s in subjects)
            for flt in queries
        ]
        candidates = {
            (r.provider, r.native_id): r for found in await asyncio.gather(*searches) for r in found
        }
        return [self._ranked(subject, candidates.values()) for subject in subjects]

    async def _search(
        self, entry: ProviderEntry, flt: ContactFilter, gate: asyncio.Semaphore
    ) -> list[ContactRecord]:
        query = ContactQuery(filter=flt, limit=CANDIDATES_PER_QUERY)
        async with gate:
            try:
                page = await self._reads.search(entry, query, ReadWants(), ReadFreshness())
            except ProviderError:
                return []  # a provider that cannot answer contributes no candidates
        return list(page.records)

    @staticmethod
    def _ranked(subject: ContactRecord, candidates: Iterable[ContactRecord]) -> list[Match]:
        found = [
            match
            for candidate in candidates
            if candidate.provider is not subject.provider
            and (match := score(subject, candidate)) is not None
        ]
        return sorted(found, key=lambda m: (-m.score, m.record.provider.value, m.record.native_id))
