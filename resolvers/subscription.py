"""Subscription root: `contactChanged`, live over graphql-transport-ws or SSE.

A subscription names what it follows (one provider, some ids, or everything its
tenant has) and receives one event per change: writes through any gateway process
(the change bus) and changes made elsewhere (found by polling the provider). Every
check a read has applies before the stream starts (ids, provider configured, role),
and so does the per-client bound; a refusal is an `error` with `extensions.code`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Final

import strawberry

from providers.base import Operation
from providers.model import ProviderName
from resolvers.changes import ChangeKind
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, bad_input
from resolvers.live import ChangeListener, ChangeSource, LiveChange, SubscriptionContext, Watch
from resolvers.query import entry_for, load_contact
from schema.contact import Contact
from schema.ids import InvalidGlobalId, decode_global_id, encode_global_id

Info = strawberry.Info[GatewayContext, None]
MAX_IDS: Final = 100

strawberry.enum(
    ChangeKind,
    name="ContactChangeKind",
    description="What happened to the contact: CREATED, UPDATED or DELETED.",
)
strawberry.enum(
    ChangeSource,
    name="ContactChangeSource",
    description="How the gateway learned of it: WRITE (a mutation through any gateway "
    "process) or POLL (the provider, changed elsewhere).",
)


@strawberry.type(description="One change to a contact a subscription follows.")
class ContactChangedEvent:
    kind: ChangeKind = strawberry.field(description="CREATED, UPDATED or DELETED.")
    provider: ProviderName = strawberry.field(description="Where the contact lives.")
    id: strawberry.ID = strawberry.field(description="The contact's global id.")
    native_id: str = strawberry.field(description="The provider's own id of the contact.")
    at: datetime = strawberry.field(
        description="When the gateway saw the change (the write succeeding, or a poll)."
    )
    source: ChangeSource = strawberry.field(description="WRITE or POLL.")

    @strawberry.field(
        description="The contact as it is now, read when the event is sent (as `contact(id:)` "
        "would); null for DELETED, or when it can no longer be read."
    )
    async def contact(self, info: Info) -> Contact | None:
        if self.kind is ChangeKind.DELETED:
            return None
        return await load_contact(info, self.id)

    @classmethod
    def of(cls, change: LiveChange) -> ContactChangedEvent:
        return cls(
            kind=change.kind,
            provider=change.provider,
            id=strawberry.ID(encode_global_id(change.provider, change.native_id)),
            native_id=change.native_id,
            at=datetime.fromtimestamp(change.at, UTC),
            source=change.source,
        )


class EventStream:
    """The source stream of one subscription: each change becomes an event, read with
    fresh DataLoaders. Closing it (the client completes, disconnects, or the stream is
    cut off) stops the listener."""

    def __init__(self, context: SubscriptionContext, listener: ChangeListener) -> None:
        self._context = context
        self._listener = listener

    def __aiter__(self) -> AsyncIterator[ContactChangedEvent]:
        return self

    async def __anext__(self) -> ContactChangedEvent:
        change = await self._listener.next()
        if change is None:
            raise StopAsyncIteration
        self._context.fresh()
        return ContactChangedEvent.of(change)

    async def aclose(self) -> None:
        self._listener.close()
        self._context.listeners.discard(self._listener)


def _live(info: Info) -> SubscriptionContext:
    context = info.context
    if not isinstance(context, SubscriptionContext) or context.feed is None:
        raise GatewayError(
            "subscriptions run over a WebSocket (graphql-transport-ws) or text/event-stream "
            "on /graphql",
            "SUBSCRIPTIONS_UNAVAILABLE",
        )
    return context


def _decoded(ids: Sequence[strawberry.ID]) -> dict[ProviderName, set[str]]:
    if len(ids) > MAX_IDS:
        raise bad_input(f"at most {MAX_IDS} ids", argument="ids")
    by_provider: dict[ProviderName, set[str]] = defaultdict(set)
    for global_id in ids:
        try:
            name, native_id = decode_global_id(global_id)
        except InvalidGlobalId as exc:
            raise GatewayError(str(exc), "INVALID_ID", argument="ids") from exc
        by_provider[name].add(native_id)
    return by_provider


def _watches(
    info: Info, provider: ProviderName | None, ids: Sequence[strawberry.ID] | None
) -> list[Watch]:
    """What to follow, once the caller may read it there (FORBIDDEN, PROVIDER_NOT_CONFIGURED
    and bad ids refused before anything starts)."""
    if ids is not None:
        by_provider = _decoded(ids)
        if not by_provider:
            raise bad_input("give at least one id, or leave `ids` out", argument="ids")
        if provider is not None and set(by_provider) != {provider}:
            raise bad_input(f"every id must be a {provider.value} contact", argument="ids")
        return [
            Watch(entry_for(info, name, Operation.READ), frozenset(native))
            for name, native in by_provider.items()
        ]
    if provider is not None:
        return [Watch(entry_for(info, provider, Operation.READ))]
    return [Watch(entry_for(info, e.provider.name, Operation.READ)) for e in info.context.providers]


ProviderArg = Annotated[
    ProviderName | None,
    strawberry.argument(description="Only this provider's contacts (default: every provider)."),
]
IdsArg = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(description="Only these contacts (at most 100 global ids)."),
]


@strawberry.type(description="Live updates: one event per change, as it happens.")
class Subscription:
    @strawberry.subscription(
        description="Contacts created, updated or deleted: through any gateway process at "
        "once, and elsewhere (at the provider) when the next poll finds them. Each change "
        "arrives once per subscription. Over a WebSocket (graphql-transport-ws) or "
        "text/event-stream on /graphql."
    )
    async def contact_changed(
        self, info: Info, provider: ProviderArg = None, ids: IdsArg = None
    ) -> AsyncIterator[ContactChangedEvent]:
        context = _live(info)
        watches = _watches(info, provider, ids)
        assert context.feed is not None
        listener = context.feed.listen(context.tenant, context.client, watches)
        context.listeners.add(listener)
        return EventStream(context, listener)
