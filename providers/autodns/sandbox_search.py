"""The AutoDNS sandbox's search: evaluate a parsed `_search` body over stored contacts.

The semantics are the inferred ones `search.py` documents; `run_search` is their
reference implementation (the adapter only builds bodies, it never evaluates them).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from providers.autodns.sandbox_data import TZ, StoredContact, format_time
from providers.autodns.search import Condition, Group, SearchError, SearchQuery


def run_search(
    contacts: Sequence[StoredContact], query: SearchQuery
) -> tuple[list[StoredContact], int]:
    """One page of the matching contacts in the query's order (ties by id), and the total."""
    _check_values(query.filters)
    hits = [c for c in contacts if _matches_all(c, query.filters)]
    ordered = sorted(hits, key=lambda c: c.id)
    for key, kind in reversed(query.orders):
        ordered.sort(key=partial(_sort_key, key=key), reverse=kind == "DESC")
    return ordered[query.offset : query.offset + query.limit], len(hits)


def _check_values(nodes: Sequence[Condition | Group]) -> None:
    """Reject values that cannot be compared with their key, even when nothing would match."""
    for node in nodes:
        if isinstance(node, Group):
            _check_values(node.filters)
        elif node.operator not in _TEXT_OPS:
            _typed(node.key, node.value)


def _matches_all(contact: StoredContact, nodes: Sequence[Condition | Group]) -> bool:
    result = True
    for index, node in enumerate(nodes):
        hit = (
            _matches_all(contact, node.filters)
            if isinstance(node, Group)
            else _matches(contact, node)
        )
        result = hit if index == 0 else _link(node.link, result, hit)
    return result


def _link(link: str, left: bool, right: bool) -> bool:
    return (left and right) if link == "AND" else (left or right)


def _matches(contact: StoredContact, cond: Condition) -> bool:
    actual = _value(contact, cond.key)
    if cond.operator in _TEXT_OPS:
        hit = _like(cond.value, _as_text(actual))
        return hit if cond.operator == "LIKE" else not hit
    target = _typed(cond.key, cond.value)
    if isinstance(actual, str):
        actual = actual.casefold()
    return bool(_COMPARE[cond.operator](actual, target))


def _value(contact: StoredContact, key: str) -> int | datetime | str:
    if key == "id":
        return contact.id
    if key in ("created", "updated"):
        moment: datetime = getattr(contact, key)
        return moment
    if key in ("verification", "domainsafe"):
        return str(getattr(contact, key)).lower() if key == "domainsafe" else contact.verification
    value = contact.fields.get(key)
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _typed(key: str, text: str) -> int | datetime | str:
    """The filter value as the key's type; SearchError when it is not one."""
    if key == "id":
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise SearchError(f"id filter value {text!r} is not a number")
        return int(text)
    if key in ("created", "updated"):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise SearchError(f"{key} filter value {text!r} is not a date") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=TZ)
    return text.casefold()


def _sort_key(contact: StoredContact, *, key: str) -> str:
    """A string that sorts like the value: ids zero-padded, times in UTC ISO form."""
    value = _value(contact, key)
    if isinstance(value, int):
        return f"{value:020d}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.casefold()


def _as_text(value: int | datetime | str) -> str:
    return format_time(value) if isinstance(value, datetime) else str(value)


def _like(pattern: str, text: str) -> bool:
    """`*` matches any run of characters; linear time, case-insensitive, whole value."""
    parts = pattern.casefold().split("*")
    text = text.casefold()
    if len(parts) == 1:
        return text == parts[0]
    first, *middle, last = parts
    if len(first) + len(last) > len(text) or not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


_TEXT_OPS: Final = frozenset({"LIKE", "NOT_LIKE"})
_COMPARE: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "EQUAL": operator.eq,
    "NOT_EQUAL": operator.ne,
    "GREATER": operator.gt,
    "GREATER_EQUAL": operator.ge,
    "LESS": operator.lt,
    "LESS_EQUAL": operator.le,
}
