"""Unified record -> the keyword arguments every Contact type shares (pure conversion)."""

from __future__ import annotations

from typing import Any

import strawberry

from providers import model
from providers.model import ContactRecord
from schema.contact import Address, Email, Freshness, Phone, ServedFrom
from schema.ids import encode_global_id


def unified_fields(record: ContactRecord) -> dict[str, Any]:
    """The Contact interface's fields of a record, ready for a type's constructor."""
    return {
        "id": strawberry.ID(encode_global_id(record.provider, record.native_id)),
        "provider": record.provider,
        "native_id": record.native_id,
        "display_name": record.display_name,
        "salutation": record.salutation,
        "title": record.title,
        "given_name": record.given_name,
        "middle_name": record.middle_name,
        "family_name": record.family_name,
        "organization": record.organization,
        "position": record.position,
        "emails": [
            Email(
                address=e.address,
                kind=e.kind,
                receives_notifications=e.receives_notifications,
                deliverable=e.deliverable,
            )
            for e in record.emails
        ],
        "phones": [
            Phone(
                kind=p.kind,
                e164=p.e164,
                country_code=p.country_code,
                area_code=p.area_code,
                subscriber=p.subscriber,
                raw=p.raw,
            )
            for p in record.phones
        ],
        "addresses": [
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
        ],
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "freshness": _freshness(record.freshness),
        "_record": record,
    }


def _freshness(freshness: model.Freshness | None) -> Freshness | None:
    if freshness is None:
        return None
    served = ServedFrom.CACHE if freshness.from_cache else ServedFrom.PROVIDER
    return Freshness(served_from=served, fetched_at=freshness.fetched_at, stale=freshness.stale)
