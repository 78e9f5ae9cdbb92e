"""The schema as an Apollo Federation v2 subgraph: each contact type is an entity keyed by `id`.

Off by default (`settings.federation`), so the public SDL carries no federation
directives. The entity types below are the public contact types declared again under
the same names with `@key(fields: "id")`. Only `SubgraphSchema` registers them, ahead of
the public ones; the resolvers keep returning the public classes, which `is_type_of` /
`resolve_type` map to the entity types by name.

`_entities` is resolved in resolvers/entities.py, batched through the request's
DataLoaders, rather than by per-type `resolve_reference` hooks: strawberry's own
resolver fails the whole field on one representation without a known `__typename`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition

from resolvers.entities import INTERFACE, Info, resolve_entities
from schema.autodns import DomainContact
from schema.contact import Contact
from schema.is24 import RealtorContact
from schema.spark import SparkContact
from schema.type_resolution import resolved_by_class

FEDERATION_VERSION: Final = "2.3"
"""The lowest version with `@key` on an interface (entity interfaces): older routers
compose it too."""
KEY: Final = "id"
ResolveInfo = GraphQLResolveInfo[Any]


def _description(public: type) -> str | None:
    return get_object_definition(public, strict=True).description


@strawberry.federation.interface(keys=[KEY], name=INTERFACE, description=_description(Contact))
class ContactEntity(Contact):
    @classmethod
    @resolved_by_class
    def resolve_type(cls, obj: Any, info: ResolveInfo, _: GraphQLAbstractType) -> str:
        """The concrete type by its name (the resolvers return the public classes)."""
        return get_object_definition(obj, strict=True).name


@strawberry.federation.type(keys=[KEY], name="SparkContact", description=_description(SparkContact))
class SparkEntity(SparkContact):
    @classmethod
    def is_type_of(cls, obj: Any, info: ResolveInfo) -> bool:
        return isinstance(obj, SparkContact)


@strawberry.federation.type(
    keys=[KEY], name="RealtorContact", description=_description(RealtorContact)
)
class RealtorEntity(RealtorContact):
    @classmethod
    def is_type_of(cls, obj: Any, info: ResolveInfo) -> bool:
        return isinstance(obj, RealtorContact)


@strawberry.federation.type(
    keys=[KEY], name="DomainContact", description=_description(DomainContact)
)
class DomainEntity(DomainContact):
    @classmethod
    def is_type_of(cls, obj: Any, info: ResolveInfo) -> bool:
        return isinstance(obj, DomainContact)


def _not_implementing_itself(entity: type, public: type) -> None:
    """The entity interface subclasses the public one for its fields only: it replaces
    it, so it must not also implement it (two interfaces named Contact)."""
    definition = get_object_definition(entity, strict=True)
    definition.interfaces = [i for i in definition.interfaces if i.origin is not public]


_not_implementing_itself(ContactEntity, Contact)

ENTITY_TYPES: Final[list[type]] = [ContactEntity, SparkEntity, RealtorEntity, DomainEntity]


class SubgraphSchema(strawberry.federation.Schema):
    """strawberry's federation schema with the contact types as entities.

    The entity types are registered first, so where the public types are met later
    (as field types of Query, ContactMatch, the payloads) the entity types of the same
    name stand in. That needs strawberry's same-name check off for this schema; the
    public schema keeps it on, and `_check_entities` proves the substitution held.
    """

    def __init__(self, *, types: list[type], config: StrawberryConfig | None = None, **kw: Any):
        config = dataclasses.replace(
            config or StrawberryConfig(), _unsafe_disable_same_type_validation=True
        )
        super().__init__(
            types=[*ENTITY_TYPES, *types],
            config=config,
            federation_version=FEDERATION_VERSION,
            **kw,
        )
        self._check_entities()

    async def entities_resolver(  # type: ignore[override]  # async: batched per provider
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """`_entities`: each representation resolved, all of one provider in one batch."""
        return [FederationAny(r) for r in await resolve_entities(info, representations)]

    def _check_entities(self) -> None:
        for entity in ENTITY_TYPES:
            name = get_object_definition(entity, strict=True).name
            served = self.schema_converter.type_map[name].definition
            if not isinstance(served, StrawberryObjectDefinition) or served.origin is not entity:
                raise TypeError(f"the subgraph serves the public {name}, not its entity type")
