"""The Spark read mapping as it was before it was made faster (commit 6a67873), kept
verbatim as the oracle `test_mapping_reads.py` compares `record_from_spark` with.

Plain and slow on purpose: one helper call per attribute. Only the tables it shares with
production (`attributes.py`) are imported: they name Spark's attributes, not how to read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from providers.model import (
    Address,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
    ProviderName,
    Salutation,
)
from providers.phones import parse_phone
from providers.spark.attributes import (
    ADDRESS_PARTS,
    ADDRESS_PREFIXES,
    EXTRA_TEXT_ATTRIBUTES,
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

_SALUTATION_WORDS = {
    "mr": Salutation.MR,
    "ms": Salutation.MS,
    "mrs": Salutation.MS,
    "miss": Salutation.MS,
    "mx": Salutation.MX,
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
