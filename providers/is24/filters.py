"""The unified filter and order, applied in the adapter: IS24's list has neither.

IS24 answers `GET …/contact` with every contact of the user, unpaged and unfiltered,
so the adapter reads that list once per search and narrows, orders and pages it
here. Matching follows the unified filter's meaning: text fields compare
case-insensitively, whole value, with `*` as a wildcard; `phone` matches any number
as IS24 shows it or in E.164; `email` is the primary address; `city` and
`postalCode` are the address's. IS24 contacts carry no tags, so a tag filter
matches none; they carry no timestamps, so `createdSince`/`updatedSince` cannot be
answered and are refused (UNSUPPORTED) rather than guessed.

The order is the gateway's merge order (`resolvers/ordering.py`): text casefolded,
missing values last in either direction, ties by id — so IS24's pages merge with
other providers' without reordering. IS24 has no createdAt/updatedAt, so ordering by
them (the default order) falls through to the id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any, Final

from providers.errors import FieldIssue, IssueCode, ValidationFailed
from providers.is24.types import Is24Extras, Is24Filter
from providers.is24.validation import MAX_DOCUMENT_BYTES
from providers.model import (
    ContactFilter,
    ContactRecord,
    EmailKind,
    FieldPath,
    ProviderName,
    SortDirection,
    SortField,
    SortOrder,
    extras_of,
)
from providers.wildcards import wildcard_match

UNANSWERABLE: Final = {"updated_since": "updatedSince", "created_since": "createdSince"}
TEXT_FILTERS: Final = {
    "display_name": "displayName",
    "given_name": "givenName",
    "family_name": "familyName",
    "email": "email",
    "phone": "phone",
    "organization": "organization",
    "city": "city",
    "postal_code": "postalCode",
}
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
MAX_VALUE_LENGTH: Final = MAX_DOCUMENT_BYTES
"""No stored contact can hold a longer text, so a longer value can match nothing."""


def check_filter(flt: ContactFilter) -> None:
    """Refuse filters IS24 data cannot answer (no timestamps) and values no contact can
    hold (control characters, as every provider refuses them; oversized values) before any
    upstream call."""
    issues = [
        FieldIssue(
            ("filter", name),
            IssueCode.UNSUPPORTED,
            "IS24 contacts carry no timestamps; this filter cannot be answered",
        )
        for attribute, name in UNANSWERABLE.items()
        if getattr(flt, attribute) is not None
    ]
    for path, value in _filter_texts(flt):
        if _CONTROL.search(value):
            text = "control characters are not allowed in filters"
            issues.append(FieldIssue(path, IssueCode.INVALID, text))
        elif len(value) > MAX_VALUE_LENGTH:
            text = f"at most {MAX_VALUE_LENGTH} characters"
            issues.append(FieldIssue(path, IssueCode.TOO_LONG, text))
    if issues:
        raise ValidationFailed(issues, provider=ProviderName.IS24)


def _filter_texts(flt: ContactFilter) -> list[tuple[FieldPath, str]]:
    texts: list[tuple[FieldPath, str | None]] = [
        (("filter", name), getattr(flt, attribute)) for attribute, name in TEXT_FILTERS.items()
    ]
    texts += [(("filter", "tags"), tag) for tag in flt.tags or ()]
    if isinstance(flt.extras, Is24Filter):
        texts.append((("filter", "is24", "externalId"), flt.extras.external_id))
    return [(path, value) for path, value in texts if value is not None]


def text_matches(pattern: str, value: str | None) -> bool:
    """Whole-value, case-insensitive match with `*` as a wildcard (linear time)."""
    return value is not None and wildcard_match(pattern, value)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def phone_matches(pattern: str, record: ContactRecord) -> bool:
    for phone in record.phones:
        if text_matches(pattern, phone.raw) or text_matches(pattern, phone.e164):
            return True
        if "*" not in pattern and phone.e164 and _digits(pattern) == _digits(phone.e164):
            return True
    return False


def _primary_email(record: ContactRecord) -> str | None:
    return next((e.address for e in record.emails if e.kind is EmailKind.PRIMARY), None)


def _locality(record: ContactRecord) -> str | None:
    return record.addresses[0].locality if record.addresses else None


def _postal_code(record: ContactRecord) -> str | None:
    return record.addresses[0].postal_code if record.addresses else None


def _text_checks(flt: ContactFilter) -> list[tuple[str | None, Callable[[ContactRecord], Any]]]:
    return [
        (flt.display_name, lambda r: r.display_name),
        (flt.given_name, lambda r: r.given_name),
        (flt.family_name, lambda r: r.family_name),
        (flt.email, _primary_email),
        (flt.organization, lambda r: r.organization),
        (flt.city, _locality),
        (flt.postal_code, _postal_code),
    ]


def matches(record: ContactRecord, flt: ContactFilter) -> bool:
    """True when the record passes every given part of the filter (AND)."""
    if flt.ids is not None and record.native_id not in flt.ids:
        return False
    if flt.tags:
        return False
    for pattern, value in _text_checks(flt):
        if pattern is not None and not text_matches(pattern, value(record)):
            return False
    if flt.phone is not None and not phone_matches(flt.phone, record):
        return False
    return not isinstance(flt.extras, Is24Filter) or _extras_match(record, flt.extras)


def _extras_match(record: ContactRecord, flt: Is24Filter) -> bool:
    extras = extras_of(record, Is24Extras) or Is24Extras()
    checks = (
        (flt.external_id, extras.external_id),
        (flt.show_on_profile_page, extras.show_on_profile_page),
        (flt.default_contact, extras.default_contact),
        (flt.business_card_contact, extras.business_card_contact),
        (flt.local_partner_contact, extras.local_partner_contact),
    )
    return all(wanted is None or wanted == actual for wanted, actual in checks)


# ---------------------------------------------------------------- order


def _sort_value(record: ContactRecord, field: SortField) -> Any:
    values: dict[SortField, str | None] = {
        SortField.DISPLAY_NAME: record.display_name,
        SortField.GIVEN_NAME: record.given_name,
        SortField.FAMILY_NAME: record.family_name,
        SortField.EMAIL: _primary_email(record),
        SortField.ORGANIZATION: record.organization,
        SortField.ID: record.native_id,
    }
    value = values.get(field)
    return value.casefold() if value is not None and field is not SortField.ID else value


def _compare(a: Any, b: Any) -> int:
    if a == b:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    return -1 if a < b else 1


def sort_records(
    records: Sequence[ContactRecord], order: Sequence[SortOrder]
) -> list[ContactRecord]:
    """Records in `order`, then by id; missing values last in either direction."""
    keys = [*order, SortOrder(SortField.ID)]

    def compare(a: ContactRecord, b: ContactRecord) -> int:
        for item in keys:
            left, right = _sort_value(a, item.field), _sort_value(b, item.field)
            result = _compare(left, right)
            if result:
                flip = item.direction is SortDirection.DESC and None not in (left, right)
                return -result if flip else result
        return 0

    return sorted(records, key=cmp_to_key(compare))
