"""Spark contact JSON <-> the unified model, both directions.

Reads are lenient (a missing attribute is None); they live in `reading.py` and are
re-exported here. Writes produce the Spark attribute dict plus, for each attribute, the
unified input path it came from, so a rule broken by `DisplayName` is reported on
`displayName`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.model import (
    Address,
    AddressKind,
    ContactInput,
    Email,
    EmailKind,
    FieldPath,
    PhoneInput,
    PhoneKind,
    Salutation,
    is_set,
)
from providers.phones import given_parts, number_source, parse_phone
from providers.spark.attributes import (
    ADDRESS_PARTS,
    ADDRESS_PREFIXES,
    EXTRA_TEXT_ATTRIBUTES,
    NAME_ATTRIBUTES,
    PHONE_ATTRIBUTES,
    SALUTATION_TEXT,
)
from providers.spark.attributes import FIELD_ATTRIBUTES as FIELD_ATTRIBUTES
from providers.spark.reading import record_from_spark as record_from_spark
from providers.spark.reading import salutation_from_text as salutation_from_text
from providers.spark.types import SparkContactInput
from providers.timestamps import parse_timestamp as parse_timestamp


@dataclass(slots=True)
class SparkWrite:
    """Spark attributes to send, and the unified input path each one came from."""

    attributes: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, FieldPath] = field(default_factory=dict)

    def put(self, attribute: str, value: Any, path: FieldPath) -> None:
        self.attributes[attribute] = value
        self.paths[attribute] = path


def write_from_input(
    data: ContactInput,
    *,
    creating: bool,
    address_kinds: tuple[AddressKind, ...] = (AddressKind.HOME, AddressKind.WORK),
) -> SparkWrite:
    """Turn the set fields of a unified input into Spark attributes.

    `address_kinds` are the addresses a replacing `addresses` list governs (the
    current user's own contact has only HOME, so WORK must stay untouched).
    """
    write = SparkWrite()
    for name, attribute in NAME_ATTRIBUTES.items():
        value = getattr(data, name)
        if is_set(value) and (value is not None or not creating):
            write.put(attribute, value, (_camel(name),))
    if isinstance(data.salutation, Salutation) or (data.salutation is None and not creating):
        text = SALUTATION_TEXT[data.salutation] if data.salutation is not None else None
        write.put("Salutation", text, ("salutation",))
    if isinstance(data.emails, tuple) or (data.emails is None and not creating):
        _put_emails(write, data.emails or ())
    if isinstance(data.phones, tuple) or (data.phones is None and not creating):
        _put_phones(write, data.phones or (), creating=creating)
    if isinstance(data.addresses, tuple) or (data.addresses is None and not creating):
        _put_addresses(write, data.addresses or (), creating=creating, kinds=address_kinds)
    if isinstance(data.extras, SparkContactInput):
        _put_extras(write, data.extras, creating=creating)
    return write


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _put_emails(write: SparkWrite, emails: tuple[Email, ...]) -> None:
    primary = [(i, e) for i, e in enumerate(emails) if e.kind is EmailKind.PRIMARY]
    secondary = [(i, e) for i, e in enumerate(emails) if e.kind is EmailKind.SECONDARY]
    if primary:
        index, email = primary[0]
        write.put("PrimaryEmail", email.address, ("emails", str(index), "address"))
    else:
        write.put("PrimaryEmail", None, ("emails",))
    write.put("SecondaryEmails", [e.address for _, e in secondary], ("emails",))
    notified = [e.address for _, e in secondary if e.receives_notifications]
    write.put("AdditionalNotificationEmails", notified, ("emails",))


def _put_phones(write: SparkWrite, phones: tuple[PhoneInput, ...], *, creating: bool) -> None:
    given = {p.kind: (i, p) for i, p in enumerate(phones)}
    for kind, attribute in PHONE_ATTRIBUTES.items():
        if kind in given:
            index, phone = given[kind]
            text = phone_text(phone)
            write.put(attribute, text, number_source(index, phone))
            if kind is PhoneKind.MOBILE:
                _put_mobile_region(write, text, ("phones", str(index), "countryCode"))
        elif not creating:
            write.put(attribute, None, ("phones",))


def _put_mobile_region(write: SparkWrite, number: str | None, path: FieldPath) -> None:
    """Spark keeps the mobile number's country apart (2 letters); derive it from +CC numbers."""
    parsed = parse_phone(number) if number and number.startswith("+") else None
    if parsed is not None and parsed.region and parsed.region != "ZZ":
        write.put("MobilePhoneCountryCode", parsed.region, path)


def phone_text(phone: PhoneInput) -> str | None:
    """The number as one string: the parts joined by spaces when any is given (they win,
    `given_parts`), else the complete number."""
    parts = given_parts(phone)
    return " ".join(parts) if parts else phone.number or None


def _put_addresses(
    write: SparkWrite,
    addresses: tuple[Address, ...],
    *,
    creating: bool,
    kinds: tuple[AddressKind, ...],
) -> None:
    given = {a.kind: (i, a) for i, a in enumerate(addresses)}
    for kind, prefix in ADDRESS_PREFIXES.items():
        if kind not in given and kind not in kinds:
            continue
        if kind not in given:
            if not creating:
                for part in ADDRESS_PARTS:
                    write.put(prefix + part, None, ("addresses",))
            continue
        index, address = given[kind]
        base: FieldPath = ("addresses", str(index))
        street = "\n".join(address.street_lines)
        if address.house_number:
            street = f"{street} {address.house_number}".strip()
        write.put(prefix + "StreetAddress", street or None, (*base, "streetLines"))
        write.put(prefix + "Locality", address.locality, (*base, "locality"))
        write.put(prefix + "Region", address.region, (*base, "region"))
        write.put(prefix + "PostalCode", address.postal_code, (*base, "postalCode"))


def _put_extras(write: SparkWrite, extras: SparkContactInput, *, creating: bool) -> None:
    def settable(value: object) -> bool:
        return is_set(value) and (value is not None or not creating)

    if settable(extras.record_status):
        status = extras.record_status
        write.put("RecordStatus", str(status) if status else None, ("spark", "recordStatus"))
    if settable(extras.tags):
        tags = extras.tags if isinstance(extras.tags, tuple) else ()
        write.put("Tags", list(tags), ("spark", "tags"))
    for name, attribute in EXTRA_TEXT_ATTRIBUTES.items():
        value = getattr(extras, name)
        if settable(value):
            write.put(attribute, value, ("spark", _camel(name)))
    if settable(extras.reverse_prospecting):
        write.put(
            "Settings",
            {"ReverseProspecting": bool(extras.reverse_prospecting)},
            ("spark", "reverseProspecting"),
        )
    if creating and extras.notify:
        write.put("Notify", True, ("spark", "notify"))
