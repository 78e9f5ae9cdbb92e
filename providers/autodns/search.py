"""The AutoDNS contact search (`POST /contact/_search`): its typed body and its parser.

Shared by the sandbox (which parses and evaluates bodies) and the adapter (which
builds them from the unified query, `filters.py`). No I/O.

The body as documented, plus these *inferred* semantics (the sandbox's
`sandbox_search.run_search` implements them): a filter is either a condition
{key, value, operator, link} or a group {link, filters}; siblings fold left by their
`link` (the first one's is ignored); text compares case-insensitively and
LIKE/NOT_LIKE match the whole value with `*` as the only wildcard; `id` compares as a
number, `created`/`updated` as ISO 8601 times, `address` as its lines joined by spaces,
`domainsafe` as "true"/"false". Limits: depth 5, 100 filters, view.limit 1..1000
(default 50); results are ordered by `orders` (ordertype defaults to ASC), ties by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

# Search (`POST /contact/_search`): the documented keys; limits are inferred.
SEARCH_KEYS: Final = frozenset({
    "id", "alias", "type", "title", "fname", "lname", "organization", "email", "phone",
    "fax", "address", "pcode", "city", "state", "country", "comment", "verification",
    "domainsafe", "sip", "created", "updated",
})  # fmt: skip
OPERATORS: Final = frozenset(
    {"EQUAL", "NOT_EQUAL", "LIKE", "NOT_LIKE", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL"}
)
LINKS: Final = frozenset({"AND", "OR"})
ORDER_TYPES: Final = frozenset({"ASC", "DESC"})
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 1000
MAX_FILTER_DEPTH: Final = 5
MAX_FILTERS: Final = 100


class SearchError(ValueError):
    """A search body breaks the documented structure (unknown key, operator, limit, ...)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """`{key, value, operator, link}`: one comparison; `link` joins it to the previous one."""

    key: str
    value: str
    operator: str = "EQUAL"
    link: str = "AND"


@dataclass(frozen=True, slots=True)
class Group:
    """`{link, filters: [...]}`: nested filters, evaluated together, then joined by `link`."""

    filters: tuple[Condition | Group, ...]
    link: str = "AND"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed `_search` body. Filters fold left: `a AND b OR c` is `(a AND b) OR c`."""

    filters: tuple[Condition | Group, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    orders: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The request body AutoDNS expects."""
        return {
            "filters": [_filter_json(f) for f in self.filters],
            "view": {"limit": self.limit, "offset": self.offset},
            "orders": [{"key": k, "ordertype": t} for k, t in self.orders],
        }


def parse_search(body: object) -> SearchQuery:
    """Check and type a `_search` body; raises `SearchError` naming the first problem."""
    raw = _search_object(body, "body", {"filters", "view", "orders"})
    view_raw = raw.get("view")
    view = _search_object(
        {} if view_raw is None else view_raw, "view", {"limit", "offset", "children"}
    )
    counter = [0]
    return SearchQuery(
        filters=_parse_filters(raw.get("filters"), 1, counter),
        limit=_bounded_int(view, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_bounded_int(view, "offset", 0, 0, 10**9),
        orders=tuple(_parse_order(o) for o in _search_list(raw.get("orders"), "orders")),
    )


def _parse_filters(raw: object, depth: int, counter: list[int]) -> tuple[Condition | Group, ...]:
    if depth > MAX_FILTER_DEPTH:
        raise SearchError(f"filters nest deeper than {MAX_FILTER_DEPTH} levels")
    return tuple(_parse_filter(f, depth, counter) for f in _search_list(raw, "filters"))


def _parse_filter(raw: object, depth: int, counter: list[int]) -> Condition | Group:
    node = _search_object(raw, "filter", {"key", "value", "operator", "link", "filters"})
    counter[0] += 1
    if counter[0] > MAX_FILTERS:
        raise SearchError(f"more than {MAX_FILTERS} filters")
    link = _choice(node.get("link", "AND"), LINKS, "link")
    if "filters" in node:
        if "key" in node or "value" in node:
            raise SearchError("a filter has either key/value/operator or nested filters")
        return Group(_parse_filters(node["filters"], depth + 1, counter), link)
    key = _choice(node.get("key"), SEARCH_KEYS, "filter key")
    operator = _choice(node.get("operator", "EQUAL"), OPERATORS, "operator")
    return Condition(key, _filter_value(node.get("value")), operator, link)


def _parse_order(raw: object) -> tuple[str, str]:
    order = _search_object(raw, "order", {"key", "ordertype"})
    key = _choice(order.get("key"), SEARCH_KEYS, "order key")
    return key, _choice(order.get("ordertype", "ASC"), ORDER_TYPES, "ordertype")


def _filter_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    raise SearchError("a filter value must be a string or an integer")


def _filter_json(node: Condition | Group) -> dict[str, Any]:
    if isinstance(node, Group):
        return {"link": node.link, "filters": [_filter_json(f) for f in node.filters]}
    return {"key": node.key, "value": node.value, "operator": node.operator, "link": node.link}


def _search_object(raw: object, where: str, allowed: set[str]) -> Mapping[str, object]:
    if not isinstance(raw, dict):
        raise SearchError(f"{where} must be a JSON object")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise SearchError(f"unknown {where} attribute {unknown[0]!r}")
    return raw


def _search_list(raw: object, where: str) -> list[object]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SearchError(f"{where} must be a list")
    return raw


def _choice(value: object, allowed: frozenset[str], where: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise SearchError(f"unknown {where} {value!r}")
    return value


def _bounded_int(raw: Mapping[str, object], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SearchError(f"view.{key} must be an integer from {low} to {high}")
    return value
