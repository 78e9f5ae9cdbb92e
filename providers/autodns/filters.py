"""Build the `POST /contact/_search` body from the unified query, as typed data.

Filter values travel as JSON strings, so they cannot change the query's structure;
still, control characters are refused (they have no place in a contact and corrupt
logs), keys come from an allow-list (the typed `Condition`), and AutoDNS's limits
(100 filters, 1000 records per view) are kept before anything is sent.

How the unified filter is pushed down (decisions; AutoDNS has no display name):
- displayName `v`: fname, lname or organization match `v`; a value with a space also
  matches fname = first word and lname = the rest ("Jane Doe").
- phone: a wildcard or wire-format value (`+49-941-*`) is sent as it is; an E.164 or
  other parseable number is turned into the wire format AutoDNS stores. It matches
  the voice number or the fax.
- updatedSince/createdSince: `updated`/`created` GREATER_EQUAL (inclusive, like Spark).
- Text values with `*` use LIKE, others EQUAL (both case-insensitive on AutoDNS).
- tags: AutoDNS contacts have none, so a tags filter is refused (UNSUPPORTED).
- Order: the default is `updated` DESC; `id` ASC always breaks ties, so paging by
  offset neither repeats nor skips contacts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from providers.autodns.rules import MAX_COMMENT, phone_problem, wire_from_e164
from providers.autodns.search import MAX_FILTERS, MAX_LIMIT, Condition, Group, SearchQuery
from providers.autodns.types import AutoDnsFilter
from providers.autodns.validation import is_contact_id
from providers.errors import FieldIssue, IssueCode, ValidationFailed
from providers.model import (
    ContactFilter,
    ContactQuery,
    FieldPath,
    ProviderName,
    SortDirection,
    SortField,
    SortOrder,
)
from providers.phones import parse_phone

Node = Condition | Group
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
MAX_VALUE_LENGTH: Final = MAX_COMMENT
"""No AutoDNS text is longer (the comment), so a longer filter value can match nothing."""
SORT_KEYS: Final = {
    SortField.GIVEN_NAME: "fname",
    SortField.FAMILY_NAME: "lname",
    SortField.EMAIL: "email",
    SortField.ORGANIZATION: "organization",
    SortField.CREATED_AT: "created",
    SortField.UPDATED_AT: "updated",
    SortField.ID: "id",
}
DEFAULT_ORDER: Final = (SortOrder(SortField.UPDATED_AT, SortDirection.DESC),)


def search_query(query: ContactQuery) -> SearchQuery | None:
    """The `_search` body of this query; None when nothing can match (no valid id asked)."""
    nodes = filter_nodes(query.filter)
    if nodes is None:
        return None
    _check_count(nodes)
    return SearchQuery(
        filters=nodes,
        limit=min(max(query.limit, 1), MAX_LIMIT),
        offset=query.offset,
        orders=orders(query.order),
    )


def ids_query(ids: Sequence[str]) -> SearchQuery:
    """A search for exactly these (valid) ids: `id EQUAL a OR id EQUAL b ...`."""
    nodes = tuple(Condition("id", i, "EQUAL", "OR") for i in ids)
    return SearchQuery(filters=nodes, limit=max(len(ids), 1), orders=(("id", "ASC"),))


def orders(order: Sequence[SortOrder]) -> tuple[tuple[str, str], ...]:
    keys = []
    for o in order or DEFAULT_ORDER:
        if o.field not in SORT_KEYS:
            raise _invalid(
                ("orderBy",),
                f"AutoDNS contacts cannot be ordered by {o.field.value}",
                IssueCode.UNSUPPORTED,
            )
        keys.append((SORT_KEYS[o.field], o.direction.value))
    if not any(key == "id" for key, _ in keys):
        keys.append(("id", "ASC"))
    return tuple(keys)


def filter_nodes(flt: ContactFilter) -> tuple[Node, ...] | None:
    """The filters (joined by AND) for the unified filter; None when no id can match."""
    nodes: list[Node] = []
    if flt.ids is not None:
        ids = [i for i in flt.ids if is_contact_id(i)]
        if not ids:
            return None
        nodes.append(Group(tuple(Condition("id", i, "EQUAL", "OR") for i in ids)))
    if flt.tags:
        raise _invalid(("filter", "tags"), "AutoDNS contacts have no tags", IssueCode.UNSUPPORTED)
    if flt.display_name is not None:
        nodes.append(_display_name(flt.display_name))
    for key, value, name in (
        ("fname", flt.given_name, "givenName"),
        ("lname", flt.family_name, "familyName"),
        ("email", flt.email, "email"),
        ("organization", flt.organization, "organization"),
        ("city", flt.city, "city"),
        ("pcode", flt.postal_code, "postalCode"),
    ):
        if value is not None:
            nodes.append(_text(key, value, ("filter", name)))
    if flt.phone is not None:
        nodes.append(_phone(flt.phone))
    nodes.extend(_since("updated", flt.updated_since))
    nodes.extend(_since("created", flt.created_since))
    if isinstance(flt.extras, AutoDnsFilter):
        nodes.extend(_autodns_nodes(flt.extras))
    elif flt.extras is not None:
        raise _invalid(
            ("filter",), "only the autodns filter block applies to AUTODNS", IssueCode.NOT_ALLOWED
        )
    return tuple(nodes)


def _text(key: str, value: str, path: FieldPath, link: str = "AND") -> Condition:
    if _CONTROL.search(value):
        raise _invalid(path, "control characters are not allowed in filters")
    if len(value) > MAX_VALUE_LENGTH:
        raise _invalid(path, f"at most {MAX_VALUE_LENGTH} characters", IssueCode.TOO_LONG)
    return Condition(key, value, "LIKE" if "*" in value else "EQUAL", link)


def _display_name(value: str) -> Group:
    path = ("filter", "displayName")
    alternatives: list[Node] = [
        _text(key, value, path, "OR") for key in ("fname", "lname", "organization")
    ]
    first, _, rest = value.strip().partition(" ")
    if rest.strip():
        both = (_text("fname", first, path), _text("lname", rest.strip(), path))
        alternatives.append(Group(both, "OR"))
    return Group(tuple(alternatives))


def _phone(value: str) -> Group:
    path = ("filter", "phone")
    text = value.strip()
    if "*" not in text and phone_problem(text) is not None:
        parsed = parse_phone(text)
        wire = wire_from_e164(parsed.e164) if parsed is not None else None
        text = wire or text
    return Group((_text("phone", text, path, "OR"), _text("fax", text, path, "OR")))


def _since(key: str, moment: datetime | None) -> list[Node]:
    if moment is None:
        return []
    return [Condition(key, format_time(moment), "GREATER_EQUAL")]


def format_time(moment: datetime) -> str:
    """AutoDNS's time format in UTC, e.g. `2025-01-01T09:30:00.000+0000` (naive means UTC)."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def _autodns_nodes(extras: AutoDnsFilter) -> list[Node]:
    nodes: list[Node] = []
    if extras.alias is not None:
        nodes.append(_text("alias", extras.alias, ("filter", "autodns", "alias")))
    if extras.type is not None:
        nodes.append(Condition("type", extras.type.value))
    if extras.country is not None:
        nodes.append(_text("country", extras.country, ("filter", "autodns", "country")))
    if extras.verification is not None:
        path = ("filter", "autodns", "verification")
        nodes.append(_text("verification", extras.verification, path))
    if extras.domainsafe is not None:
        nodes.append(Condition("domainsafe", "true" if extras.domainsafe else "false"))
    return nodes


def _check_count(nodes: Sequence[Node]) -> None:
    def count(items: Sequence[Node]) -> int:
        return sum(1 + (count(n.filters) if isinstance(n, Group) else 0) for n in items)

    if count(nodes) > MAX_FILTERS:
        raise _invalid(
            ("filter",), f"at most {MAX_FILTERS} AutoDNS filters", IssueCode.LIMIT_EXCEEDED
        )


def _invalid(
    path: FieldPath, message: str, code: IssueCode = IssueCode.INVALID
) -> ValidationFailed:
    return ValidationFailed([FieldIssue(path, code, message, None)], provider=ProviderName.AUTODNS)
