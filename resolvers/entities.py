"""Federation `_entities`: a router's representations back to contacts, batched per provider.

A representation is `{"__typename": <entity type>, "id": <global id>}`. Each one is
read through the request's DataLoaders (resolvers/query.load_contact), so every
representation of one provider in one `_entities` call is one batched upstream read
(Spark: one request per 25 ids). A representation that cannot be resolved is a null
entity with a typed error at its index; the others still resolve:

- not an object, no `__typename` / `id` string, an unknown type  -> BAD_USER_INPUT
- an id this gateway did not issue, or of another provider's type -> INVALID_ID
- an id the provider does not have                                -> NOT_FOUND
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Final

import strawberry

from providers.model import ProviderName
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, bad_input
from resolvers.query import load_contact
from schema.contact import Contact
from schema.ids import InvalidGlobalId, decode_global_id

Info = strawberry.Info[GatewayContext, None]

INTERFACE: Final = "Contact"
ENTITY_PROVIDERS: Final[Mapping[str, ProviderName | None]] = {
    INTERFACE: None,  # an entity interface: any provider's contact
    "SparkContact": ProviderName.SPARK,
    "RealtorContact": ProviderName.IS24,
    "DomainContact": ProviderName.AUTODNS,
}
"""The entity types by name, and the provider whose ids each one accepts."""


async def resolve_entities(info: Info, representations: Sequence[object]) -> list[object]:
    """One result per representation, in order: a contact, or the exception that explains
    its null (graphql-core reports an exception item as that index's error)."""
    results = await asyncio.gather(
        *(resolve_entity(info, r) for r in representations), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation (the request deadline) is not a per-entity error
    return list(results)


async def resolve_entity(info: Info, representation: object) -> Contact:
    typename, global_id = _parse(representation)
    return await resolve_reference(info, typename, global_id)


async def resolve_reference(info: Info, typename: str, global_id: str) -> Contact:
    """The contact `global_id` names, as an entity of type `typename`."""
    _check_provider(typename, global_id)
    contact = await load_contact(info, global_id)
    if contact is None:
        raise GatewayError(f"no {typename} with this id", "NOT_FOUND")
    return contact


def _parse(representation: object) -> tuple[str, str]:
    if not isinstance(representation, dict):
        raise bad_input("a representation is an object", argument="representations")
    typename, global_id = representation.get("__typename"), representation.get("id")
    if not isinstance(typename, str) or typename not in ENTITY_PROVIDERS:
        raise bad_input(
            f"__typename must be one of {', '.join(ENTITY_PROVIDERS)}",
            argument="representations",
        )
    if not isinstance(global_id, str):
        raise bad_input('a representation needs its key field "id"', argument="representations")
    return typename, global_id


def _check_provider(typename: str, global_id: str) -> None:
    try:
        provider, _ = decode_global_id(global_id)
    except InvalidGlobalId as exc:
        raise GatewayError(str(exc), "INVALID_ID", argument="representations") from exc
    expected = ENTITY_PROVIDERS[typename]
    if expected is not None and provider is not expected:
        raise GatewayError(
            f"the id is of a {provider.value} contact, not a {typename}",
            "INVALID_ID",
            argument="representations",
        )
