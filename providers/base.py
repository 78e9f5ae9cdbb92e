"""The provider contract: the one narrow seam between the gateway and a provider's API.

Policy (caching, batching across resolvers, limits) lives above this seam; HTTP,
auth signing and wire formats live below it. Every method takes and returns the
unified model (`providers.model`) and raises only `providers.errors` types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from providers.errors import (
    DuplicateContact,
    FieldIssue,
    Forbidden,
    IssueCode,
    NotFound,
    ProviderAuthFailed,
    ProviderError,
    ProviderProtocolError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    RejectedError,
    RetriableError,
    Unsupported,
    ValidationFailed,
)
from providers.model import (
    ContactInput,
    ContactPage,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
    SortField,
)

__all__ = [
    "Capabilities",
    "ContactProvider",
    "DuplicateContact",
    "FieldIssue",
    "Forbidden",
    "IssueCode",
    "NotFound",
    "Operation",
    "ProviderAuthFailed",
    "ProviderError",
    "ProviderProtocolError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "RejectedError",
    "RetriableError",
    "SupportsExternalId",
    "SupportsMyContact",
    "SupportsTransfer",
    "Unsupported",
    "ValidationFailed",
]


class Operation(StrEnum):
    """Operations a provider may offer; `Capabilities.operations` lists the offered ones."""

    READ = "READ"
    LIST = "LIST"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    TRANSFER = "TRANSFER"
    READ_ME = "READ_ME"
    UPDATE_ME = "UPDATE_ME"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a provider (with the configured credential) supports.

    Field names are unified snake_case names (`providers.model.ContactRecord`
    and the provider's extras). The schema's `providers` query reports these,
    and the gateway uses them to decide what it can push down.
    """

    operations: frozenset[Operation]
    readable_fields: frozenset[str]
    writable_fields: frozenset[str]
    filterable_fields: frozenset[str]
    sortable_fields: frozenset[SortField]
    expansions: frozenset[str] = frozenset()
    max_page_size: int = 100
    batch_read: bool = False
    notes: Mapping[str, str] = field(default_factory=dict)


class ContactProvider(Protocol):
    """What every provider adapter implements."""

    @property
    def name(self) -> ProviderName: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def get_many(
        self, native_ids: Sequence[str], wants: ReadWants
    ) -> Mapping[str, ContactRecord]:
        """The contacts with these ids; ids that do not exist are absent from the result."""
        ...

    async def search(self, query: ContactQuery, wants: ReadWants) -> ContactPage:
        """One page of contacts matching the query, in the query's order."""
        ...

    async def create(self, data: ContactInput) -> ContactRecord:
        """Validate locally, create upstream, and return the stored contact."""
        ...

    async def update(self, native_id: str, changes: ContactInput) -> ContactRecord:
        """Validate locally, apply the set fields upstream, and return the stored contact."""
        ...

    async def delete(self, native_id: str) -> str | None:
        """Delete the contact; NotFound when it does not exist. Returns the provider's
        transaction id of the delete (AutoDNS `stid`) where it has one, else None."""
        ...

    async def aclose(self) -> None:
        """Release HTTP sessions and connections."""
        ...


@runtime_checkable
class SupportsTransfer(Protocol):
    """Providers whose contacts can be handed to another owner (Spark)."""

    async def transfer(self, native_id: str, owner_id: str) -> ContactRecord: ...


@runtime_checkable
class SupportsMyContact(Protocol):
    """Providers with a 'contact of the current user' resource (Spark `/my/contact`)."""

    async def get_me(self, wants: ReadWants) -> ContactRecord: ...

    async def update_me(self, changes: ContactInput) -> ContactRecord: ...


@runtime_checkable
class SupportsExternalId(Protocol):
    """Providers that read a contact by the customer's own id for it (IS24 `ext-…`)."""

    async def get_by_external_id(self, external_id: str) -> ContactRecord | None: ...
