"""The gateway-side order of contacts, used to merge providers' pages into one list.

Nones sort last in either direction; ties end on (provider, native id), so the
merged order is total and stable. Sort values are plain JSON-able values, so a
cursor can carry the last contact's values and compare against them later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cmp_to_key
from typing import Any, Final

from providers.model import ContactRecord, EmailKind, SortDirection, SortField, SortOrder

DEFAULT_ORDER: Final = (SortOrder(SortField.UPDATED_AT, SortDirection.DESC),)


def _primary_email(record: ContactRecord) -> str | None:
    for email in record.emails:
        if email.kind is EmailKind.PRIMARY:
            return email.address.casefold()
    return None


def _activity(record: ContactRecord) -> int | None:
    activity = getattr(record.extras, "activity", None)
    score = getattr(activity, "score", None)
    return score if isinstance(score, int) else None


def _text(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def sort_value(record: ContactRecord, field: SortField) -> Any:
    match field:
        case SortField.DISPLAY_NAME:
            return _text(record.display_name)
        case SortField.GIVEN_NAME:
            return _text(record.given_name)
        case SortField.FAMILY_NAME:
            return _text(record.family_name)
        case SortField.EMAIL:
            return _primary_email(record)
        case SortField.ORGANIZATION:
            return _text(record.organization)
        case SortField.CREATED_AT:
            return _timestamp(record.created_at)
        case SortField.UPDATED_AT:
            return _timestamp(record.updated_at)
        case SortField.ACTIVITY_SCORE:
            return _activity(record)
        case SortField.ID:
            return (record.provider.value, record.native_id)


def full_order(order: Sequence[SortOrder]) -> list[SortOrder]:
    """The order as given, ending on the (provider, native id) tie-break."""
    return [*order, SortOrder(SortField.ID)]


def sort_values(record: ContactRecord, order: Sequence[SortOrder]) -> tuple[Any, ...]:
    return tuple(sort_value(record, item.field) for item in full_order(order))


def _compare(a: Any, b: Any) -> int:
    if a == b:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    return -1 if a < b else 1


def compare_values(a: Sequence[Any], b: Sequence[Any], order: Sequence[SortOrder]) -> int:
    """Compare two records' sort values: negative when `a` comes first."""
    for item, x, y in zip(full_order(order), a, b, strict=False):
        result = _compare(x, y)
        if result:
            none_involved = x is None or y is None
            flip = item.direction is SortDirection.DESC and not none_involved
            return -result if flip else result
    return 0


def record_sort_key(order: Sequence[SortOrder]) -> Callable[[ContactRecord], Any]:
    """A key function ordering records by `order`, then by (provider, native id)."""

    def compare(a: ContactRecord, b: ContactRecord) -> int:
        return compare_values(sort_values(a, order), sort_values(b, order), order)

    return cmp_to_key(compare)
