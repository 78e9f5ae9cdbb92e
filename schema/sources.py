"""What schema types may ask of the request context: an interface, not the I/O itself.

The resolvers package implements it with DataLoaders; keeping only the Protocol
here keeps `schema/` free of I/O and of imports from `resolvers/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from providers.model import ContactRecord


class ExpansionSource(Protocol):
    async def expanded(self, record: ContactRecord, expansion: str) -> ContactRecord:
        """The record with this expansion loaded (batched with the other records of the tick)."""
        ...


class IdentityMatch(Protocol):
    @property
    def record(self) -> ContactRecord: ...

    @property
    def score(self) -> float: ...

    @property
    def matched_on(self) -> tuple[str, ...]: ...


class IdentitySource(Protocol):
    async def matches(self, record: ContactRecord) -> Sequence[IdentityMatch]:
        """Contacts of other providers that are the same person (batched per tick)."""
        ...


class SchemaContext(Protocol):
    @property
    def expansions(self) -> ExpansionSource: ...

    @property
    def identities(self) -> IdentitySource: ...
