"""What schema types may ask of the request context: an interface, not the I/O itself.

The resolvers package implements it with DataLoaders; keeping only the Protocol
here keeps `schema/` free of I/O and of imports from `resolvers/`.
"""

from __future__ import annotations

from typing import Protocol

from providers.model import ContactRecord


class ExpansionSource(Protocol):
    async def expanded(self, record: ContactRecord, expansion: str) -> ContactRecord:
        """The record with this expansion loaded (batched with the other records of the tick)."""
        ...


class SchemaContext(Protocol):
    @property
    def expansions(self) -> ExpansionSource: ...
