"""Estimate, before execution, how many provider calls an operation may make.

The model follows what the resolvers really do (resolvers/fanout, loaders, identity).
Root fields:

- `contacts(first: n)`: per provider asked, Spark ceil(n / 25) (its page cap), IS24
  and AutoDNS 1; with `after`, 5 more records are re-read; `first: 0` is 1 count call.
- `nodes(ids:)` (and a federation router's `_entities`): per provider of the ids,
  Spark ceil(k / 25), AutoDNS ceil(k / 50), IS24 one call per id up to 4, else 1 list.
- `node`, `contact`, `me`, `realtorContactByExternalId`: 1.
- `contactChanged` (a subscription): per event, 1 (its `contact`) plus what is selected
  on it (each event is priced like one read).
- `createContact`, `updateContact`, `transferContact`: 3; `updateMyContact`: 2;
  `deleteContact`: 1.
- `providers`, `__typename`, introspection: 0.

Below those, per contact: `sameAs` searches each other provider twice (email, family
name) and its matches (one per other provider) are priced the same way, nested; an
expansion (`activity`, `notes`, ...) on a contact whose read did not plan it (a
mutation's result, a `sameAs` match) is one more batched call per level. A list of n
contacts multiplies what each costs (page size times nesting). Cache hits are not
assumed: the estimate is the worst case the providers may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any, Final

from graphql import (
    EnumValueNode,
    FieldNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from gateway.limits.shape import Fragments, flat_fields
from providers.autodns.adapter import IDS_PER_SEARCH
from providers.is24.adapter import LIST_READ_THRESHOLD
from providers.model import ProviderName
from providers.registry import ProviderEntry
from resolvers.fanout import REALIGN_WINDOW
from resolvers.planning import EXPANSION_FIELDS
from schema.ids import InvalidGlobalId, decode_global_id

DEFAULT_FIRST: Final = 20  # `contacts(first:)` in the schema
SEARCHES_PER_SUBJECT: Final = 2  # sameAs: one by email, one by family name, per provider
WRITE_CALLS: Final = {
    "createContact": 3,  # IS24: list (duplicate check), create, read back
    "updateContact": 3,
    "transferContact": 3,  # Spark: read, write, read back
    "updateMyContact": 2,
    "deleteContact": 1,
}
ONE_READ: Final = frozenset({"node", "contact", "me", "realtorContactByExternalId"})
MISSING: Final = object()
"""A variable the request did not give (its default, if any, applies)."""


@dataclass(frozen=True, slots=True)
class Price:
    """What the objects of one level cost: `each` per object, plus `batched` for all of
    them together (a DataLoader batch per tick)."""

    each: int = 0
    batched: int = 0

    def of(self, count: int) -> int:
        return count * self.each + (self.batched if count else 0)


def list_calls(entry: ProviderEntry, ask: int) -> int:
    """Requests for one page of `ask` records from this provider."""
    if ask <= 0:
        return 1  # a count-only page
    if entry.provider.name is ProviderName.SPARK:
        return ceil(ask / entry.provider.capabilities.max_page_size)
    return 1  # IS24 reads its whole list once; AutoDNS answers up to 1000 in one search


def batch_calls(entry: ProviderEntry, count: int) -> int:
    """Requests for reading `count` contacts of this provider by id."""
    name = entry.provider.name
    if count <= 1:
        return count
    if name is ProviderName.SPARK:
        return ceil(count / entry.provider.capabilities.max_page_size)
    if name is ProviderName.AUTODNS:
        return ceil(count / IDS_PER_SEARCH)
    return count if count <= LIST_READ_THRESHOLD else 1


class _Pricer:
    """The estimate of one operation with its variables, against the configured providers."""

    def __init__(
        self,
        operation: OperationDefinitionNode,
        fragments: Fragments,
        variables: Mapping[str, Any],
        providers: Iterable[ProviderEntry],
    ) -> None:
        self._fragments = fragments
        self._given = variables
        self._defaults_of = self._defaults(operation)
        self.reads: dict[str, Any] = {}
        """Each request variable the estimate read, with its value (MISSING: not given)."""
        self._entries = {e.provider.name: e for e in providers}
        self._roots: dict[str, Callable[[FieldNode], int]] = {
            "contacts": self._contacts,
            "nodes": self._nodes,
            "_entities": self._nodes,  # a federation router's representations, by id
        }

    def _defaults(self, operation: OperationDefinitionNode) -> dict[str, Any]:
        return {
            d.variable.name.value: self._value(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }

    def _variable(self, name: str) -> Any:
        """A variable's value, else its default; noted in `reads` (what the estimate used)."""
        given = self._given.get(name, MISSING)
        self.reads.setdefault(name, given)
        return self._defaults_of.get(name) if given is MISSING else given

    def operation(self, operation: OperationDefinitionNode) -> int:
        return sum(self._root(f) for f in flat_fields([operation.selection_set], self._fragments))

    def _root(self, field: FieldNode) -> int:
        name = field.name.value
        if name in self._roots:
            return self._roots[name](field)
        if name == "contactChanged":
            return 1 + self._item(self._children(_sets(field), "contact"), planned=True).of(1)
        if name in ONE_READ:
            return 1 + self._item(_sets(field), planned=True).of(1)
        if name in WRITE_CALLS:
            payload = self._children(_sets(field), "contact")
            return WRITE_CALLS[name] + self._item(payload, planned=False).of(1)
        return 0

    def _contacts(self, field: FieldNode) -> int:
        first = _count(self._argument(field, "first"), DEFAULT_FIRST)
        ask = first + (REALIGN_WINDOW if self._argument(field, "after") is not None else 0)
        calls = sum(list_calls(entry, ask if first else 0) for entry in self._asked(field))
        items = [
            self._item(self._children(_sets(field), "nodes"), planned=True),
            self._item(self._children(_sets(field), "edges", "node"), planned=True),
        ]
        return calls + max(price.of(first) for price in items)

    def _asked(self, field: FieldNode) -> list[ProviderEntry]:
        provider = self._argument(field, "provider")
        if provider is None:
            return list(self._entries.values())
        entry = next((e for n, e in self._entries.items() if n.value == provider), None)
        return [entry] if entry is not None else []  # not configured: no call

    def _nodes(self, field: FieldNode) -> int:
        ids = self._argument(field, "ids")
        if ids is None:
            representations = self._argument(field, "representations")
            ids = [r.get("id") for r in representations or () if isinstance(r, dict)]
        ids = ids if isinstance(ids, list) else []
        per_provider: dict[ProviderName, int] = {}
        for global_id in ids:
            name = _provider_of(global_id)
            if name is not None and name in self._entries:
                per_provider[name] = per_provider.get(name, 0) + 1
        calls = sum(batch_calls(self._entries[n], k) for n, k in per_provider.items())
        return calls + self._item(_sets(field), planned=True).of(len(ids))

    def _item(self, selection_sets: list[SelectionSetNode], *, planned: bool) -> Price:
        """What one contact selected with these selection sets costs beyond its own read."""
        others = max(0, len(self._entries) - 1)
        each = batched = 0
        unplanned_expansion = False
        for field in flat_fields(selection_sets, self._fragments):
            name = field.name.value
            if name == "sameAs":
                match = self._item(self._children(_sets(field), "contact"), planned=False)
                each += SEARCHES_PER_SUBJECT * others + others * match.each
                batched += match.batched
            elif name in EXPANSION_FIELDS and not planned:
                unplanned_expansion = True
        return Price(each, batched + (1 if unplanned_expansion else 0))

    def _children(
        self, selection_sets: list[SelectionSetNode], *path: str
    ) -> list[SelectionSetNode]:
        """Selection sets found under `path` (e.g. edges → node), across fragments."""
        current = selection_sets
        for name in path:
            current = [
                f.selection_set
                for f in flat_fields(current, self._fragments)
                if f.name.value == name and f.selection_set is not None
            ]
        return current

    def _argument(self, field: FieldNode, name: str) -> Any:
        for argument in field.arguments or ():
            if argument.name.value == name:
                return self._value(argument.value)
        return None

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self._variable(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, StringValueNode | EnumValueNode):
            return node.value
        if isinstance(node, ListValueNode):
            return [self._value(v) for v in node.values]
        if isinstance(node, ObjectValueNode):
            return {f.name.value: self._value(f.value) for f in node.fields}
        return None


def _sets(field: FieldNode) -> list[SelectionSetNode]:
    return [field.selection_set] if field.selection_set is not None else []


def _count(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    return default


def _provider_of(global_id: Any) -> ProviderName | None:
    if not isinstance(global_id, str):
        return None
    try:
        return decode_global_id(global_id)[0]
    except InvalidGlobalId:
        return None  # INVALID_ID, answered without a call


def estimate(
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
    providers: Iterable[ProviderEntry],
) -> int:
    """Upstream calls this operation may make with these variables (worst case, no cache)."""
    return estimate_reading(operation, fragments, variables, providers)[0]


def estimate_reading(
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
    providers: Iterable[ProviderEntry],
) -> tuple[int, Mapping[str, Any]]:
    """`estimate`, and the variables it read with their values (MISSING: not given): the
    estimate is a function of the operation, the providers and those values only."""
    pricer = _Pricer(operation, fragments, variables, providers)
    return pricer.operation(operation), pricer.reads
