"""Query root: node/contact by global id, the contacts connection, me, providers."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from graphql import GraphQLError

from providers.base import Operation, SupportsExternalId, SupportsMyContact
from providers.errors import ProviderError
from providers.model import ContactQuery, ProviderName, ReadWants
from providers.registry import ProviderEntry, ProviderNotConfigured
from resolvers.access import operation_of, require
from resolvers.cache_policy import CacheControl, ReadFreshness
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, bad_input, not_configured, provider_error
from resolvers.fanout import MergedPage, fetch_merged
from resolvers.paging import Position, check_first, decode_cursor, encode_cursor
from resolvers.planning import child_selections, contact_fields, plan_wants
from resolvers.provider_info import provider_info
from schema.connection import ContactConnection, ContactEdge, PageInfo
from schema.contact import Contact, Node
from schema.convert import contact_object
from schema.ids import InvalidGlobalId, decode_global_id
from schema.inputs import ContactFilterInput, ContactOrderInput
from schema.is24 import RealtorContact
from schema.providers_info import ProviderInfo
from schema.spark import SparkContact

Info = strawberry.Info[GatewayContext, None]
MAX_NODES = 100
CacheArg = Annotated[
    CacheControl | None,
    strawberry.argument(description="How fresh the answer must be (default: cache ok)."),
]


def entry_for(info: Info, name: ProviderName, operation: Operation | None = None) -> ProviderEntry:
    """The caller's tenant's provider `name`, once the caller's role may do `operation` there.

    Without `operation`, the one the root field being resolved performs (deny by default:
    resolvers/access.py); refused → FORBIDDEN before any provider call.
    """
    wanted = operation if operation is not None else operation_of(info.field_name)
    require(info.context.role, wanted, name)
    try:
        return info.context.providers.get(name)
    except ProviderNotConfigured as exc:
        raise not_configured(exc) from exc


def all_entries(info: Info, operation: Operation) -> list[ProviderEntry]:
    """Every provider of the caller's tenant (merged lists), role-checked like `entry_for`."""
    entries = list(info.context.providers)
    for entry in entries:
        require(info.context.role, operation, entry.provider.name)
    return entries


def wants_here(info: Info, *path: str) -> ReadWants:
    """What the query selects on the contact(s) at `path` below this field."""
    top = [s for f in info.selected_fields for s in f.selections]
    return plan_wants(contact_fields(child_selections(top, path)))


async def load_contact(
    info: Info, global_id: str, cache: CacheControl | None = None
) -> Contact | None:
    try:
        name, native_id = decode_global_id(global_id)
    except InvalidGlobalId as exc:
        raise GatewayError(str(exc), "INVALID_ID", argument="id") from exc
    entry_for(info, name, Operation.READ)
    freshness = ReadFreshness.of(cache)
    try:
        record = await info.context.loaders.record(name, native_id, wants_here(info), freshness)
    except ProviderError as exc:
        raise provider_error(exc) from exc
    return contact_object(record) if record else None


IdArg = Annotated[strawberry.ID, strawberry.argument(description="A global id from this API.")]


