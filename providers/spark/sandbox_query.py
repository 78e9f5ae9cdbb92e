"""Spark's standard search and paging parameters, as the sandbox reads and applies them.

Decisions where spark.md is silent (the sandbox's contract with the adapter):
- Order: `_orderby` keys, then Id ascending; without `_orderby`, ModificationTimestamp
  descending then Id ascending. Strings order case-insensitively; null sorts lowest.
- `_page`, `_skip` and `_skiptoken` are alternatives: combining them is a 1053.
- `_skiptoken` always returns `Pagination` with `CurrentOffset` and `SkipToken`; the token
  is opaque (base64 of the next offset and the last returned Id: paging resumes after that
  Id even if rows before it changed) and null once the last row was returned.
- `_select` names must be contact attributes (expansion attributes allowed, shown only when
  expanded); `ResourceUri` and `Id` are always returned.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.spark.sandbox_records import Principal, StoredContact
from providers.spark.sandbox_schema import (
    EXPANSIONS,
    ORDERABLE,
    SELECTABLE,
    SparkApiError,
    invalid_parameter,
)
from providers.spark.sparkql import FilterNode, SparkQLError, matches, parse_filter

DEFAULT_LIMIT = 10
MAX_LIMIT = 25
REPLICATION_MAX_LIMIT = 1000
MAX_PAGE = 100_000
MAX_SKIP = 2_500_000
DEFAULT_ORDER = (("ModificationTimestamp", True),)
_DIGITS = re.compile(r"\d{1,9}")

OrderKey = tuple[str, bool]  # (field, descending)


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int
    mode: str  # "page", "skip" or "skiptoken"
    page: int
    skip: int
    skiptoken: str
    pagination: str  # "0", "1" or "count"
    orderby: tuple[OrderKey, ...]
    select: frozenset[str] | None
    expand: tuple[str, ...]
    filter: FilterNode | None


@dataclass(frozen=True, slots=True)
class ListResult:
    rows: list[StoredContact]
    pagination: dict[str, Any] | None


def parse_expand(query: Mapping[str, str], principal: Principal, *, my: bool) -> tuple[str, ...]:
    """The `_expand` names, refused by role where Spark restricts them (1500)."""
    names = _split(query.get("_expand", ""))
    for name in names:
        if name not in EXPANSIONS:
            raise invalid_parameter(f"unknown expansion {name!r}")
        if name == "Activity" and principal.role != "Private":
            raise SparkApiError(403, 1500, "the Activity expansion needs the Private role")
        if name == "Portal" and not _may_expand_portal(principal.role, my):
            raise SparkApiError(403, 1500, "the Portal expansion is not available to this role")
    return tuple(dict.fromkeys(names))


def _may_expand_portal(role: str, my: bool) -> bool:
    return role == "Private" or (my and role in ("VOW", "Portal"))


def parse_select(query: Mapping[str, str]) -> frozenset[str] | None:
    names = _split(query.get("_select", ""))
    for name in names:
        if name not in SELECTABLE:
            raise invalid_parameter(f"unknown attribute {name!r} in _select")
    return frozenset(names) if names else None


def parse_list(query: Mapping[str, str], principal: Principal) -> ListParams:
    """Read and check every list parameter; any bad value is a 1053 (or 1040/1041 for _filter)."""
    expand = parse_expand(query, principal, my=False)
    most = REPLICATION_MAX_LIMIT if principal.replication else MAX_LIMIT
    mode = _paging_mode(query)
    pagination = query.get("_pagination", "0")
    if pagination not in ("0", "1", "count"):
        raise invalid_parameter("_pagination must be 0, 1 or count")
    return ListParams(
        limit=_int_param(query, "_limit", 0, most, DEFAULT_LIMIT),
        mode=mode,
        page=_int_param(query, "_page", 1, MAX_PAGE, 1),
        skip=_int_param(query, "_skip", 0, MAX_SKIP, 0),
        skiptoken=query.get("_skiptoken", ""),
        pagination=pagination,
        orderby=_parse_orderby(query.get("_orderby"), "Activity" in expand),
        select=parse_select(query),
        expand=expand,
        filter=_parse_filter(query.get("_filter")),
    )


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _paging_mode(query: Mapping[str, str]) -> str:
    given = [name for name in ("_page", "_skip", "_skiptoken") if name in query]
    if len(given) > 1:
        raise invalid_parameter(f"{' and '.join(given)} cannot be combined")
    return {"_skip": "skip", "_skiptoken": "skiptoken"}.get(given[0] if given else "", "page")


def _int_param(query: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise invalid_parameter(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _parse_orderby(raw: str | None, activity: bool) -> tuple[OrderKey, ...]:
    if raw is None or not raw.strip():
        return DEFAULT_ORDER
    keys = []
    for part in raw.split(","):
        item = part.strip()
        descending = item.startswith("-")
        name = item[1:] if item[:1] in "+-" and item else item
        if name not in ORDERABLE and not (name == "Score" and activity):
            raise invalid_parameter(f"cannot order by {name!r}")
        keys.append((name, descending))
    return tuple(keys)


def _parse_filter(raw: str | None) -> FilterNode | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_filter(raw)
    except SparkQLError as exc:
        detail = {"Token": exc.token, "Message": exc.message, "Status": "Fatal"}
        raise SparkApiError(400, exc.code, exc.message, sparkql_errors=[detail]) from exc


# ------------------------------------------------------------------ applying them


def run_list(contacts: list[StoredContact], params: ListParams, now: datetime) -> ListResult:
    """Filter, order and cut one page, with the Pagination object when it is asked for."""
    views = {c.id: c.searchable(now) for c in contacts}
    if params.filter is not None:
        node = params.filter
        contacts = [c for c in contacts if matches(node, views[c.id])]
    ordered = _order(contacts, params.orderby, views)
    start = _start(params, ordered)
    rows = ordered[start : start + params.limit]
    pagination = _pagination(params, len(ordered), start, rows)
    return ListResult([] if params.pagination == "count" else rows, pagination)


def _order(
    contacts: list[StoredContact], keys: tuple[OrderKey, ...], views: dict[str, dict[str, Any]]
) -> list[StoredContact]:
    ordered = sorted(contacts, key=lambda c: c.id)
    for name, descending in reversed(keys):  # stable sorts: the first key decides last
        ordered.sort(key=lambda c: _sort_key(c, name, views), reverse=descending)
    return ordered


def _sort_key(
    contact: StoredContact, name: str, views: dict[str, dict[str, Any]]
) -> tuple[int, Any]:
    value = contact.score if name == "Score" else views[contact.id].get(name)
    if value is None or value == []:
        return (0, "")
    if isinstance(value, list):
        return (1, ",".join(str(item).lower() for item in value))
    if isinstance(value, str):
        return (1, value.lower())
    return (1, value)


def _start(params: ListParams, ordered: list[StoredContact]) -> int:
    if params.mode == "skip":
        return params.skip
    if params.mode == "skiptoken":
        return _resume(params.skiptoken, ordered)
    return (params.page - 1) * params.limit


def _pagination(
    params: ListParams, total: int, start: int, rows: list[StoredContact]
) -> dict[str, Any] | None:
    if params.mode != "skiptoken" and params.pagination == "0":
        return None
    pages = math.ceil(total / params.limit) if params.limit else 0
    out: dict[str, Any] = {"TotalRows": total, "PageSize": params.limit, "TotalPages": pages}
    if params.mode == "page":
        out["CurrentPage"] = params.page
        return out
    out["CurrentOffset"] = start
    if params.mode == "skiptoken":
        out["SkipToken"] = _next_token(start + len(rows), total, rows)
    return out


def _next_token(offset: int, total: int, rows: list[StoredContact]) -> str | None:
    if offset >= total:
        return None
    state = {"o": offset, "id": rows[-1].id if rows else None}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _resume(token: str, ordered: list[StoredContact]) -> int:
    """Where a continuation starts: after the token's last Id, else at its offset."""
    if not token:
        return 0
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, last_id = int(state["o"]), state["id"]
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise invalid_parameter("_skiptoken is not a token this server issued") from exc
    for index, contact in enumerate(ordered):
        if contact.id == last_id:
            return index + 1
    return max(offset, 0)
