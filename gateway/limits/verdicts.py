"""Per-document memory of what `on_execute` works out again for every request: the
operation node, the fragments, and the cost estimate with the variable values it read.

An estimate reads only the variables that size something (`first`, `ids`, `after`,
`provider`...), often none (`contact(id: $id)` costs 1 whatever the id). It is a pure
function of the operation, the provider set and the values it read, so a request whose
values of those variables are the same as a remembered one's (same type, equal) gets the
remembered figure. Only scalar values are remembered (a list of ids is priced anew).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import DocumentNode, OperationDefinitionNode, get_operation_ast

from gateway.limits.cost import MISSING, estimate_reading
from gateway.limits.shape import Fragments, fragments_of
from providers.registry import ProviderSet

PER_OPERATION: Final = 16
"""Estimates kept per operation and provider set (the most recent first)."""
SCALARS: Final = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class _Estimate:
    reads: tuple[tuple[str, Any], ...]
    calls: int


@dataclass(slots=True)
class Verdicts:
    """One parsed document's operations, fragments and remembered estimates."""

    document: DocumentNode
    _fragments: Fragments | None = None
    _operations: dict[str | None, OperationDefinitionNode | None] = field(default_factory=dict)
    _estimates: dict[tuple[str | None, ProviderSet], list[_Estimate]] = field(default_factory=dict)

    @property
    def fragments(self) -> Fragments:
        if self._fragments is None:
            self._fragments = fragments_of(self.document)
        return self._fragments

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        if name not in self._operations:
            self._operations[name] = get_operation_ast(self.document, name)
        return self._operations[name]

    def calls(
        self,
        operation: OperationDefinitionNode,
        name: str | None,
        variables: Mapping[str, Any],
        providers: ProviderSet,
    ) -> int:
        """The estimate of `operation` (named `name` in the request) with these variables."""
        remembered = self._estimates.setdefault((name, providers), [])
        for known in remembered:
            if all(_same(variables.get(n, MISSING), value) for n, value in known.reads):
                return known.calls
        calls, reads = estimate_reading(operation, self.fragments, variables, providers)
        if all(value is MISSING or type(value) in SCALARS for value in reads.values()):
            remembered.insert(0, _Estimate(tuple(reads.items()), calls))
            del remembered[PER_OPERATION:]
        return calls


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (`True == 1 == 1.0` in Python, not to the estimate)."""
    return type(a) is type(b) and bool(a == b)
