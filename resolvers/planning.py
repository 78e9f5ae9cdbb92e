"""Look ahead at the selection set and plan one upstream read for what it selects.

From the fields selected on a contact (through fragments and inline fragments)
this derives the provider expansions to fold into the same request (Spark
`_expand`) and the fields to ask for (Spark `_select`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from providers.model import ReadWants
from providers.spark.types import Expansion

EXPANSION_FIELDS: Final = {
    "activity": Expansion.ACTIVITY,
    "newsFeedSummary": Expansion.NEWS_FEED_SUMMARY,
    "newsFeedNotificationSummary": Expansion.NEWS_FEED_NOTIFICATION_SUMMARY,
    "notes": Expansion.NOTES,
    "portal": Expansion.PORTAL,
    "vowActive": Expansion.VOW_ACTIVE,
    "vowEnabled": Expansion.VOW_ENABLED,
    "uniquePrimaryEmail": Expansion.UNIQUE_PRIMARY_EMAIL,
}
IDENTITY_FIELDS: Final = {"id": "native_id", "nativeId": "native_id", "provider": "native_id"}
META_FIELDS: Final = frozenset({"__typename"})


def contact_fields(selections: Iterable[Selection]) -> list[str]:
    """Names of the fields selected on a contact object, fragments flattened."""
    names: list[str] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            names.append(selection.name)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            names.extend(contact_fields(selection.selections))
    return names


def child_selections(selections: Iterable[Selection], path: Sequence[str]) -> list[Selection]:
    """Selections found under `path` (e.g. edges -> node), across fragments."""
    current = list(selections)
    for name in path:
        nxt: list[Selection] = []
        for selection in _flatten(current):
            if selection.name == name:
                nxt.extend(selection.selections)
        current = nxt
    return current


def _flatten(selections: Iterable[Selection]) -> list[SelectedField]:
    out: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            out.append(selection)
        else:
            out.extend(_flatten(selection.selections))
    return out


def plan_wants(field_names: Iterable[str]) -> ReadWants:
    """ReadWants for these selected GraphQL field names (unified snake_case names).

    The provider maps the names to its own attributes and must fall back to
    reading everything when it meets a name it cannot map.
    """
    expansions: set[str] = set()
    fields: set[str] = set()
    for name in field_names:
        if name in META_FIELDS:
            continue
        if name in EXPANSION_FIELDS:
            expansions.add(EXPANSION_FIELDS[name])
        else:
            fields.add(IDENTITY_FIELDS.get(name) or _snake(name))
    return ReadWants(frozenset(expansions), frozenset(fields))


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
