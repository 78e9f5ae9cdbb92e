"""Bounds on list sizes: the records one list may select, and the items of any list input.

- `first` is 0 to `max_first` on every connection, and `ids` (of `nodes`) holds at most
  `max_first` ids: both decide how many records the providers are asked for.
- Any other list argument or variable holds at most `max_list_items` items.

Literals are checked once per document (`literal_errors`); variables once per request
(`variable_errors`), since the same document may come with `first: 5` or `first: 5000`.
Both answer BAD_USER_INPUT naming the argument, as the resolvers' own checks do, but as
a request error: nothing runs, no provider is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    ArgumentNode,
    DocumentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)

from gateway.limits import errors
from gateway.settings import LimitSettings
from resolvers.errors import GatewayError

FIRST: Final = "first"
IDS: Final = "ids"


def sized_error(argument: str, value: Any, limits: LimitSettings) -> GatewayError | None:
    """`first` out of 0..max_first, or more than max_first `ids` (None: within bounds)."""
    bound = limits.max_first
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if argument == FIRST and is_int and not 0 <= value <= bound:
        message = f"`first` must be between 0 and {bound} (got {value})"
        return errors.bad_argument(message, FIRST, limit=bound, actual=value)
    if argument == IDS and isinstance(value, list) and len(value) > bound:
        message = f"`ids` holds {len(value)} ids; at most {bound} are read at once"
        return errors.bad_argument(message, IDS, limit=bound, actual=len(value))
    return None


def items_error(count: int, where: str, limits: LimitSettings) -> GatewayError | None:
    if count <= limits.max_list_items:
        return None
    return errors.bad_argument(
        f"{where} has {count} items; lists are limited to {limits.max_list_items}",
        where,
        limit=limits.max_list_items,
        actual=count,
    )


class _Literals(Visitor):
    """Literal `first`, `ids` and lists, and the variables given as `first` or `ids`."""

    def __init__(self, limits: LimitSettings) -> None:
        super().__init__()
        self.limits = limits
        self.found: list[GatewayError] = []
        self.sized_variables: dict[str, str] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        name = node.name.value
        if name not in (FIRST, IDS):
            return
        if isinstance(node.value, VariableNode):
            self.sized_variables[node.value.name.value] = name
        else:
            self._add(sized_error(name, _literal(node.value), self.limits))

    def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
        self._add(items_error(len(node.values), "a list argument", self.limits))

    def _add(self, error: GatewayError | None) -> None:
        if error is not None:
            self.found.append(error)


@dataclass(frozen=True, slots=True)
class LiteralCheck:
    errors: list[GatewayError]
    sized_variables: Mapping[str, str]
    """Variable name -> the argument (`first`, `ids`) it is given as: checked per request."""


def literal_errors(document: DocumentNode, limits: LimitSettings) -> LiteralCheck:
    literals = _Literals(limits)
    visit(document, literals)
    return LiteralCheck(literals.found[:1], dict(literals.sized_variables))


def variable_errors(
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    sized_variables: Mapping[str, str],
    limits: LimitSettings,
) -> GatewayError | None:
    """The first variable beyond a bound: `first` or `ids` too large, or a list too long."""
    values = dict(variables or {})
    for name, argument in sized_variables.items():
        error = sized_error(argument, values.get(name, _default(operation, name)), limits)
        if error is not None:
            return error
    for name, value in values.items():
        error = items_error(_longest_list(value), f"variable ${name}", limits)
        if error is not None:
            return error
    return None


def _literal(node: ValueNode | None) -> Any:
    """What a literal's size depends on: an int, or a list (of placeholders)."""
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [None] * len(node.values)
    return None


def _default(operation: OperationDefinitionNode, name: str) -> Any:
    for definition in operation.variable_definitions or ():
        if definition.variable.name.value == name:
            return _literal(definition.default_value)
    return None


def _longest_list(value: Any) -> int:
    """The longest list anywhere in a JSON value (iterative: nesting depth cannot hurt)."""
    longest = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            longest = max(longest, len(item))
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return longest
