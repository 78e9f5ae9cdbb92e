"""IS24's own realtor-contact attributes, inputs and filters, beside the unified model.

Plain dataclasses the schema layer reads; `mapping.py` fills them from IS24
documents and turns the inputs into IS24 fields. `company` and `officeHours` are
still part of IS24's schema but "no longer used or shown on the IS24 website".
"""

from __future__ import annotations

from dataclasses import dataclass

from providers.model import UNSET, Maybe, ProviderExtras


@dataclass(frozen=True, slots=True)
class Is24Extras(ProviderExtras):
    """IS24 attributes outside the unified model (flags read as IS24 fills them: false)."""

    company: str | None = None
    office_hours: str | None = None
    homepage_url: str | None = None
    additional_name: str | None = None
    default_contact: bool = False
    local_partner_contact: bool = False
    business_card_contact: bool = False
    show_on_profile_page: bool = False
    real_estate_reference_count: int = 0
    external_id: str | None = None
    click_out_url: str | None = None
    country_code: str | None = None
    """ISO 3166-1 alpha-3, as IS24 keeps it (also the unified address's `country`)."""


@dataclass(frozen=True, slots=True)
class Is24ContactInput:
    """The IS24-only fields of a create or update (UNSET = leave as is, None = clear).

    `company` is written through the unified `organization`, `countryCode` through
    the unified address's `country`, `secondaryEmail` through a SECONDARY email.
    """

    additional_name: Maybe[str] = UNSET
    homepage_url: Maybe[str] = UNSET
    office_hours: Maybe[str] = UNSET
    default_contact: Maybe[bool] = UNSET
    local_partner_contact: Maybe[bool] = UNSET
    business_card_contact: Maybe[bool] = UNSET
    show_on_profile_page: Maybe[bool] = UNSET
    external_id: Maybe[str] = UNSET
    click_out_url: Maybe[str] = UNSET


@dataclass(frozen=True, slots=True)
class Is24Filter:
    """IS24-only filters (applied by the adapter: IS24's list has no filtering)."""

    external_id: str | None = None
    show_on_profile_page: bool | None = None
    default_contact: bool | None = None
    business_card_contact: bool | None = None
    local_partner_contact: bool | None = None
