"""Unified record -> the keyword arguments every Contact type shares (pure conversion)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from providers import model
from providers.model import ContactRecord
from schema.contact import Address, Email, Freshness, Phone, ServedFrom
from schema.ids import encode_global_id


def _freshness(freshness: model.Freshness | None) -> Freshness | None:
    if freshness is None:
        return None
    served = ServedFrom.CACHE if freshness.from_cache else ServedFrom.PROVIDER
    return Freshness(served_from=served, fetched_at=freshness.fetched_at, stale=freshness.stale)


def _emails(record: ContactRecord) -> list[Email]:
    return [
        Email(
            address=e.address,
            kind=e.kind,
            receives_notifications=e.receives_notifications,
            deliverable=e.deliverable,
        )
        for e in record.emails
    ]


def _phones(record: ContactRecord) -> list[Phone]:
    return [
        Phone(
            kind=p.kind,
            e164=p.e164,
            country_code=p.country_code,
            area_code=p.area_code,
            subscriber=p.subscriber,
            raw=p.raw,
        )
        for p in record.phones
    ]


def _addresses(record: ContactRecord) -> list[Address]:
    return [
        Address(
            kind=a.kind,
            street_lines=list(a.street_lines),
            house_number=a.house_number,
            postal_code=a.postal_code,
            locality=a.locality,
            region=a.region,
            country=a.country,
        )
        for a in record.addresses
    ]


def _global_id(record: ContactRecord) -> strawberry.ID:
    return strawberry.ID(encode_global_id(record.provider, record.native_id))


UNIFIED_READERS: dict[str, str | Callable[[ContactRecord], Any]] = {
    "id": _global_id,
    "provider": "provider",
    "native_id": "native_id",
    "display_name": "display_name",
    "salutation": "salutation",
    "title": "title",
    "given_name": "given_name",
    "middle_name": "middle_name",
    "family_name": "family_name",
    "organization": "organization",
    "position": "position",
    "emails": _emails,
    "phones": _phones,
    "addresses": _addresses,
    "created_at": "created_at",
    "updated_at": "updated_at",
    "freshness": lambda record: _freshness(record.freshness),
}
"""How each Contact interface field is read from a record: a record attribute of that
name, or a function of the record (the lazy contact types in schema/lazy.py use it)."""
