"""How the Contact interface's fields are read from a unified record (pure conversion)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from providers import model
from providers.model import ContactRecord
from schema.contact import Freshness, ServedFrom
from schema.ids import encode_global_id


def _freshness(freshness: model.Freshness | None) -> Freshness | None:
    if freshness is None:
        return None
    served = ServedFrom.CACHE if freshness.from_cache else ServedFrom.PROVIDER
    return Freshness(served_from=served, fetched_at=freshness.fetched_at, stale=freshness.stale)


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
    "emails": "emails",
    "phones": "phones",
    "addresses": "addresses",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "freshness": lambda record: _freshness(record.freshness),
}
"""How each Contact interface field is read from a record: a record attribute of that
name, or a function of the record (the lazy contact types in schema/lazy.py use it).

The record's emails, phones and addresses are served as they are: the model's `Email`,
`Phone` and `Address` carry every attribute the GraphQL types of the same names read
(tests/test_lazy_contacts.py holds them to that), and those types have no resolvers,
so copying each into a Strawberry object would only cost time."""
