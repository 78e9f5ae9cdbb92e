"""Spark contact JSON -> the unified record: the read direction of the mapping.

Reads are lenient (a missing or malformed attribute is None, an empty list, or left
out). This runs for every contact of every page read, so it is written for speed: each
attribute is read once through one table, records are built by position with
`fast_init`, and the emails, phones and addresses it builds are memoised values.
`tests/spark/reference_mapping.py` keeps the plain version it must agree with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from functools import lru_cache
from typing import Any, Final

from providers.fast_init import fast_init
from providers.model import (
    Address,
    AddressKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
    ProviderName,
    Salutation,
)
from providers.phones import PARSED_NUMBERS_KEPT, parse_phone
from providers.spark.attributes import (
    ADDRESS_PARTS,
    ADDRESS_PREFIXES,
    EXTRA_TEXT_ATTRIBUTES,
    NAME_ATTRIBUTES,
    PHONE_ATTRIBUTES,
)
from providers.spark.types import (
    Activity,
    DailyActivity,
    NewsFeedSummary,
    Note,
    PortalAccount,
    RecordStatus,
    SparkExtras,
)
from providers.timestamps import parse_timestamp

_SALUTATION_WORDS = {
    "mr": Salutation.MR,
    "ms": Salutation.MS,
    "mrs": Salutation.MS,
    "miss": Salutation.MS,
    "mx": Salutation.MX,
}

# Every attribute read as text, in the order `record_from_spark` unpacks them: one pass
# over this table stands in for ~40 helper calls per contact (a page maps 100 of them).
_HEAD_TEXT: Final = (
    *NAME_ATTRIBUTES.values(),
    "Salutation",
    "PrimaryEmail",
    "ResourceUri",
    "OwnerId",
    "RecordStatus",
    "NewsFeedNotificationUI",
)
_EXTRA_TEXT: Final = tuple(EXTRA_TEXT_ATTRIBUTES.values())  # SparkExtras' field order
_PHONE_TEXT: Final = tuple(PHONE_ATTRIBUTES.values())
_ADDRESS_TEXT: Final = tuple(p + part for p in ADDRESS_PREFIXES.values() for part in ADDRESS_PARTS)
_TEXT_ATTRIBUTES: Final = (*_HEAD_TEXT, *_EXTRA_TEXT, *_PHONE_TEXT, *_ADDRESS_TEXT)
_NAMES_AT: Final = slice(0, 8)  # the first eight of _HEAD_TEXT, unpacked by name
_MORE_AT: Final = slice(8, len(_HEAD_TEXT))
_EXTRAS_AT: Final = slice(_MORE_AT.stop, _MORE_AT.stop + len(_EXTRA_TEXT))
_PHONES_AT: Final = slice(_EXTRAS_AT.stop, _EXTRAS_AT.stop + len(_PHONE_TEXT))
_ADDRESSES_AT: Final = slice(_PHONES_AT.stop, _PHONES_AT.stop + len(_ADDRESS_TEXT))
_MOBILE_REGION_AT: Final = _TEXT_ATTRIBUTES.index("MobilePhoneCountryCode")
_PHONE_KINDS: Final = tuple(PHONE_ATTRIBUTES)
_ADDRESS_SLOTS: Final = tuple(
    (kind, slice(i * len(ADDRESS_PARTS), (i + 1) * len(ADDRESS_PARTS)))
    for i, kind in enumerate(ADDRESS_PREFIXES)
)
_RECORD_STATUSES: Final = {status.value: status for status in RecordStatus}
_LISTING_FEED: Final = (
    "LastListingEventTimestamp",
    "UnapprovedListingEventCount",
    "UnreadListingEventCount",
)
_NOTIFICATION_FEED: Final = (
    "LastListingNotificationEventTimestamp",
    "UnapprovedListingNotificationEventCount",
    "UnreadListingNotificationEventCount",
)
_EXTRA_OBJECTS: Final = ("Settings", "Tags", "Activity", "Notes", "Portal")
_NO_EMAILS: Final[frozenset[str]] = frozenset()

VALUES_KEPT: Final = PARSED_NUMBERS_KEPT
"""Emails, phones and addresses remembered as built: pages repeat the same contacts, the
values are immutable (records may share them), and a hit costs a quarter of building one
(a phone's hit also skips its parse lookup). Like `parse_phone`'s cache, memory only."""

_email: Final = lru_cache(maxsize=VALUES_KEPT)(Email)
_new_record: Final = fast_init(ContactRecord)
_new_extras: Final = fast_init(SparkExtras)
_new_activity: Final = fast_init(Activity)
_new_daily: Final = fast_init(DailyActivity)
_new_feed: Final = fast_init(NewsFeedSummary)
_new_note: Final = fast_init(Note)
_new_portal: Final = fast_init(PortalAccount)


def _expect_fields(cls: type, names: tuple[str, ...]) -> None:
    """Fail at import if a record type's fields moved: the read path passes them by position."""
    if tuple(f.name for f in fields(cls)) != names:
        raise TypeError(f"{cls.__name__} fields changed; update the Spark read mapping")


_expect_fields(
    ContactRecord,
    (
        *("provider", "native_id", "display_name", "salutation", "title", "given_name"),
        *("middle_name", "family_name", "organization", "position", "emails", "phones"),
        *("addresses", "created_at", "updated_at", "extras", "expansions_loaded", "freshness"),
    ),
)
_expect_fields(
    SparkExtras,
    (
        *("resource_uri", "record_status", "owner_id", "salutation_text", "tags"),
        *EXTRA_TEXT_ATTRIBUTES,
        *("news_feed_notification_ui", "portal_invitation_at", "reverse_prospecting"),
        *("activity", "news_feed_summary", "news_feed_notification_summary", "notes", "portal"),
        *("vow_active", "vow_exists", "unique_primary_email"),
    ),
)


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value != "" else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _bool(value: object) -> bool | None:
    return value if value is True or value is False else None


def salutation_from_text(text: str | None) -> Salutation | None:
    if text is None:
        return None
    return _SALUTATION_WORDS.get(text.strip().rstrip(".").lower())


def record_from_spark(
    raw: Mapping[str, Any], expansions: frozenset[str], default_region: str | None
) -> ContactRecord:
    """Map one Spark contact object (as returned by the API) to the unified record.

    It runs for every contact of every page, so each attribute is read once, through
    `_TEXT_ATTRIBUTES`, and the records are built by position (`_expect_fields`).
    """
    get = raw.get
    texts = [v if isinstance(v, str) and v else None for v in map(get, _TEXT_ATTRIBUTES)]
    display, given, middle, family, organization, position, salutation_text, email = texts[
        _NAMES_AT
    ]
    return _new_record(
        ProviderName.SPARK,
        str(get("Id", "")),
        display,
        salutation_from_text(salutation_text),
        None,  # title: Spark has none
        given,
        middle,
        family,
        organization,
        position,
        _emails_from_spark(get, email),
        _phones_from_spark(texts[_PHONES_AT], texts[_MOBILE_REGION_AT], default_region),
        _addresses_from_spark(texts[_ADDRESSES_AT]),
        parse_timestamp(get("CreatedTimestamp")),
        parse_timestamp(get("ModificationTimestamp")),
        _extras_from_spark(raw, texts, salutation_text),
        expansions,
        None,  # freshness: set above the provider
    )


def _emails_from_spark(get: Callable[[str], Any], primary: str | None) -> tuple[Email, ...]:
    invalid = _lowered(get("InvalidEmails"))
    emails: list[Email] = []
    if primary:
        deliverable = not invalid or primary.lower() not in invalid
        emails.append(_email(primary, EmailKind.PRIMARY, True, deliverable))
    secondary = get("SecondaryEmails")
    if isinstance(secondary, list) and secondary:
        notified = _lowered(get("AdditionalNotificationEmails"))
        for address in secondary:
            if isinstance(address, str):
                key = address.lower()
                emails.append(
                    _email(address, EmailKind.SECONDARY, key in notified, key not in invalid)
                )
    return tuple(emails)


def _lowered(value: object) -> frozenset[str] | set[str]:
    """The strings of a JSON list, lower-cased (the email sets are compared without case)."""
    if not isinstance(value, list) or not value:
        return _NO_EMAILS
    return {v.lower() for v in value if isinstance(v, str)}


def _phones_from_spark(
    numbers: list[str | None], mobile_region: str | None, default_region: str | None
) -> tuple[Phone, ...]:
    mobile_default = mobile_region or default_region
    return tuple(
        [
            _phone(kind, number, mobile_default if kind is PhoneKind.MOBILE else default_region)
            for kind, number in zip(_PHONE_KINDS, numbers, strict=True)
            if number is not None
        ]
    )


@lru_cache(maxsize=VALUES_KEPT)
def _phone(kind: PhoneKind, number: str, region: str | None) -> Phone:
    parsed = parse_phone(number, region)
    if parsed is None:
        return Phone(kind=kind, raw=number)
    return Phone(
        kind, number, parsed.e164, parsed.country_code, parsed.area_code, parsed.subscriber
    )


def _addresses_from_spark(parts: list[str | None]) -> tuple[Address, ...]:
    addresses: list[Address] = []
    for kind, at in _ADDRESS_SLOTS:
        street, locality, region, postal = parts[at]
        if street or locality or region or postal:
            addresses.append(_address(kind, street, locality, region, postal))
    return tuple(addresses)


@lru_cache(maxsize=VALUES_KEPT)
def _address(
    kind: AddressKind,
    street: str | None,
    locality: str | None,
    region: str | None,
    postal: str | None,
) -> Address:
    lines = tuple([line for line in street.split("\n") if line]) if street else ()
    return Address(kind, lines, None, postal, locality, region, None)


def _extras_from_spark(
    raw: Mapping[str, Any], texts: list[str | None], salutation_text: str | None
) -> SparkExtras:
    get = raw.get
    resource_uri, owner_id, status, feed_ui = texts[_MORE_AT]
    (note, spouse_given, spouse_middle, spouse_family, birthday, anniversary, assistant,
     children, status_text, other, pets, referred_by, mobile_cc) = texts[_EXTRAS_AT]  # fmt: skip
    settings, tags, activity, notes, portal = map(get, _EXTRA_OBJECTS)
    return _new_extras(
        resource_uri,
        _RECORD_STATUSES.get(status) if status is not None else None,
        owner_id,
        salutation_text,
        tuple([t for t in tags if isinstance(t, str)]) if isinstance(tags, list) else (),
        note,
        spouse_given,
        spouse_middle,
        spouse_family,
        birthday,
        anniversary,
        assistant,
        children,
        status_text,
        other,
        pets,
        referred_by,
        mobile_cc,
        feed_ui,
        parse_timestamp(get("PortalInvitationTimestamp")),
        _bool(settings.get("ReverseProspecting")) if isinstance(settings, dict) else None,
        _activity(activity, get("DailyActivity")) if isinstance(activity, dict) else None,
        _news_feed(raw, _LISTING_FEED),
        _news_feed(raw, _NOTIFICATION_FEED),
        _notes(notes) if isinstance(notes, list) else None,
        _portal(portal) if isinstance(portal, dict) else None,
        _bool(get("VowActive")),
        _bool(get("VowExists")),
        _bool(get("UniquePrimaryEmail")),
    )


def _activity(activity: dict[str, Any], daily_raw: object) -> Activity:
    daily = None
    if isinstance(daily_raw, list):
        daily = tuple(
            [
                _new_daily(
                    date.fromisoformat(d["Date"]),
                    _int(d.get("Score")),
                    _float(d.get("RelativeScore")),
                )
                for d in daily_raw
                if isinstance(d, dict) and isinstance(d.get("Date"), str)
            ]
        )
    return _new_activity(_int(activity.get("Score")), _float(activity.get("RelativeScore")), daily)


def _news_feed(raw: Mapping[str, Any], keys: tuple[str, str, str]) -> NewsFeedSummary | None:
    last, unapproved, unread = keys
    if last not in raw and unapproved not in raw and unread not in raw:
        return None
    return _new_feed(
        parse_timestamp(raw.get(last)), _int(raw.get(unapproved)), _int(raw.get(unread))
    )


def _notes(notes: list[Any]) -> tuple[Note, ...]:
    return tuple(
        [
            _new_note(
                str(n.get("Id", "")),
                str(n.get("Note", "")),
                parse_timestamp(n.get("CreatedTimestamp")),
            )
            for n in notes
            if isinstance(n, dict)
        ]
    )


def _portal(portal: dict[str, Any]) -> PortalAccount:
    return _new_portal(
        id=str(portal.get("Id", "")),
        username=_text(portal, "Username"),
        enabled=portal.get("Enabled") is True,
        created_at=parse_timestamp(portal.get("CreatedTimestamp")),
        last_login_at=parse_timestamp(portal.get("LastLoginTimestamp")),
    )
