"""Query root: node/contact by global id, the contacts connection, me, providers."""

from __future__ import annotations

import asyncio

import strawberry

from providers.base import SupportsMyContact
from providers.errors import ProviderError
from providers.model import ContactQuery, ContactRecord, ProviderName, ReadWants
from providers.registry import ProviderEntry, ProviderNotConfigured
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, bad_input, not_configured, provider_error
from resolvers.paging import check_first, decode_cursor, encode_cursor
from resolvers.planning import child_selections, contact_fields, plan_wants
from resolvers.provider_info import provider_info
from schema.connection import ContactConnection, ContactEdge, PageInfo
from schema.contact import Contact, Node
from schema.convert import contact_object
from schema.ids import InvalidGlobalId, decode_global_id
from schema.inputs import ContactFilterInput, ContactOrderInput
from schema.providers_info import ProviderInfo
from schema.spark import SparkContact

Info = strawberry.Info[GatewayContext, None]
MAX_NODES = 100


def entry_for(info: Info, name: ProviderName) -> ProviderEntry:
    try:
        return info.context.providers.get(name)
    except ProviderNotConfigured as exc:
        raise not_configured(exc) from exc


def wants_here(info: Info, *path: str) -> ReadWants:
    """What the query selects on the contact(s) at `path` below this field."""
    top = [s for f in info.selected_fields for s in f.selections]
    return plan_wants(contact_fields(child_selections(top, path)))


async def load_contact(info: Info, global_id: str) -> Contact | None:
    try:
        name, native_id = decode_global_id(global_id)
    except InvalidGlobalId as exc:
        raise GatewayError(str(exc), "INVALID_ID", argument="id") from exc
    entry_for(info, name)
    try:
        record = await info.context.loaders.record(name, native_id, wants_here(info))
    except ProviderError as exc:
        raise provider_error(exc) from exc
    return contact_object(record) if record else None


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id; null if it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_contact(info, id)

    @strawberry.field(description="Objects by global ids (at most 100), in the same order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", argument="ids")
        return list(await asyncio.gather(*(load_contact(info, i) for i in ids)))

    @strawberry.field(description="A contact by its global id; null if it does not exist.")
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        return await load_contact(info, id)

    @strawberry.field(
        description="A page of contacts of one provider. `first` is 0 to 100; pass a previous "
        "page's `pageInfo.endCursor` as `after`. Default order: updatedAt descending, then id."
    )
    async def contacts(
        self,
        info: Info,
        provider: ProviderName | None = None,
        filter: ContactFilterInput | None = None,
        order_by: list[ContactOrderInput] | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ContactConnection | None:
        check_first(first)
        name = provider or _only_provider(info)
        entry = entry_for(info, name)
        offset = decode_cursor(after).get(name, 0) if after else 0
        query = ContactQuery(
            filter=filter.to_model() if filter else ContactQuery().filter,
            order=tuple(o.to_model() for o in order_by or ()),
            offset=offset,
            limit=first,
        )
        wants = _merge(wants_here(info, "edges", "node"), wants_here(info, "nodes"))
        try:
            page = await entry.call(entry.provider.search(query, wants))
        except ProviderError as exc:
            raise provider_error(exc) from exc
        return _connection(name, page.records, offset, page.total)

    @strawberry.field(description="The Spark user's own contact (Spark /my/contact).")
    async def me(self, info: Info) -> SparkContact | None:
        entry = entry_for(info, ProviderName.SPARK)
        provider = entry.provider
        if not isinstance(provider, SupportsMyContact):
            raise GatewayError("this provider has no current-user contact", "UNSUPPORTED")
        try:
            record = await entry.call(provider.get_me(wants_here(info)))
        except ProviderError as exc:
            raise provider_error(exc) from exc
        return SparkContact.from_record(record)

    @strawberry.field(description="The configured providers: capabilities and health.")
    def providers(self, info: Info) -> list[ProviderInfo]:
        return [provider_info(entry) for entry in info.context.providers]


def _only_provider(info: Info) -> ProviderName:
    names = info.context.providers.names()
    if len(names) == 1:
        return names[0]
    raise bad_input(
        "name a `provider`: listing across providers is not available yet", argument="provider"
    )


def _merge(a: ReadWants, b: ReadWants) -> ReadWants:
    fields = None if a.fields is None or b.fields is None else a.fields | b.fields
    return ReadWants(a.expansions | b.expansions, fields)


def _connection(
    name: ProviderName, records: tuple[ContactRecord, ...], offset: int, total: int | None
) -> ContactConnection:
    edges = [
        ContactEdge(cursor=encode_cursor({name: offset + i + 1}), node=contact_object(r))
        for i, r in enumerate(records)
    ]
    end = offset + len(records)
    has_next = total is not None and end < total
    return ContactConnection(
        edges=edges,
        nodes=[e.node for e in edges],
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else (encode_cursor({name: offset})),
        ),
        total_count=total,
    )
