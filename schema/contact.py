"""The unified contact shape: Node, the Contact interface and its value types."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.base import get_object_definition

import schema.enums  # noqa: F401  # registers the model enums with strawberry
from providers.model import (
    AddressKind,
    ContactRecord,
    EmailKind,
    PhoneKind,
    ProviderName,
    Salutation,
)
from schema.sources import SchemaContext
from schema.type_resolution import resolved_by_class


@strawberry.interface(description="An object with a globally unique, opaque id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id; pass it to `node`, `contact` or the mutations as is."
    )


@strawberry.type(description="An email address of a contact.")
class Email:
    address: str = strawberry.field(description="The address as the provider stores it.")
    kind: EmailKind = strawberry.field(description="PRIMARY or SECONDARY.")
    receives_notifications: bool = strawberry.field(
        description="True when the provider sends notifications to this address."
    )
    deliverable: bool = strawberry.field(
        description="False when the provider marked the address as bouncing (Spark InvalidEmails)."
    )


@strawberry.type(description="A phone number, as stored and normalised.")
class Phone:
    kind: PhoneKind = strawberry.field(description="What the number is for.")
    e164: str | None = strawberry.field(
        description="E.164 form (`+4930123456`) when the number parses; null otherwise."
    )
    country_code: str | None = strawberry.field(description="Country calling code with '+'.")
    area_code: str | None = strawberry.field(description="Area / network code, no leading 0.")
    subscriber: str | None = strawberry.field(description="The rest of the national number.")
    raw: str | None = strawberry.field(description="The number exactly as the provider holds it.")


@strawberry.type(description="A postal address.")
class Address:
    kind: AddressKind = strawberry.field(description="HOME, WORK or OTHER.")
    street_lines: list[str] = strawberry.field(description="Street lines, first line first.")
    house_number: str | None = strawberry.field(description="House number where kept apart.")
    postal_code: str | None = strawberry.field(description="Postal / ZIP code.")
    locality: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State, province or region.")
    country: str | None = strawberry.field(
        description="Country code as the provider keeps it (ISO 3166-1 alpha-2 or alpha-3)."
    )


@strawberry.enum(description="Where the gateway got a contact from.")
class ServedFrom(Enum):
    PROVIDER = "PROVIDER"
    CACHE = "CACHE"


@strawberry.type(description="How fresh this copy of the contact is.")
class Freshness:
    served_from: ServedFrom = strawberry.field(description="The provider now, or the cache.")
    fetched_at: datetime = strawberry.field(description="When the gateway read it upstream.")
    stale: bool = strawberry.field(
        description="True when the provider failed and an older cached copy stands in."
    )


@strawberry.type(description="A contact in another provider that is the same person.")
class ContactMatch:
    contact: Contact = strawberry.field(description="The matching contact.")
    score: float = strawberry.field(
        description="0 to 1: email 0.6, phone 0.3, name and address 0.3 (summed, capped)."
    )
    matched_on: list[str] = strawberry.field(
        description="What matched: email, phone, name_and_address."
    )


@strawberry.interface(description="A contact from any provider, in one shape.")
class Contact(Node):
    provider: ProviderName = strawberry.field(description="Which provider holds this contact.")
    native_id: str = strawberry.field(description="The provider's own id of the contact.")
    display_name: str | None = strawberry.field(description="Name to show (Spark: ≤ 75 chars).")
    salutation: Salutation | None = strawberry.field(
        description="Form of address (IS24 and Spark; null when the provider has none)."
    )
    title: str | None = strawberry.field(description="Academic or honorary title, e.g. 'Dr.'.")
    given_name: str | None = strawberry.field(description="First name.")
    middle_name: str | None = strawberry.field(description="Middle name(s) (Spark only).")
    family_name: str | None = strawberry.field(
        description="Last name (required by IS24; AutoDNS lname)."
    )
    organization: str | None = strawberry.field(
        description="Company or organization (IS24 keeps it as the deprecated `company`)."
    )
    position: str | None = strawberry.field(description="Job title / role in the organization.")
    emails: list[Email] = strawberry.field(description="Email addresses; the PRIMARY first.")
    phones: list[Phone] = strawberry.field(
        description="Phone numbers by kind, normalised to E.164 where they parse."
    )
    addresses: list[Address] = strawberry.field(description="Postal addresses by kind.")
    created_at: datetime | None = strawberry.field(description="When the provider created it.")
    updated_at: datetime | None = strawberry.field(description="Last change at the provider.")
    freshness: Freshness | None = strawberry.field(
        description="Where this copy came from and how old it is (null for write results)."
    )
    _record: strawberry.Private[ContactRecord]

    @classmethod
    @resolved_by_class
    def resolve_type(cls, obj: Any, info: Any, abstract_type: Any) -> str:
        """The GraphQL type of a contact object: the one its class defines (SparkContact,
        ...; lazy objects inherit it). The resolvers only ever return these classes."""
        return get_object_definition(obj, strict=True).name

    @strawberry.field(
        description="Contacts in OTHER providers that are the same person: matched on the "
        "normalised email, the E.164 phone, or given + family name at the same postal code "
        "or city. Best match first. Costs extra provider searches, only when selected."
    )
    async def same_as(self, info: strawberry.Info[SchemaContext, None]) -> list[ContactMatch]:
        from schema.convert import contact_object  # the concrete types import this module

        matches = await info.context.identities.matches(self._record)
        return [
            ContactMatch(
                contact=contact_object(m.record), score=m.score, matched_on=list(m.matched_on)
            )
            for m in matches
        ]