@strawberry.type(description="Reads: contacts by id, lists across providers, the providers.")
class Query:
    @strawberry.field(description="Any object by its global id; null if it does not exist.")
    async def node(self, info: Info, id: IdArg, cache: CacheArg = None) -> Node | None:
        return await load_contact(info, id, cache)

    @strawberry.field(
        description="Objects by global ids (at most 100), in the same order. Ids of one "
        "provider are read in one batch where the provider has a batch read."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="At most 100 global ids.")
        ],
        cache: CacheArg = None,
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", argument="ids")
        # One awaitable per id: graphql-core awaits them together (one loader tick, so one
        # batch per provider) and an id that fails is null with its own error at
        # ["nodes", i] while the others still return.
        loads = [load_contact(info, i, cache) for i in ids]
        return cast("list[Node | None]", loads)

    @strawberry.field(description="A contact by its global id; null if it does not exist.")
    async def contact(self, info: Info, id: IdArg, cache: CacheArg = None) -> Contact | None:
        return await load_contact(info, id, cache)

    @strawberry.field(
        description="A page of contacts from one provider, or from every configured provider "
        "merged into one list when `provider` is omitted. `first` is 0 to 100; pass "
        "`pageInfo.endCursor` as `after`. Default order: updatedAt descending, then id. If a "
        "provider fails, the others' contacts still come back with an error naming it."
    )
    async def contacts(
        self,
        info: Info,
        provider: Annotated[
            ProviderName | None,
            strawberry.argument(description="One provider; omit to merge all configured ones."),
        ] = None,
        filter: Annotated[
            ContactFilterInput | None,
            strawberry.argument(description="Narrow the list; every given field must match."),
        ] = None,
        order_by: Annotated[
            list[ContactOrderInput] | None,
            strawberry.argument(description="Sort keys; default updatedAt descending, then id."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="A cursor (pageInfo.endCursor).")
        ] = None,
        cache: CacheArg = None,
    ) -> ContactConnection | None:
        check_first(first)
        entries = (
            [entry_for(info, provider, Operation.LIST)]
            if provider
            else all_entries(info, Operation.LIST)
        )
        positions = decode_cursor(after) if after else {}
        query = ContactQuery(
            filter=filter.to_model() if filter else ContactQuery().filter,
            order=tuple(o.to_model() for o in order_by or ()),
            limit=first,
        )
        wants = _merge(wants_here(info, "edges", "node"), wants_here(info, "nodes"))
        page = await fetch_merged(
            info.context.reads, entries, query, positions, wants, ReadFreshness.of(cache)
        )
        if page.failures and not (len(page.failures) < len(entries)):
            raise provider_error(next(iter(page.failures.values())))
        _report_partial(info, page)
        return _connection(page, positions, entries, with_cursors=_selects(info, "edges"))

    @strawberry.field(description="The Spark user's own contact (Spark /my/contact).")
    async def me(self, info: Info) -> SparkContact | None:
        entry = entry_for(info, ProviderName.SPARK, Operation.READ_ME)
        provider = entry.provider
        if not isinstance(provider, SupportsMyContact):
            raise GatewayError("this provider has no current-user contact", "UNSUPPORTED")
        try:
            record = await entry.read(lambda: provider.get_me(wants_here(info)))
        except ProviderError as exc:
            raise provider_error(exc) from exc
        return SparkContact.from_record(record)

    @strawberry.field(
        description="An IS24 realtor contact by the realtor's own external id (IS24 reads it "
        "as `ext-{externalId}`; any characters, '/' included); null if there is none."
    )
    async def realtor_contact_by_external_id(
        self,
        info: Info,
        external_id: Annotated[
            str, strawberry.argument(description="The realtor's own id, exactly as stored.")
        ],
    ) -> RealtorContact | None:
        entry = entry_for(info, ProviderName.IS24, Operation.READ)
        provider = entry.provider
        if not isinstance(provider, SupportsExternalId):
            raise GatewayError("this provider cannot read by external id", "UNSUPPORTED")
        try:
            record = await entry.read(lambda: provider.get_by_external_id(external_id))
        except ProviderError as exc:
            raise provider_error(exc) from exc
        return RealtorContact.from_record(record) if record else None

    @strawberry.field(description="The configured providers: capabilities and health.")
    def providers(self, info: Info) -> list[ProviderInfo]:
        return [provider_info(entry) for entry in info.context.providers]


def _report_partial(info: Info, page: MergedPage) -> None:
    for exc in page.failures.values():
        error = provider_error(exc)
        info.context.partial_errors.append(
            GraphQLError(error.message, path=info.path.as_list(), extensions=error.extensions)
        )


def _merge(a: ReadWants, b: ReadWants) -> ReadWants:
    fields = None if a.fields is None or b.fields is None else a.fields | b.fields
    return ReadWants(a.expansions | b.expansions, fields)


def _selects(info: Info, name: str) -> bool:
    """Whether the query selects `name` on this field's result (fragments included)."""
    return bool(child_selections([s for f in info.selected_fields for s in f.selections], (name,)))


def _connection(
    page: MergedPage,
    start: dict[ProviderName, Position],
    entries: list[ProviderEntry],
    *,
    with_cursors: bool = True,
) -> ContactConnection:
    """The connection of a merged page; each edge's cursor is encoded only when `edges` is
    selected (a cursor costs a JSON encoding; `nodes` needs none, `pageInfo` two)."""
    base = {e.provider.name: start.get(e.provider.name, Position(0)) for e in entries}
    nodes = [contact_object(edge.record) for edge in page.edges]
    edges = (
        [
            ContactEdge(cursor=encode_cursor(edge.positions), node=node)
            for edge, node in zip(page.edges, nodes, strict=True)
        ]
        if with_cursors
        else []
    )
    return ContactConnection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=any(p.offset for p in base.values()),
            start_cursor=encode_cursor(page.edges[0].positions) if page.edges else None,
            end_cursor=encode_cursor(page.edges[-1].positions if page.edges else base),
        ),
        total_count=page.total,
    )
