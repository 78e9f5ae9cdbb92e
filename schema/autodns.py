"""AutoDNS-specific GraphQL types: `DomainContact` and the `autodns` input and filter blocks."""

from __future__ import annotations

from typing import Any, Self

import strawberry

from providers import model
from providers.autodns.types import (
    AccountRef,
    AutoDnsContactInput,
    AutoDnsExtras,
    AutoDnsFilter,
    ContactType,
    Protection,
)
from providers.model import ContactRecord
from schema.contact import Contact
from schema.lazy import lazy_contact_type

strawberry.enum(
    ContactType,
    name="DomainContactType",
    description="What a domain contact (handle) stands for: PERSON, ORG (organisation) or ROLE "
    "(a function such as hostmaster). ORG and ROLE handles need an organization.",
)
strawberry.enum(
    Protection,
    name="DomainContactProtection",
    description="How much of the handle the registry WHOIS shows; SHOW_NONE is the default.",
)


def _maybe(value: Any) -> Any:
    """Strawberry's UNSET -> the model's UNSET; everything else unchanged."""
    return model.UNSET if value is strawberry.UNSET else value


@strawberry.type(description="An AutoDNS account as AutoDNS names it (context and user).")
class DomainContactAccount:
    context: int | None = strawberry.field(description="The account's AutoDNS context number.")
    user: str | None = strawberry.field(description="The AutoDNS user name.")

    @classmethod
    def from_model(cls, ref: AccountRef | None) -> Self | None:
        return None if ref is None else cls(context=ref.context, user=ref.user)


@strawberry.type(
    description="An InterNetX AutoDNS domain contact: a handle used as owner (registrant), "
    "admin, tech or zone contact of domains. One email (PRIMARY), one voice number (PRIMARY) "
    "and one FAX number, one postal address (kind OTHER, region = AutoDNS `state`). AutoDNS "
    "has no display name: it is 'givenName familyName' for PERSON and ROLE handles and the "
    "organization for ORG handles."
)
class DomainContact(Contact):
    alias: str | None = strawberry.field(
        description="The handle's alias (≤ 64 characters); it identifies the contact like its id."
    )
    type: ContactType | None = strawberry.field(description="PERSON, ORG or ROLE.")
    protection: str | None = strawberry.field(
        description="WHOIS protection level as AutoDNS reports it (SHOW_NONE, SHOW_EMAIL, "
        "SHOW_ALL; AutoDNS knows more levels)."
    )
    comment: str | None = strawberry.field(description="Free-text comment (≤ 500 characters).")
    sip: str | None = strawberry.field(description="SIP address, e.g. sip:jane@example.de.")
    verification: str | None = strawberry.field(
        description="Verification state of the handle's data (e.g. SUCCESS, PENDING, FAILED)."
    )
    domainsafe: bool | None = strawberry.field(
        description="True when the handle is protected by AutoDNS DomainSafe."
    )
    owner: DomainContactAccount | None = strawberry.field(description="The owning account.")
    updater: DomainContactAccount | None = strawberry.field(
        description="The account that changed it last."
    )
    last_stid: str | None = strawberry.field(
        description="AutoDNS server transaction id (`stid`) of the call that returned this "
        "contact (the create, update, info or search); quote it to InterNetX support."
    )

    @classmethod
    def from_record(cls, record: ContactRecord) -> DomainContact:
        """The record's contact object; its fields are read from the record when selected."""
        return _lazy_domain_contact(record)


_lazy_domain_contact = lazy_contact_type(
    DomainContact,
    AutoDnsExtras,
    {
        "owner": lambda extras: DomainContactAccount.from_model(extras.owner),
        "updater": lambda extras: DomainContactAccount.from_model(extras.updater),
        "last_stid": lambda extras: extras.stid,
    },
)


@strawberry.input(description="AutoDNS-only fields of a domain contact (provider AUTODNS).")
class AutoDnsContactFieldsInput:
    alias: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required on create (EF030110 when missing); ≤ 64 characters.",
    )
    type: ContactType | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required on create. ORG and ROLE need an organization.",
    )
    protection: Protection | None = strawberry.field(
        default=strawberry.UNSET, description="WHOIS protection; AutoDNS defaults to SHOW_NONE."
    )
    comment: str | None = strawberry.field(
        default=strawberry.UNSET, description="≤ 500 characters (EF03012 when longer)."
    )
    sip: str | None = strawberry.field(default=strawberry.UNSET, description="≤ 128 characters.")
    force_handle_create: bool = strawberry.field(
        default=False,
        description="On create: create the handle even when one with the same data exists. "
        "Without it AutoDNS refuses such a create (DUPLICATE, providerCode EF03020, naming the "
        "existing contact).",
    )

    def to_model(self) -> AutoDnsContactInput:
        return AutoDnsContactInput(
            alias=_maybe(self.alias),
            type=_maybe(self.type),
            protection=_maybe(self.protection),
            comment=_maybe(self.comment),
            sip=_maybe(self.sip),
            force_handle_create=self.force_handle_create,
        )


@strawberry.input(description="AutoDNS-only filters (text fields take `*` as a wildcard).")
class AutoDnsContactFilterInput:
    alias: str | None = strawberry.field(
        default=None, description="The handle's alias; `*` is a wildcard."
    )
    type: ContactType | None = strawberry.field(
        default=None, description="PERSON, ORG or ROLE handles only."
    )
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 code of the address, e.g. DE."
    )
    verification: str | None = strawberry.field(
        default=None, description="Verification state, e.g. SUCCESS, PENDING or FAILED."
    )
    domainsafe: bool | None = strawberry.field(
        default=None, description="Only handles with (true) or without (false) DomainSafe."
    )

    def to_model(self) -> AutoDnsFilter:
        return AutoDnsFilter(
            alias=self.alias,
            type=self.type,
            country=self.country,
            verification=self.verification,
            domainsafe=self.domainsafe,
        )
