"""What a live subscription needs from the gateway: a feed of one caller's contact changes.

The gateway implements the feed (gateway/live/): writes heard on the change bus and
changes found by polling the providers, routed by tenant and credential scope into
each subscriber's bounded queue. The resolver (resolvers/subscription.py) only says
what to watch and turns each change into an event.

A subscription outlives any request, so its context gets fresh reads and DataLoaders
for every event (`SubscriptionContext.fresh`): a contact is never answered from what
an earlier event loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from providers.model import ProviderName
from providers.registry import ProviderEntry
from resolvers.changes import ChangeKind
from resolvers.context import GatewayContext
from resolvers.identity import IdentityMatcher
from resolvers.loaders import ContactLoaders
from resolvers.read_through import CachedReads


class ChangeSource(StrEnum):
    """How the gateway learned of a change."""

    WRITE = "WRITE"
    POLL = "POLL"


@dataclass(frozen=True, slots=True)
class LiveChange:
    """One change as a subscriber receives it (ids only; the contact is read per event)."""

    provider: ProviderName
    native_id: str
    kind: ChangeKind
    at: float
    """Unix time the gateway saw it: the write succeeding, or the poll finding it."""
    source: ChangeSource


@dataclass(frozen=True, slots=True)
class Watch:
    """One provider a subscription follows: every contact, or only `ids`."""

    entry: ProviderEntry
    ids: frozenset[str] | None = None

    def wants(self, native_id: str) -> bool:
        return self.ids is None or native_id in self.ids


class ChangeListener(Protocol):
    async def next(self) -> LiveChange | None:
        """The next change; None once closed. Raises SUBSCRIBER_TOO_SLOW after an overflow."""
        ...

    def close(self) -> None:
        """Stop listening (idempotent): the feed forgets it, pollers may stop."""
        ...


class ChangeFeed(Protocol):
    def listen(self, tenant: str, client: str, watches: Sequence[Watch]) -> ChangeListener:
        """Start following `watches` for `client` of `tenant`; TOO_MANY_SUBSCRIPTIONS when
        the client already holds its share."""
        ...


@dataclass(slots=True)
class SubscriptionContext(GatewayContext):
    """The context of a WebSocket connection or an SSE stream."""

    feed: ChangeFeed | None = None
    client: str = ""
    """Whose share of subscriptions this is (the principal's client id)."""
    new_reads: Callable[[], CachedReads] | None = None
    listeners: set[ChangeListener] = field(default_factory=set)
    """Open subscriptions, closed together when the connection ends or is cut off."""

    def fresh(self) -> None:
        """A new event: new cached reads and DataLoaders (nothing kept from earlier events)."""
        self.reads = self.new_reads() if self.new_reads is not None else CachedReads(None, {})
        self.loaders = ContactLoaders(self.providers, self.reads)
        self.identities = IdentityMatcher(self.providers, self.reads)
        self.partial_errors = []

    def close_all(self) -> None:
        for listener in list(self.listeners):
            listener.close()
        self.listeners.clear()
