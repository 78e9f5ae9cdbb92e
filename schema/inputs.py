"""GraphQL inputs and their conversion to the unified model (pure, no I/O).

Absent fields stay `UNSET` (left unchanged on update); an explicit null clears.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, Final, TypeVar

import strawberry

from providers import model
from providers.model import AddressKind, EmailKind, PhoneKind, ProviderName, Salutation
from providers.model import SortDirection as ModelSortDirection
from providers.model import SortField as ModelSortField
from providers.spark.types import RecordStatus, SparkContactInput, SparkFilter
from schema.autodns import AutoDnsContactFieldsInput, AutoDnsContactFilterInput
from schema.is24 import Is24ContactFieldsInput, Is24ContactFilterInput

T = TypeVar("T")


def _maybe(value: Any) -> Any:
    """Strawberry's UNSET -> the model's UNSET; everything else unchanged."""
    return model.UNSET if value is strawberry.UNSET else value


def _maybe_tuple(values: list[Any] | None, convert: Any) -> Any:
    if values is strawberry.UNSET:
        return model.UNSET
    return None if values is None else tuple(convert(v) for v in values)


@strawberry.input(description="An email address to store.")
class EmailInput:
    address: str = strawberry.field(description="The email address.")
    kind: EmailKind = strawberry.field(
        default=EmailKind.PRIMARY, description="PRIMARY (one at most) or SECONDARY."
    )
    receives_notifications: bool = strawberry.field(
        default=False, description="Spark: also send notifications here (secondary addresses)."
    )

    def to_model(self) -> model.Email:
        return model.Email(self.address, self.kind, self.receives_notifications)


@strawberry.input(
    description="A phone number: either `number` (complete, ideally E.164 like +4930123456) "
    "or the parts countryCode ('+49'), areaCode ('30'), subscriber ('123456')."
)
class PhoneInput:
    kind: PhoneKind = strawberry.field(description="What it is for / which slot it fills.")
    number: str | None = strawberry.field(
        default=None,
        description="The complete number, ideally E.164 (+4930123456); used when no part is given.",
    )
    country_code: str | None = strawberry.field(
        default=None, description="Calling code with '+', e.g. '+49' ('00' is refused by IS24)."
    )
    area_code: str | None = strawberry.field(
        default=None, description="Area code without leading 0 (IS24: required with +49)."
    )
    subscriber: str | None = strawberry.field(
        default=None, description="The rest of the number; spaces are the only allowed divider."
    )

    def to_model(self) -> model.PhoneInput:
        return model.PhoneInput(
            self.kind, self.number, self.country_code, self.area_code, self.subscriber
        )


@strawberry.input(description="A postal address. Spark keeps one HOME and one WORK address.")
class AddressInput:
    kind: AddressKind = strawberry.field(
        default=AddressKind.OTHER, description="HOME, WORK or OTHER (providers keep some only)."
    )
    street_lines: list[str] = strawberry.field(
        default_factory=list, description="Street lines, first first (AutoDNS: up to 3)."
    )
    house_number: str | None = strawberry.field(
        default=None, description="House number (IS24 keeps it apart from the street)."
    )
    postal_code: str | None = strawberry.field(default=None, description="Postal / ZIP code.")
    locality: str | None = strawberry.field(default=None, description="City or town.")
    region: str | None = strawberry.field(
        default=None, description="State or region (AutoDNS state, Spark region)."
    )
    country: str | None = strawberry.field(
        default=None, description="Country code: ISO 3166-1 alpha-2 (AutoDNS) or alpha-3 (IS24)."
    )

    def to_model(self) -> model.Address:
        return model.Address(
            self.kind,
            tuple(self.street_lines),
            self.house_number,
            self.postal_code,
            self.locality,
            self.region,
            self.country,
        )


_SPARK_PLAIN_FIELDS: Final = tuple(
    f.name for f in fields(SparkContactInput) if f.name not in ("record_status", "tags", "notify")
)
"""Spark input fields passed through as they are (the others need converting)."""


@strawberry.input(description="Spark-only fields of a contact.")
class SparkContactFieldsInput:
    record_status: RecordStatus | None = strawberry.field(
        default=strawberry.UNSET,
        description="CONNECTED or UNCONNECTED; a Connected contact can never go back.",
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all tags; each ≤ 75 characters."
    )
    note: str | None = strawberry.field(default=strawberry.UNSET, description="≤ 10,000 chars.")
    spouse_given_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spouse's first name (at most 300 characters)."
    )
    spouse_middle_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spouse's middle name (at most 300 characters)."
    )
    spouse_family_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spouse's last name (at most 300 characters)."
    )
    birthday: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    anniversary: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    assistant: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    children: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    status: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spark's free-text status, at most 300 characters."
    )
    other: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    pets: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    referred_by: str | None = strawberry.field(
        default=strawberry.UNSET, description="Free text, at most 300 characters."
    )
    mobile_phone_country_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="2 letters; derived from a +CC mobile if omitted."
    )
    reverse_prospecting: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Spark Settings.ReverseProspecting."
    )
    notify: bool = strawberry.field(
        default=False, description="On create: tell the agent a lead was generated."
    )

    def to_model(self) -> SparkContactInput:
        return SparkContactInput(
            record_status=_maybe(self.record_status),
            tags=_maybe_tuple(self.tags, str),
            **{name: _maybe(getattr(self, name)) for name in _SPARK_PLAIN_FIELDS},
            notify=self.notify,
        )


@strawberry.input(description="Fields of a contact; absent fields are left as they are.")
class ContactFieldsInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spark: required, ≤ 75 characters."
    )
    salutation: Salutation | None = strawberry.field(
        default=strawberry.UNSET,
        description="Form of address (IS24: MR/MS/NONE; Spark: stored as text).",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Academic title, e.g. 'Dr.' (IS24, AutoDNS)."
    )
    given_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="First name (AutoDNS fname; Spark at most 300 characters).",
    )
    middle_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Middle name (Spark only)."
    )
    family_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Last name (required by IS24 and AutoDNS)."
    )
    organization: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Company or organization (AutoDNS: required for ORG and ROLE).",
    )
    position: str | None = strawberry.field(
        default=strawberry.UNSET, description="Job title / role in the organization."
    )
    emails: list[EmailInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all addresses; one PRIMARY at most."
    )
    phones: list[PhoneInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all numbers; one per kind."
    )
    addresses: list[AddressInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all addresses; one per kind."
    )
    spark: SparkContactFieldsInput | None = strawberry.field(
        default=None, description="Spark-only fields (provider SPARK)."
    )
    autodns: AutoDnsContactFieldsInput | None = strawberry.field(
        default=None,
        description="AutoDNS-only fields (provider AUTODNS); alias and type are required "
        "on create.",
    )
    is24: Is24ContactFieldsInput | None = strawberry.field(
        default=None, description="IS24-only fields of a realtor contact (provider IS24)."
    )

    def to_model(self) -> model.ContactInput:
        return model.ContactInput(
            **{
                name: _maybe(getattr(self, name))
                for name in (
                    "display_name",
                    "salutation",
                    "title",
                    "given_name",
                    "middle_name",
                    "family_name",
                    "organization",
                    "position",
                )
            },
            emails=_maybe_tuple(self.emails, EmailInput.to_model),
            phones=_maybe_tuple(self.phones, PhoneInput.to_model),
            addresses=_maybe_tuple(self.addresses, AddressInput.to_model),
            extras=next((b.to_model() for b in (self.spark, self.autodns, self.is24) if b), None),
        )

    def provider_blocks(self) -> dict[ProviderName, object | None]:
        """The provider-specific blocks given, by provider (to check they fit the target)."""
        return {
            ProviderName.SPARK: self.spark,
            ProviderName.AUTODNS: self.autodns,
            ProviderName.IS24: self.is24,
        }


@strawberry.input(description="A new contact; `provider` picks where it is created.")
class CreateContactInput(ContactFieldsInput):
    provider: ProviderName = strawberry.field(description="Where to create the contact.")


@strawberry.input(description="Changes to a contact; absent fields are left as they are.")
class UpdateContactInput(ContactFieldsInput):
    pass


@strawberry.input(
    description="Changes to the current Spark user's own contact: names, emails, phones and the "
    "HOME address only (Spark permits no other attributes here)."
)
class UpdateMyContactInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Name to show (Spark: required, at most 75 characters).",
    )
    given_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="First name (AutoDNS fname; Spark at most 300 characters).",
    )
    middle_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Middle name (Spark only)."
    )
    family_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Last name (required by IS24 and AutoDNS)."
    )
    emails: list[EmailInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all email addresses; one PRIMARY at most."
    )
    phones: list[PhoneInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all phone numbers; one per kind."
    )
    addresses: list[AddressInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the HOME address (the only one kept on the user's own contact).",
    )

    def to_model(self) -> model.ContactInput:
        return model.ContactInput(
            display_name=_maybe(self.display_name),
            given_name=_maybe(self.given_name),
            middle_name=_maybe(self.middle_name),
            family_name=_maybe(self.family_name),
            emails=_maybe_tuple(self.emails, EmailInput.to_model),
            phones=_maybe_tuple(self.phones, PhoneInput.to_model),
            addresses=_maybe_tuple(self.addresses, AddressInput.to_model),
        )


@strawberry.input(description="Spark-only filters.")
class SparkContactFilterInput:
    unconnected: bool = strawberry.field(
        default=False, description="List unconnected contacts (awaiting transfer) instead."
    )
    vow_active: bool | None = strawberry.field(
        default=None,
        description="Only contacts whose portal account was used within 30 days (true) or not.",
    )
    portal_login_name: str | None = strawberry.field(
        default=None, description="Exact portal login name (no wildcards)."
    )

    def to_model(self) -> SparkFilter:
        return SparkFilter(self.unconnected, self.vow_active, self.portal_login_name)


@strawberry.input(
    description="Narrows a contact list; all given fields must match. Text fields take `*` as "
    "a wildcard (Spark: a wildcard term without spaces matches any word of the display name)."
)
class ContactFilterInput:
    display_name: str | None = strawberry.field(
        default=None, description="Display name; `*` is a wildcard."
    )
    given_name: str | None = strawberry.field(
        default=None, description="First name; `*` is a wildcard."
    )
    family_name: str | None = strawberry.field(
        default=None, description="Last name; `*` is a wildcard."
    )
    email: str | None = strawberry.field(default=None, description="The primary email.")
    phone: str | None = strawberry.field(default=None, description="Any number, as stored.")
    organization: str | None = strawberry.field(
        default=None, description="Organization; `*` is a wildcard."
    )
    city: str | None = strawberry.field(default=None, description="Home or work city.")
    postal_code: str | None = strawberry.field(
        default=None, description="Home or work postal code."
    )
    tags: list[str] | None = strawberry.field(default=None, description="Any of these tags.")
    updated_since: datetime | None = strawberry.field(
        default=None, description="Changed at or after this moment."
    )
    created_since: datetime | None = strawberry.field(
        default=None, description="Created at or after this moment."
    )
    spark: SparkContactFilterInput | None = strawberry.field(
        default=None, description="Spark-only filters (other providers ignore them)."
    )
    autodns: AutoDnsContactFilterInput | None = strawberry.field(
        default=None, description="AutoDNS-only filters (other providers ignore them)."
    )
    is24: Is24ContactFilterInput | None = strawberry.field(
        default=None, description="IS24-only filters (other providers ignore them)."
    )

    def to_model(self) -> model.ContactFilter:
        return model.ContactFilter(
            display_name=self.display_name,
            given_name=self.given_name,
            family_name=self.family_name,
            email=self.email,
            phone=self.phone,
            organization=self.organization,
            city=self.city,
            postal_code=self.postal_code,
            tags=tuple(self.tags) if self.tags is not None else None,
            updated_since=self.updated_since,
            created_since=self.created_since,
            extras=next((b.to_model() for b in (self.spark, self.autodns, self.is24) if b), None),
        )


@strawberry.input(description="One sort key; later keys break ties of earlier ones.")
class ContactOrderInput:
    field: ModelSortField = strawberry.field(description="The field to order by.")
    direction: ModelSortDirection = strawberry.field(
        default=ModelSortDirection.ASC, description="ASC or DESC."
    )

    def to_model(self) -> model.SortOrder:
        return model.SortOrder(self.field, self.direction)
