"""IS24 realtor-contact documents <-> the unified model, both directions.

Decisions (IS24 has no unified shape, so these are ours; the schema repeats them):
- `salutation` MALE / FEMALE / NO_SALUTATION <-> MR / MS / NONE (MX has no IS24 value).
- `phoneNumber` <-> a WORK phone (the realtor's office line), `faxNumber` <-> FAX,
  `cellPhoneNumber` <-> MOBILE. A read keeps the parts as IS24 holds them (the part
  fields, or the "+CC AREA SUBSCRIBER" groups of a complete number), `raw` is the
  number IS24 shows, and `e164` comes from `providers.phones` (libphonenumber).
- A unified `PhoneInput` with parts is sent as IS24's three part fields; its `number`
  is sent as the complete number, which IS24 only considers when no part is given.
  A compact E.164 number ("+4930123456", no divider at all) is split into IS24's
  "+49 30 123456" form; any other number is sent as typed, for the rules to judge.
- `address` {street, houseNumber, postcode, city} + `countryCode` (alpha-3) <-> one
  unified Address of kind WORK (`country` = the alpha-3 code as IS24 keeps it).
- `email` <-> the PRIMARY email, `secondaryEmail` <-> the SECONDARY email;
  `company` (deprecated upstream, still stored) <-> `organization`.
- IS24 has no display name: it is "title firstname lastname additionName".
- An update is a full document (IS24's PUT replaces the contact): the current
  contact with the set fields of the input applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from providers.fast_init import fast_init
from providers.is24 import rules
from providers.is24.types import Is24ContactInput, Is24Extras
from providers.is24.xml_codec import ContactDoc, FieldValue
from providers.model import (
    Address,
    AddressKind,
    ContactInput,
    ContactRecord,
    Email,
    EmailKind,
    FieldPath,
    Phone,
    PhoneInput,
    PhoneKind,
    ProviderName,
    Salutation,
    is_set,
)
from providers.phones import PARSED_NUMBERS_KEPT, parse_phone

SALUTATION_FROM_IS24: Final[Mapping[str, Salutation]] = {
    "MALE": Salutation.MR,
    "FEMALE": Salutation.MS,
    "NO_SALUTATION": Salutation.NONE,
}
SALUTATION_TO_IS24: Final[Mapping[Salutation, str]] = {
    v: k for k, v in SALUTATION_FROM_IS24.items()
}
NUMBER_FIELDS: Final[Mapping[str, PhoneKind]] = {
    "phoneNumber": PhoneKind.WORK,
    "cellPhoneNumber": PhoneKind.MOBILE,
    "faxNumber": PhoneKind.FAX,
}
FIELD_FOR_KIND: Final[Mapping[PhoneKind, str]] = {v: k for k, v in NUMBER_FIELDS.items()}
PART_INPUTS: Final = ("countryCode", "areaCode", "subscriber")
ADDRESS_INPUTS: Final[Mapping[str, str]] = {
    "street": "streetLines",
    "houseNumber": "houseNumber",
    "postcode": "postalCode",
    "city": "locality",
}
# unified ContactInput attribute -> (IS24 field, input path)
TEXT_FIELDS: Final[Mapping[str, tuple[str, str]]] = {
    "given_name": ("firstname", "givenName"),
    "family_name": ("lastname", "familyName"),
    "title": ("title", "title"),
    "position": ("position", "position"),
    "organization": ("company", "organization"),
}
# Is24ContactInput attribute -> IS24 field (the input path is ("is24", EXTRA_INPUTS[field]))
EXTRA_FIELDS: Final[Mapping[str, str]] = {
    "additional_name": "additionName",
    "homepage_url": "homepageUrl",
    "office_hours": "officeHours",
    "external_id": "externalId",
    "click_out_url": "clickOutUrl",
    "default_contact": "defaultContact",
    "local_partner_contact": "localPartnerContact",
    "business_card_contact": "businessCardContact",
    "show_on_profile_page": "showOnProfilePage",
}
EXTRA_INPUTS: Final[Mapping[str, str]] = {
    name: attribute.split("_")[0] + "".join(p.title() for p in attribute.split("_")[1:])
    for attribute, name in EXTRA_FIELDS.items()
}
"""IS24 field -> its name in the `is24` input block (additionName is `additionalName`)."""
READ_ONLY_FIELDS: Final = ("@id", "realEstateReferenceCount")
_COMPACT_E164: Final = re.compile(r"\+[0-9]{4,15}")
_COMPLETE: Final = re.compile(r"(\+[0-9]{1,3}) ([0-9]+) ([0-9]+(?: [0-9]+)*)")


# ---------------------------------------------------------------- IS24 -> unified


# The fields read as text, in the order `record_from_is24` unpacks them (one pass instead
# of a helper call each), then each number field with its three part fields.
_TEXT_FIELDS: Final = (
    *("firstname", "lastname", "title", "additionName", "salutation", "company", "position"),
    *("email", "secondaryEmail", "officeHours", "homepageUrl", "externalId", "clickOutUrl"),
    "countryCode",
    *(f for name in NUMBER_FIELDS for f in (name, *rules.part_fields(name))),
)
_NUMBERS_AT: Final = _TEXT_FIELDS.index(next(iter(NUMBER_FIELDS)))
_NUMBER_KINDS: Final = tuple(NUMBER_FIELDS.values())
_FLAGS: Final = ("defaultContact", "localPartnerContact", "businessCardContact")
_new_record: Final = fast_init(ContactRecord)
_new_extras: Final = fast_init(Is24Extras)
_email: Final = lru_cache(maxsize=PARSED_NUMBERS_KEPT)(Email)


def record_from_is24(doc: Mapping[str, FieldValue]) -> ContactRecord:
    """Map one IS24 contact document (as read) to the unified record."""
    get = doc.get
    texts = [v if isinstance(v, str) and v != "" else None for v in map(get, _TEXT_FIELDS)]
    (first, last, title, addition, salutation, company, position, email, second_email,
     office_hours, homepage, external_id, click_out, country) = texts[:_NUMBERS_AT]  # fmt: skip
    default, partner, business_card = (get(f) is True for f in _FLAGS)
    count = get("realEstateReferenceCount")
    extras = _new_extras(
        company,
        office_hours,
        homepage,
        addition,
        default,
        partner,
        business_card,
        get("showOnProfilePage") is True,
        count if isinstance(count, int) else 0,
        external_id,
        click_out,
        country,
    )
    return _new_record(
        ProviderName.IS24,
        str(get("@id", "")),
        " ".join([p for p in (title, first, last, addition) if p]) or None,
        SALUTATION_FROM_IS24.get(salutation) if salutation else None,
        title,
        first,
        None,  # middle name: IS24 has none
        last,
        company,
        position,
        _emails(email, second_email),
        _phones(texts[_NUMBERS_AT:]),
        _addresses(get("address"), country),
        extras=extras,
    )


def _emails(primary: str | None, secondary: str | None) -> tuple[Email, ...]:
    if primary is None:
        return () if secondary is None else (_email(secondary, EmailKind.SECONDARY),)
    if secondary is None:
        return (_email(primary, EmailKind.PRIMARY),)
    return (_email(primary, EmailKind.PRIMARY), _email(secondary, EmailKind.SECONDARY))


def _phones(texts: list[str | None]) -> tuple[Phone, ...]:
    """Each number field's text and part texts, four by four: parts win over the number
    (IS24's rule); a field with neither is left out."""
    phones: list[Phone] = []
    for i, kind in enumerate(_NUMBER_KINDS):
        number, cc, area, sub = texts[4 * i : 4 * i + 4]
        if cc is not None or area is not None or sub is not None:
            phones.append(_phone_of_parts(kind, cc, area, sub))
        elif number is not None:
            phones.append(_phone_of_number(kind, number))
    return tuple(phones)


@lru_cache(maxsize=PARSED_NUMBERS_KEPT)
def _phone_of_parts(kind: PhoneKind, cc: str | None, area: str | None, sub: str | None) -> Phone:
    """The number IS24 shows for these parts ("+CC AREA SUBSCRIBER", the given ones)."""
    raw = " ".join([p for p in (cc, area, sub) if p])
    parsed = parse_phone(raw)
    return Phone(kind, raw, parsed.e164 if parsed else None, cc, area, sub)


@lru_cache(maxsize=PARSED_NUMBERS_KEPT)
def _phone_of_number(kind: PhoneKind, raw: str) -> Phone:
    """A complete number; memoised like `parse_phone` (pages repeat the same numbers)."""
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


def _addresses(raw: FieldValue | None, country: str | None) -> tuple[Address, ...]:
    address: Mapping[str, str] = raw if isinstance(raw, dict) else {}
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


# ---------------------------------------------------------------- unified -> IS24


@dataclass(slots=True)
class Is24Write:
    """The IS24 document to send, and the unified input path each field came from.

    Address sub-fields are keyed "address.street" etc. in `paths`.
    """

    doc: ContactDoc = field(default_factory=dict)
    paths: dict[str, FieldPath] = field(default_factory=dict)

    def put(self, name: str, value: FieldValue, path: FieldPath) -> None:
        self.doc[name] = value
        self.paths[name] = path

    def clear(self, name: str, path: FieldPath) -> None:
        self.doc.pop(name, None)
        self.paths[name] = path

    def set_or_clear(self, name: str, value: FieldValue | None, path: FieldPath) -> None:
        if value is None or value == "":
            self.clear(name, path)
        else:
            self.put(name, value, path)


def writable(current: Mapping[str, FieldValue]) -> ContactDoc:
    """A read document as the base of a full PUT: no read-only fields, and no combined
    number beside its parts (IS24 derives it from them)."""
    doc: ContactDoc = {k: v for k, v in current.items() if k not in READ_ONLY_FIELDS}
    for name in NUMBER_FIELDS:
        if rules.parts_given(doc, name):
            doc.pop(name, None)
    return doc


def write_from_input(
    data: ContactInput, current: Mapping[str, FieldValue] | None = None
) -> Is24Write:
    """The document for a create (`current` None) or the full PUT of an update."""
    write = Is24Write(writable(current) if current is not None else {})
    for attribute, (name, path) in TEXT_FIELDS.items():
        value = getattr(data, attribute)
        if is_set(value):
            write.set_or_clear(name, value, (path,))
    if is_set(data.salutation):
        salutation = data.salutation
        text = SALUTATION_TO_IS24.get(salutation) if isinstance(salutation, Salutation) else None
        write.set_or_clear("salutation", text, ("salutation",))
    if is_set(data.emails):
        _put_emails(write, data.emails if isinstance(data.emails, tuple) else ())
    if is_set(data.phones):
        _put_phones(write, data.phones if isinstance(data.phones, tuple) else ())
    if is_set(data.addresses):
        _put_address(write, data.addresses if isinstance(data.addresses, tuple) else ())
    if isinstance(data.extras, Is24ContactInput):
        _put_extras(write, data.extras)
    return write


def _put_emails(write: Is24Write, emails: tuple[Email, ...]) -> None:
    write.clear("email", ("emails",))
    write.clear("secondaryEmail", ("emails",))
    for index, email in enumerate(emails):
        name = "email" if email.kind is EmailKind.PRIMARY else "secondaryEmail"
        write.set_or_clear(name, email.address, ("emails", str(index), "address"))


def _put_phones(write: Is24Write, phones: tuple[PhoneInput, ...]) -> None:
    for name in NUMBER_FIELDS:
        write.clear(name, ("phones",))
        for part in rules.part_fields(name):
            write.clear(part, ("phones",))
    for index, phone in enumerate(phones):
        field_name = FIELD_FOR_KIND.get(phone.kind)
        if field_name is not None:
            _put_phone(write, field_name, phone, ("phones", str(index)))


def _put_phone(write: Is24Write, name: str, phone: PhoneInput, base: FieldPath) -> None:
    parts = (phone.country_code, phone.area_code, phone.subscriber)
    for part_field, value, input_name in zip(
        rules.part_fields(name), parts, PART_INPUTS, strict=True
    ):
        write.set_or_clear(part_field, value, (*base, input_name))
    if phone.number:
        write.put(name, is24_number(phone.number), (*base, "number"))


def is24_number(number: str) -> str:
    """A compact E.164 number in IS24's divided form; anything else unchanged."""
    if not _COMPACT_E164.fullmatch(number):
        return number
    parsed = parse_phone(number)
    if parsed is None or not parsed.area_code:
        return number
    return f"{parsed.country_code} {parsed.area_code} {parsed.subscriber}"


def _put_address(write: Is24Write, addresses: tuple[Address, ...]) -> None:
    write.clear("address", ("addresses",))
    write.clear("countryCode", ("addresses",))
    if not addresses:
        return
    address, base = addresses[0], ("addresses", "0")
    values = {
        "street": address.street_lines[0] if address.street_lines else None,
        "houseNumber": address.house_number,
        "postcode": address.postal_code,
        "city": address.locality,
    }
    parts = {key: value for key, value in values.items() if value}
    for key in parts:
        suffix = ("streetLines", "0") if key == "street" else (ADDRESS_INPUTS[key],)
        write.paths[f"address.{key}"] = (*base, *suffix)
    if parts:
        write.put("address", parts, base)
    write.set_or_clear("countryCode", address.country, (*base, "country"))


def _put_extras(write: Is24Write, extras: Is24ContactInput) -> None:
    for attribute, name in EXTRA_FIELDS.items():
        value = getattr(extras, attribute)
        if not is_set(value):
            continue
        path = ("is24", EXTRA_INPUTS[name])
        if isinstance(value, bool):
            write.put(name, value, path)
        else:
            write.set_or_clear(name, value if isinstance(value, str) else None, path)
