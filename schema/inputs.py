"""GraphQL inputs and their conversion to the unified model (pure, no I/O).

Absent fields stay `UNSET` (left unchanged on update); an explicit null clears.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

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
    address: str
    kind: EmailKind = EmailKind.PRIMARY
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
    kind: PhoneKind
    number: str | None = None
    country_code: str | None = None
    area_code: str | None = None
    subscriber: str | None = None

    def to_model(self) -> model.PhoneInput:
        return model.PhoneInput(
            self.kind, self.number, self.country_code, self.area_code, self.subscriber
        )


@strawberry.input(description="A postal address. Spark keeps one HOME and one WORK address.")
class AddressInput:
    kind: AddressKind = AddressKind.OTHER
    street_lines: list[str] = strawberry.field(default_factory=list)
    house_number: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None

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


@strawberry.input(description="Spark-only fields of a contact.")
class SparkContactFieldsInput:
    record_status: RecordStatus | None = strawberry.UNSET
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces all tags; each ≤ 75 characters."
    )
    note: str | None = strawberry.field(default=strawberry.UNSET, description="≤ 10,000 chars.")
    spouse_given_name: str | None = strawberry.UNSET
    spouse_middle_name: str | None = strawberry.UNSET
    spouse_family_name: str | None = strawberry.UNSET
    birthday: str | None = strawberry.UNSET
    anniversary: str | None = strawberry.UNSET
    assistant: str | None = strawberry.UNSET
    children: str | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    other: str | None = strawberry.UNSET
    pets: str | None = strawberry.UNSET
    referred_by: str | None = strawberry.UNSET
    mobile_phone_country_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="2 letters; derived from a +CC mobile if omitted."
    )
    reverse_prospecting: bool | None = strawberry.UNSET
    notify: bool = strawberry.field(
        default=False, description="On create: tell the agent a lead was generated."
    )

    def to_model(self) -> SparkContactInput:
        return SparkContactInput(
            record_status=_maybe(self.record_status),
            tags=_maybe_tuple(self.tags, str),
            **{
                name: _maybe(getattr(self, name))
                for name in (
                    "note",
                    "spouse_given_name",
                    "spouse_middle_name",
                    "spouse_family_name",
                    "birthday",
                    "anniversary",
                    "assistant",
                    "children",
                    "status",
                    "other",
                    "pets",
                    "referred_by",
                    "mobile_phone_country_code",
                    "reverse_prospecting",
                )
            },
            notify=self.notify,
        )


@strawberry.input(description="Fields of a contact; absent fields are left as they are.")
class ContactFieldsInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Spark: required, ≤ 75 characters."
    )
    salutation: Salutation | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    given_name: str | None = strawberry.UNSET
    middle_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    organization: str | None = strawberry.UNSET
    position: str | None = strawberry.UNSET
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
    provider: ProviderName


@strawberry.input(description="Changes to a contact; absent fields are left as they are.")
class UpdateContactInput(ContactFieldsInput):
    pass


@strawberry.input(
    description="Changes to the current Spark user's own contact: names, emails, phones and the "
    "HOME address only (Spark permits no other attributes here)."
)
class UpdateMyContactInput:
    display_name: str | None = strawberry.UNSET
    given_name: str | None = strawberry.UNSET
    middle_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    emails: list[EmailInput] | None = strawberry.UNSET
    phones: list[PhoneInput] | None = strawberry.UNSET
    addresses: list[AddressInput] | None = strawberry.UNSET

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
    vow_active: bool | None = None
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
    display_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = strawberry.field(default=None, description="The primary email.")
    phone: str | None = strawberry.field(default=None, description="Any number, as stored.")
    organization: str | None = None
    city: str | None = strawberry.field(default=None, description="Home or work city.")
    postal_code: str | None = None
    tags: list[str] | None = strawberry.field(default=None, description="Any of these tags.")
    updated_since: datetime | None = None
    created_since: datetime | None = None
    spark: SparkContactFilterInput | None = None
    autodns: AutoDnsContactFilterInput | None = None
    is24: Is24ContactFilterInput | None = None

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
    field: ModelSortField
    direction: ModelSortDirection = ModelSortDirection.ASC

    def to_model(self) -> model.SortOrder:
        return model.SortOrder(self.field, self.direction)
