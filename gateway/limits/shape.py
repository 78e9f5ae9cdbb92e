"""The shape of an operation: how deep it nests, how many aliases and directives it uses,
how many root fields it selects, and whether it introspects — counted as executed, with
fragments spread where they are used.

Each fragment is measured once (memoised), so a document that spreads fragments into
fragments cannot make the counting itself exponential; a fragment cycle counts as empty
here and is left to validation. Introspection (`__schema`, `__type`) is exempt from
depth: GraphiQL's own introspection query nests its type references ~10 deep and costs
no provider call.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)

from gateway.limits import errors
from gateway.settings import LimitSettings
from resolvers.errors import GatewayError

INTROSPECTION_FIELDS: Final = frozenset({"__schema", "__type"})
Fragments = Mapping[str, FragmentDefinitionNode]


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    introspection: bool = False

    def beside(self, other: Shape) -> Shape:
        """Two selections of the same selection set."""
        return Shape(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.directives + other.directives,
            self.introspection or other.introspection,
        )

    def with_directives(self, count: int) -> Shape:
        return Shape(self.depth, self.aliases, self.directives + count, self.introspection)


EMPTY: Final = Shape()


class _Measure:
    """Shapes of selection sets, fragments memoised by name."""

    def __init__(self, fragments: Fragments) -> None:
        self._fragments = fragments
        self._done: dict[str, Shape] = {}
        self._open: set[str] = set()

    def selections(self, node: SelectionSetNode | None) -> Shape:
        total = EMPTY
        for selection in node.selections if node is not None else ():
            total = total.beside(self._selection(selection))
        return total

    def _selection(self, selection: SelectionNode) -> Shape:
        directives = len(selection.directives or ())
        if isinstance(selection, FieldNode):
            return self._field(selection).with_directives(directives)
        if isinstance(selection, InlineFragmentNode):
            return self.selections(selection.selection_set).with_directives(directives)
        assert isinstance(selection, FragmentSpreadNode)
        return self._fragment(selection.name.value).with_directives(directives)

    def _field(self, field: FieldNode) -> Shape:
        inner = self.selections(field.selection_set)
        exempt = field.name.value in INTROSPECTION_FIELDS
        return Shape(
            depth=0 if exempt else 1 + inner.depth,
            aliases=inner.aliases + (1 if field.alias is not None else 0),
            directives=inner.directives,
            introspection=exempt or inner.introspection,
        )

    def _fragment(self, name: str) -> Shape:
        if name in self._done:
            return self._done[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return EMPTY  # unknown or cyclic: validation reports it
        self._open.add(name)
        shape = self.selections(definition.selection_set)
        shape = shape.with_directives(len(definition.directives or ()))
        self._open.discard(name)
        self._done[name] = shape
        return shape


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def operation_shape(operation: OperationDefinitionNode, measure: _Measure) -> Shape:
    own = len(operation.directives or ()) + sum(
        len(v.directives or ()) for v in operation.variable_definitions or ()
    )
    return measure.selections(operation.selection_set).with_directives(own)


def flat_fields(
    selection_sets: Iterable[SelectionSetNode], fragments: Fragments
) -> Iterator[FieldNode]:
    """The fields of these selection sets with fragments spread, each fragment once (as
    graphql-core collects fields; a fragment spread twice in one place runs once)."""
    seen: set[str] = set()
    stack = list(selection_sets)
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    stack.append(fragments[name].selection_set)


def root_fields(operation: OperationDefinitionNode, fragments: Fragments) -> int:
    """Distinct response keys at the top (fields with the same key merge into one)."""
    fields = flat_fields([operation.selection_set], fragments)
    return len({(f.alias or f.name).value for f in fields})


def shape_errors(document: DocumentNode, limits: LimitSettings) -> list[GatewayError]:
    """One error per limit the worst operation of the document breaks."""
    fragments = fragments_of(document)
    measure = _Measure(fragments)
    worst = EMPTY
    roots = 0
    for operation in operations_of(document):
        shape = operation_shape(operation, measure)
        worst = Shape(
            max(worst.depth, shape.depth),
            max(worst.aliases, shape.aliases),
            max(worst.directives, shape.directives),
            worst.introspection or shape.introspection,
        )
        roots = max(roots, root_fields(operation, fragments))
    return _breaches(worst, roots, limits)


def _breaches(shape: Shape, roots: int, limits: LimitSettings) -> list[GatewayError]:
    found: list[GatewayError] = []
    if shape.introspection and not limits.introspection:
        found.append(
            errors.rejection(
                errors.INTROSPECTION_DISABLED,
                "introspection (__schema, __type) is disabled on this gateway",
                limit=0,
            )
        )
    for code, what, actual, limit in (
        (errors.QUERY_TOO_DEEP, "nests fields {} levels deep", shape.depth, limits.max_depth),
        (errors.TOO_MANY_ALIASES, "uses {} aliases", shape.aliases, limits.max_aliases),
        (errors.TOO_MANY_DIRECTIVES, "uses {} directives", shape.directives, limits.max_directives),
        (errors.TOO_MANY_ROOT_FIELDS, "selects {} root fields", roots, limits.max_root_fields),
    ):
        if actual > limit:
            message = f"the operation {what.format(actual)}; the limit is {limit}"
            found.append(errors.rejection(code, message, limit=limit, actual=actual))
    return found
