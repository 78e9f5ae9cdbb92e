"""What the resolvers need from a read cache, and how fresh a request wants its data.

The concrete cache (SQLite today, Redis later) lives in `gateway/`; resolvers see
only this interface, so an in-memory cache can stand in for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, Protocol, TypeVar

import strawberry

from providers.model import ContactPage, ContactRecord

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Cached(Generic[V]):
    value: V
    stored_at: float
    """Unix time the value was fetched from the provider."""


@dataclass(frozen=True, slots=True)
class Ttl:
    """Seconds a provider's records and lists stay fresh, and how long a stale copy may
    stand in when the provider fails (RFC 5861 stale-if-error)."""

    records: float = 120.0
    lists: float = 60.0
    stale_if_error: float = 24 * 3600.0


class RecordCache(Protocol):
    async def get_records(self, key: str) -> Cached[list[ContactRecord]] | None: ...

    async def put_records(
        self,
        key: str,
        scope: str,
        native_id: str,
        records: list[ContactRecord],
        stored_at: float,
        keep_for: float,
    ) -> None: ...

    async def get_many_records(self, keys: list[str]) -> dict[str, Cached[list[ContactRecord]]]:
        """The entries of these keys that exist (one lookup for a whole batch)."""
        ...

    async def put_many_records(
        self,
        scope: str,
        items: list[tuple[str, str, list[ContactRecord]]],
        stored_at: float,
        keep_for: float,
    ) -> None:
        """Store (key, native id, records) entries in one write."""
        ...

    async def get_page(self, key: str) -> Cached[ContactPage] | None: ...

    async def put_page(
        self, key: str, scope: str, page: ContactPage, stored_at: float, keep_for: float
    ) -> None: ...

    async def invalidate(self, scope: str, native_id: str | None) -> None:
        """Forget the record (any variant) and every list of this scope, before returning."""
        ...

    async def settled(self) -> None:
        """Return once the writes started behind requests before this call are stored."""
        ...

    async def aclose(self) -> None:
        """Store every write still behind and let go of what the cache holds (before the
        store's connection closes; the connection itself is the storage's)."""
        ...

    async def stored_at_of(self, keys: list[str]) -> dict[str, float]:
        """When each of these entries that still exists was stored (one cheap lookup, no
        values): a response built from them is still true while these are unchanged."""
        ...


@strawberry.enum(description="How fresh the data of this field must be.")
class CachePolicy(Enum):
    CACHE_OK = "CACHE_OK"
    """A cached copy younger than the provider's TTL (or `maxAge`) is fine (default)."""
    FRESH_ONLY = "FRESH_ONLY"
    """Ask the provider; never serve from the cache (the answer still refreshes it)."""


@strawberry.input(
    description="Per-field cache choice. Stale copies are only ever served "
    "when the provider fails, and are then flagged in `freshness`."
)
class CacheControl:
    policy: CachePolicy = strawberry.field(
        default=CachePolicy.CACHE_OK, description="CACHE_OK (default) or FRESH_ONLY."
    )
    max_age: int | None = strawberry.field(
        default=None, description="Seconds; a cached copy older than this is not used."
    )


@dataclass(frozen=True, slots=True)
class ReadFreshness:
    """The per-request choice, resolved: use cache at all, and the oldest age accepted."""

    use_cache: bool = True
    max_age: float | None = None

    @classmethod
    def of(cls, control: CacheControl | None) -> ReadFreshness:
        if control is None:
            return cls()
        if control.policy is CachePolicy.FRESH_ONLY:
            return cls(use_cache=False)
        return cls(True, float(control.max_age) if control.max_age is not None else None)
