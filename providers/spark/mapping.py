"""Spark contact JSON <-> the unified model, both directions.

Reads are lenient (a missing attribute is None); writes produce the Spark
attribute dict plus, for each attribute, the unified input path it came from,
so a rule broken by `DisplayName` is reported on `displayName`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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
from providers.phones import given_parts, number_source, parse_phone
from providers.spark.types import (
    Activity,
    DailyActivity,
    NewsFeedSummary,
    Note,
    PortalAccount,
    RecordStatus,
    SparkContactInput,
    SparkExtras,
)

PHONE_ATTRIBUTES: dict[PhoneKind, str] = {
    PhoneKind.PRIMARY: "PrimaryPhoneNumber",
    PhoneKind.HOME: "HomePhoneNumber",
    PhoneKind.WORK: "WorkPhoneNumber",
    PhoneKind.FAX: "FaxPhoneNumber",
    PhoneKind.MOBILE: "MobilePhoneNumber",
    PhoneKind.PAGER: "PagerPhoneNumber",
    PhoneKind.OTHER: "OtherPhoneNumber",
}
ADDRESS_PREFIXES: dict[AddressKind, str] = {AddressKind.HOME: "Home", AddressKind.WORK: "Work"}
ADDRESS_PARTS = ("StreetAddress", "Locality", "Region", "PostalCode")

NAME_ATTRIBUTES: dict[str, str] = {
    "display_name": "DisplayName",
    "given_name": "GivenName",
    "middle_name": "MiddleName",
    "family_name": "FamilyName",
    "organization": "Organization",
    "position": "Position",
}
EXTRA_TEXT_ATTRIBUTES: dict[str, str] = {
    "note": "Note",
    "spouse_given_name": "SpouseGivenName",
    "spouse_middle_name": "SpouseMiddleName",
    "spouse_family_name": "SpouseFamilyName",
    "birthday": "Birthday",
    "anniversary": "Anniversary",
    "assistant": "Assistant",
    "children": "Children",
    "status": "Status",
    "other": "Other",
    "pets": "Pets",
    "referred_by": "ReferredBy",
    "mobile_phone_country_code": "MobilePhoneCountryCode",
}
SALUTATION_TEXT: dict[Salutation, str | None] = {
    Salutation.MR: "Mr.",
    Salutation.MS: "Ms.",
    Salutation.MX: "Mx.",
    Salutation.NONE: None,
}
_SALUTATION_WORDS = {
    "mr": Salutation.MR,
    "ms": Salutation.MS,
    "mrs": Salutation.MS,
    "miss": Salutation.MS,
    "mx": Salutation.MX,
}

# Unified field name -> the Spark attributes that carry it (for `_select`).
FIELD_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    **{name: (attr,) for name, attr in NAME_ATTRIBUTES.items()},
    **{name: (attr,) for name, attr in EXTRA_TEXT_ATTRIBUTES.items()},
    "native_id": ("Id",),
    "title": (),
    "salutation_text": ("Salutation",),
    "id": ("Id",),
    "salutation": ("Salutation",),
    "emails": ("PrimaryEmail", "SecondaryEmails", "AdditionalNotificationEmails", "InvalidEmails"),
    "phones": (*PHONE_ATTRIBUTES.values(), "MobilePhoneCountryCode"),
    "addresses": tuple(p + part for p in ADDRESS_PREFIXES.values() for part in ADDRESS_PARTS),
    "created_at": ("CreatedTimestamp",),
    "updated_at": ("ModificationTimestamp",),
    "resource_uri": ("ResourceUri",),
    "record_status": ("RecordStatus",),
    "owner_id": ("OwnerId",),
    "tags": ("Tags",),
    "news_feed_notification_ui": ("NewsFeedNotificationUI",),
    "portal_invitation_at": ("PortalInvitationTimestamp",),
    "reverse_prospecting": ("Settings",),
}


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value != "" else None


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _bool(raw: Mapping[str, Any], key: str) -> bool | None:
    value = raw.get(key)
    return value if isinstance(value, bool) else None


def salutation_from_text(text: str | None) -> Salutation | None:
    if text is None:
        return None
    return _SALUTATION_WORDS.get(text.strip().rstrip(".").lower())


def record_from_spark(
    raw: Mapping[str, Any], expansions: frozenset[str], default_region: str | None
) -> ContactRecord:
    """Map one Spark contact object (as returned by the API) to the unified record."""
    salutation_text = _text(raw, "Salutation")
    return ContactRecord(
        provider=ProviderName.SPARK,
        native_id=str(raw.get("Id", "")),
        display_name=_text(raw, "DisplayName"),
        salutation=salutation_from_text(salutation_text),
        given_name=_text(raw, "GivenName"),
        middle_name=_text(raw, "MiddleName"),
        family_name=_text(raw, "FamilyName"),
        organization=_text(raw, "Organization"),
        position=_text(raw, "Position"),
        emails=_emails_from_spark(raw),
        phones=_phones_from_spark(raw, default_region),
        addresses=_addresses_from_spark(raw),
        created_at=parse_timestamp(raw.get("CreatedTimestamp")),
        updated_at=parse_timestamp(raw.get("ModificationTimestamp")),
        extras=_extras_from_spark(raw, salutation_text),
        expansions_loaded=expansions,
    )


def _emails_from_spark(raw: Mapping[str, Any]) -> tuple[Email, ...]:
    invalid = {e.lower() for e in _strings(raw, "InvalidEmails")}
    notified = {e.lower() for e in _strings(raw, "AdditionalNotificationEmails")}
    emails: list[Email] = []
    primary = _text(raw, "PrimaryEmail")
    if primary:
        emails.append(Email(primary, EmailKind.PRIMARY, True, primary.lower() not in invalid))
    for address in _strings(raw, "SecondaryEmails"):
        key = address.lower()
        emails.append(Email(address, EmailKind.SECONDARY, key in notified, key not in invalid))
    return tuple(emails)


def _phones_from_spark(raw: Mapping[str, Any], default_region: str | None) -> tuple[Phone, ...]:
    phones: list[Phone] = []
    mobile_region = _text(raw, "MobilePhoneCountryCode")
    for kind, attribute in PHONE_ATTRIBUTES.items():
        number = _text(raw, attribute)
        if number is None:
            continue
        region = mobile_region if kind is PhoneKind.MOBILE and mobile_region else default_region
        parsed = parse_phone(number, region)
        if parsed is None:
            phones.append(Phone(kind=kind, raw=number))
            continue
        phones.append(
            Phone(
                kind, number, parsed.e164, parsed.country_code, parsed.area_code, parsed.subscriber
            )
        )
    return tuple(phones)


def _addresses_from_spark(raw: Mapping[str, Any]) -> tuple[Address, ...]:
    addresses: list[Address] = []
    for kind, prefix in ADDRESS_PREFIXES.items():
        street, locality, region, postal = (_text(raw, prefix + p) for p in ADDRESS_PARTS)
        if not any((street, locality, region, postal)):
            continue
        lines = tuple(line for line in (street or "").split("\n") if line)
        addresses.append(Address(kind, lines, None, postal, locality, region, None))
    return tuple(addresses)


def _extras_from_spark(raw: Mapping[str, Any], salutation_text: str | None) -> SparkExtras:
    settings = raw.get("Settings")
    status = _text(raw, "RecordStatus")
    return SparkExtras(
        resource_uri=_text(raw, "ResourceUri"),
        record_status=_record_status(status),
        owner_id=_text(raw, "OwnerId"),
        salutation_text=salutation_text,
        tags=_strings(raw, "Tags"),
        **{name: _text(raw, attr) for name, attr in EXTRA_TEXT_ATTRIBUTES.items()},
        news_feed_notification_ui=_text(raw, "NewsFeedNotificationUI"),
        portal_invitation_at=parse_timestamp(raw.get("PortalInvitationTimestamp")),
        reverse_prospecting=_bool(settings, "ReverseProspecting")
        if isinstance(settings, dict)
        else None,
        activity=_activity(raw),
        news_feed_summary=_news_feed(raw, "Listing"),
        news_feed_notification_summary=_news_feed(raw, "ListingNotification"),
        notes=_notes(raw),
        portal=_portal(raw.get("Portal")),
        vow_active=_bool(raw, "VowActive"),
        vow_exists=_bool(raw, "VowExists"),
        unique_primary_email=_bool(raw, "UniquePrimaryEmail"),
    )


def _record_status(value: str | None) -> RecordStatus | None:
    try:
        return RecordStatus(value) if value is not None else None
    except ValueError:
        return None


def _activity(raw: Mapping[str, Any]) -> Activity | None:
    activity = raw.get("Activity")
    if not isinstance(activity, dict):
        return None
    daily_raw = raw.get("DailyActivity")
    daily = None
    if isinstance(daily_raw, list):
        daily = tuple(
            DailyActivity(
                date.fromisoformat(d["Date"]), _int(d.get("Score")), _float(d.get("RelativeScore"))
            )
            for d in daily_raw
            if isinstance(d, dict) and isinstance(d.get("Date"), str)
        )
    return Activity(_int(activity.get("Score")), _float(activity.get("RelativeScore")), daily)


def _news_feed(raw: Mapping[str, Any], kind: str) -> NewsFeedSummary | None:
    keys = (f"Last{kind}EventTimestamp", f"Unapproved{kind}EventCount", f"Unread{kind}EventCount")
    if not any(k in raw for k in keys):
        return None
    return NewsFeedSummary(
        parse_timestamp(raw.get(keys[0])), _int(raw.get(keys[1])), _int(raw.get(keys[2]))
    )


def _notes(raw: Mapping[str, Any]) -> tuple[Note, ...] | None:
    notes = raw.get("Notes")
    if not isinstance(notes, list):
        return None
    return tuple(
        Note(
            str(n.get("Id", "")), str(n.get("Note", "")), parse_timestamp(n.get("CreatedTimestamp"))
        )
        for n in notes
        if isinstance(n, dict)
    )


def _portal(portal: object) -> PortalAccount | None:
    if not isinstance(portal, dict):
        return None
    return PortalAccount(
        id=str(portal.get("Id", "")),
        username=_text(portal, "Username"),
        enabled=portal.get("Enabled") is True,
        created_at=parse_timestamp(portal.get("CreatedTimestamp")),
        last_login_at=parse_timestamp(portal.get("LastLoginTimestamp")),
    )


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
