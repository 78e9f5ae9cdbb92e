"""IS24-specific GraphQL types: `RealtorContact` and the `is24` input and filter blocks."""

from __future__ import annotations

from typing import Any

import strawberry

from providers import model
from providers.is24.types import Is24ContactInput, Is24Extras, Is24Filter
from providers.model import ContactRecord
from schema.contact import Contact
from schema.lazy import lazy_contact_type

NO_LONGER_USED = "no longer used or shown on the IS24 website"


def _maybe(value: Any) -> Any:
    """Strawberry's UNSET -> the model's UNSET; everything else unchanged."""
    return model.UNSET if value is strawberry.UNSET else value


@strawberry.type(
    description="An ImmobilienScout24 realtor contact: the person shown as the contact on a "
    "realtor's listings and, optionally, profile page. salutation is MR (MALE), MS (FEMALE) or "
    "NONE; phones are one WORK (IS24 phone), one FAX and one MOBILE (cell phone) number, each "
    "with its parts as IS24 keeps them and E.164; one WORK address whose country is IS24's "
    "ISO 3166-1 alpha-3 countryCode; emails are the PRIMARY email and the SECONDARY "
    "secondaryEmail; organization is IS24's company. IS24 has no display name "
    "('title givenName familyName additionName') and no timestamps."
)
class RealtorContact(Contact):
    company: str | None = strawberry.field(
        description="The company field (the same value as organization).",
        deprecation_reason=NO_LONGER_USED,
    )
    office_hours: str | None = strawberry.field(
        description="Office hours as free text.", deprecation_reason=NO_LONGER_USED
    )
    additional_name: str | None = strawberry.field(
        description="A name suffix (IS24 additionName), e.g. 'MBA'."
    )
    homepage_url: str | None = strawberry.field(description="The contact's homepage.")
    default_contact: bool | None = strawberry.field(
        description="The user's default contact (exactly one; it cannot be deleted)."
    )
    local_partner_contact: bool | None = strawberry.field(description="IS24 localPartnerContact.")
    business_card_contact: bool | None = strawberry.field(
        description="Shown on the realtor's business card (IS24 businessCardContact)."
    )
    show_on_profile_page: bool | None = strawberry.field(
        description="Shown on the realtor's profile page; at most 20 contacts per user."
    )
    real_estate_reference_count: int | None = strawberry.field(
        description="How many listings name this contact (read-only)."
    )
    external_id: str | None = strawberry.field(
        description="The realtor's own id for the contact (see realtorContactByExternalId)."
    )
    click_out_url: str | None = strawberry.field(description="IS24 clickOutUrl.")
    country_code: str | None = strawberry.field(
        description="ISO 3166-1 alpha-3 country, e.g. DEU (also the address's country)."
    )

    @classmethod
    def from_record(cls, record: ContactRecord) -> RealtorContact:
        """The record's contact object; its fields are read from the record when selected."""
        return _lazy_realtor_contact(record)


_lazy_realtor_contact = lazy_contact_type(RealtorContact, Is24Extras)


@strawberry.input(
    description="IS24-only fields of a realtor contact (provider IS24). IS24 requires "
    "familyName and a PRIMARY email; company is written as organization, countryCode as the "
    "address's country (alpha-3, e.g. DEU)."
)
class Is24ContactFieldsInput:
    additional_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A name suffix (IS24 additionName)."
    )
    homepage_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="The contact's homepage (a duplicate-check field)."
    )
    office_hours: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Office hours as free text.",
        deprecation_reason=NO_LONGER_USED,
    )
    default_contact: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true makes this the user's default contact (the old one stops being it).",
    )
    local_partner_contact: bool | None = strawberry.field(
        default=strawberry.UNSET, description="IS24 localPartnerContact (null: false)."
    )
    business_card_contact: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Show on the realtor's business card (null: false)."
    )
    show_on_profile_page: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most 20 contacts per user (LIMIT_EXCEEDED, ERROR_REQUEST_DATA_NOT_VALID).",
    )
    external_id: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The realtor's own id; unique per user (DUPLICATE when another has it).",
    )
    click_out_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="IS24 clickOutUrl: where a click on the contact leads.",
    )

    def to_model(self) -> Is24ContactInput:
        return Is24ContactInput(
            additional_name=_maybe(self.additional_name),
            homepage_url=_maybe(self.homepage_url),
            office_hours=_maybe(self.office_hours),
            default_contact=_maybe(self.default_contact),
            local_partner_contact=_maybe(self.local_partner_contact),
            business_card_contact=_maybe(self.business_card_contact),
            show_on_profile_page=_maybe(self.show_on_profile_page),
            external_id=_maybe(self.external_id),
            click_out_url=_maybe(self.click_out_url),
        )


@strawberry.input(description="IS24-only filters (exact values).")
class Is24ContactFilterInput:
    external_id: str | None = strawberry.field(
        default=None, description="Exactly this external id (case-sensitive)."
    )
    show_on_profile_page: bool | None = strawberry.field(
        default=None, description="Shown on the realtor's profile page, or not."
    )
    default_contact: bool | None = strawberry.field(
        default=None, description="true: only the user's default contact."
    )
    business_card_contact: bool | None = strawberry.field(
        default=None, description="On the business card, or not."
    )
    local_partner_contact: bool | None = strawberry.field(
        default=None, description="A local partner contact, or not."
    )

    def to_model(self) -> Is24Filter:
        return Is24Filter(
            external_id=self.external_id,
            show_on_profile_page=self.show_on_profile_page,
            default_contact=self.default_contact,
            business_card_contact=self.business_card_contact,
            local_partner_contact=self.local_partner_contact,
        )
