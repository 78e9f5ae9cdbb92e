"""The AutoDNS read mapping as it was before it was made faster (commit 6a67873), kept
verbatim as the oracle `test_mapping_reads.py` compares `record_from_autodns` with.

Plain and slow on purpose (a number is parsed on every read). Only the tables it shares
with production are imported: they name AutoDNS's fields, not how to read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from providers.autodns.mapping import ADDRESS_KIND, ADDRESS_PARTS, PHONE_FIELDS
from providers.autodns.rules import e164_from_wire
from providers.autodns.types import AccountRef, AutoDnsExtras, ContactType
from providers.model import (
    Address,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
    ProviderName,
)


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value.strip() else None


def parse_time(value: object) -> datetime | None:
    """AutoDNS times (`2019-06-28T14:52:48.000+0200`); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def record_from_autodns(raw: Mapping[str, Any], stid: str | None) -> ContactRecord:
    """Map one AutoDNS contact object to the unified record; `stid` is the read's."""
    extras = _extras(raw, stid)
    given, family, organization = (
        _text(raw, "fname"),
        _text(raw, "lname"),
        _text(raw, "organization"),
    )
    return ContactRecord(
        provider=ProviderName.AUTODNS,
        native_id=str(raw.get("id", "")),
        display_name=display_name(extras.type, given, family, organization),
        title=_text(raw, "title"),
        given_name=given,
        family_name=family,
        organization=organization,
        emails=_emails(raw),
        phones=_phones(raw),
        addresses=_addresses(raw),
        created_at=parse_time(raw.get("created")),
        updated_at=parse_time(raw.get("updated")),
        extras=extras,
    )


def display_name(
    kind: ContactType | None, given: str | None, family: str | None, organization: str | None
) -> str | None:
    """The derived display name: the person's (or role's) name, or the organization."""
    person = " ".join(n for n in (given, family) if n) or None
    if kind is ContactType.ORG:
        return organization or person
    return person or organization


def _emails(raw: Mapping[str, Any]) -> tuple[Email, ...]:
    email = _text(raw, "email")
    return (Email(email, EmailKind.PRIMARY),) if email else ()


def _phones(raw: Mapping[str, Any]) -> tuple[Phone, ...]:
    phones = []
    for kind, name in PHONE_FIELDS.items():
        number = _text(raw, name)
        if number is not None:
            phones.append(phone_from_wire(kind, number))
    return tuple(phones)


def phone_from_wire(kind: PhoneKind, wire: str) -> Phone:
    """`+49-941-1234567` -> E.164 and the parts as AutoDNS splits them; raw only if unreadable."""
    e164 = e164_from_wire(wire)
    if e164 is None:
        return Phone(kind=kind, raw=wire)
    country, area, subscriber = wire.split("-", 2)
    return Phone(kind, wire, e164, country, area, subscriber)


def _addresses(raw: Mapping[str, Any]) -> tuple[Address, ...]:
    lines_raw = raw.get("address")
    lines = tuple(
        line for line in (lines_raw if isinstance(lines_raw, list) else []) if isinstance(line, str)
    )
    pcode, city, state, country = (_text(raw, k) for k in ADDRESS_PARTS)
    if not (lines or pcode or city or state or country):
        return ()
    return (Address(ADDRESS_KIND, lines, None, pcode, city, state, country),)


def _extras(raw: Mapping[str, Any], stid: str | None) -> AutoDnsExtras:
    domainsafe = raw.get("domainsafe")
    return AutoDnsExtras(
        alias=_text(raw, "alias"),
        type=_contact_type(raw.get("type")),
        protection=_text(raw, "protection"),
        comment=_text(raw, "comment"),
        sip=_text(raw, "sip"),
        verification=_text(raw, "verification"),
        domainsafe=domainsafe if isinstance(domainsafe, bool) else None,
        owner=_account(raw.get("owner")),
        updater=_account(raw.get("updater")),
        stid=stid,
    )


def _contact_type(value: object) -> ContactType | None:
    try:
        return ContactType(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _account(value: object) -> AccountRef | None:
    if not isinstance(value, dict):
        return None
    context, user = value.get("context"), value.get("user")
    return AccountRef(
        context=context if isinstance(context, int) and not isinstance(context, bool) else None,
        user=user if isinstance(user, str) else None,
    )
