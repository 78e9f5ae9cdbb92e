"""The IS24 read mapping as it was before it was made faster (commit 6a67873), kept
verbatim as the oracle `test_mapping_reads.py` compares `record_from_is24` with.

Plain and slow on purpose. Only the tables and rules it shares with production are
imported: they name IS24's fields and how IS24 joins a number's parts.
"""

from __future__ import annotations

from collections.abc import Mapping

from providers.is24 import rules
from providers.is24.mapping import _COMPLETE, NUMBER_FIELDS, SALUTATION_FROM_IS24
from providers.is24.types import Is24Extras
from providers.is24.xml_codec import FieldValue
from providers.model import (
    Address,
    AddressKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
    ProviderName,
)
from providers.phones import parse_phone


def _text(doc: Mapping[str, FieldValue], name: str) -> str | None:
    return rules.text_of(doc, name)


def _flag(doc: Mapping[str, FieldValue], name: str) -> bool:
    return doc.get(name) is True


def record_from_is24(doc: Mapping[str, FieldValue]) -> ContactRecord:
    """Map one IS24 contact document (as read) to the unified record."""
    first, last, title = _text(doc, "firstname"), _text(doc, "lastname"), _text(doc, "title")
    addition = _text(doc, "additionName")
    salutation = _text(doc, "salutation")
    return ContactRecord(
        provider=ProviderName.IS24,
        native_id=str(doc.get("@id", "")),
        display_name=" ".join(p for p in (title, first, last, addition) if p) or None,
        salutation=SALUTATION_FROM_IS24.get(salutation) if salutation else None,
        title=title,
        given_name=first,
        family_name=last,
        organization=_text(doc, "company"),
        position=_text(doc, "position"),
        emails=_emails(doc),
        phones=tuple(p for p in (_phone(doc, f, k) for f, k in NUMBER_FIELDS.items()) if p),
        addresses=_addresses(doc),
        extras=_extras(doc),
    )


def _emails(doc: Mapping[str, FieldValue]) -> tuple[Email, ...]:
    found = [
        Email(address, kind)
        for name, kind in (("email", EmailKind.PRIMARY), ("secondaryEmail", EmailKind.SECONDARY))
        if (address := _text(doc, name)) is not None
    ]
    return tuple(found)


def _phone(doc: Mapping[str, FieldValue], name: str, kind: PhoneKind) -> Phone | None:
    """The number as IS24 holds it: parts win over the complete number (IS24's rule)."""
    raw: str | None
    if rules.parts_given(doc, name):
        cc, area, sub = (_text(doc, f) for f in rules.part_fields(name))
        raw = rules.combined_number(doc, name) or " ".join(p for p in (cc, area, sub) if p)
    else:
        raw = _text(doc, name)
        if raw is None:
            return None
        cc, area, sub = _groups(raw)
    parsed = parse_phone(raw)
    return Phone(kind, raw, parsed.e164 if parsed else None, cc, area, sub)


def _groups(number: str) -> tuple[str | None, str | None, str | None]:
    """Country code, area code and subscriber of a complete number, as the user divided it
    ("+CC AREA SUBSCRIBER"); libphonenumber's split when it is not divided that way."""
    match = _COMPLETE.fullmatch(number)
    if match is not None:
        cc, area, sub = match.groups()
        return cc, area, sub
    parsed = parse_phone(number)
    if parsed is None:
        return None, None, None
    return parsed.country_code, parsed.area_code, parsed.subscriber


def _addresses(doc: Mapping[str, FieldValue]) -> tuple[Address, ...]:
    raw = doc.get("address")
    address: Mapping[str, str] = raw if isinstance(raw, dict) else {}
    country = _text(doc, "countryCode")
    if not any(address.values()) and country is None:
        return ()
    street = address.get("street") or None
    return (
        Address(
            kind=AddressKind.WORK,
            street_lines=(street,) if street else (),
            house_number=address.get("houseNumber") or None,
            postal_code=address.get("postcode") or None,
            locality=address.get("city") or None,
            country=country,
        ),
    )


def _extras(doc: Mapping[str, FieldValue]) -> Is24Extras:
    count = doc.get("realEstateReferenceCount")
    return Is24Extras(
        company=_text(doc, "company"),
        office_hours=_text(doc, "officeHours"),
        homepage_url=_text(doc, "homepageUrl"),
        additional_name=_text(doc, "additionName"),
        default_contact=_flag(doc, "defaultContact"),
        local_partner_contact=_flag(doc, "localPartnerContact"),
        business_card_contact=_flag(doc, "businessCardContact"),
        show_on_profile_page=_flag(doc, "showOnProfilePage"),
        real_estate_reference_count=count if isinstance(count, int) else 0,
        external_id=_text(doc, "externalId"),
        click_out_url=_text(doc, "clickOutUrl"),
        country_code=_text(doc, "countryCode"),
    )
