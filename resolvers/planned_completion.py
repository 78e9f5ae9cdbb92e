"""Planned completion: plain-data sub-selections turned into dicts by a plan, not per field.

graphql-core completes every field of every object through the same general machinery
(resolve info, resolver call, awaitable checks, type dispatch): about 10 µs a field, so a
page of 100 contacts x 25 values costs tens of milliseconds. Most of what clients select
below a contact is plain data — Strawberry fields without resolvers, arguments or
extensions, holding scalars, enums, lists and small value objects. For such a selection
this execution context builds a plan: the response keys in order, the attribute each
reads, and how each value is coerced. Plans are kept across requests for the same
parsed document (and the same plain variable values), so a repeated query compiles
nothing. Completing an object
is then a loop over that plan.

Whatever the plan does not cover (resolvers, arguments, abstract types, @defer) goes
through graphql-core unchanged, and so does any object whose data does not fit the plan
(a null in a non-null field, a value the scalar refuses): the plan bails out before
returning anything and the general path completes that object again, producing exactly
the errors and paths it always did. So does an object whose attribute cannot be read at
all (any exception a plan meets sends the object or list back to graphql-core, which
reports it at the field it belongs to). Reading plain attributes has no side effects, so
the second pass sees what the first saw. tests/test_planned_completion.py compares both
paths on generated selections.

Two further steps, as graphql-jit does in JavaScript:
- a plan is a generated Python function (one statement per response key, the common
  String/ID/Boolean values checked inline), compiled once per distinct selection shape
  and kept in a bounded cache across requests; the source holds only GraphQL names and
  Python identifiers, values reach it as the function's globals;
- a list of objects (a page's `nodes`) is completed in one loop, interfaces and unions
  included: each item's runtime type comes from the abstract type's own `resolve_type`
  (called with the list field's info, as graphql-core calls it), then that type's plan.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Final, Generic, TypeVar

from graphql import (
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    GraphQLUnionType,
    InlineFragmentNode,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.types.base_scalars import isoformat as strawberry_isoformat
from strawberry.types.field import StrawberryField

from resolvers.plan_source import NotIdentifier, PlanSource
from schema.type_resolution import is_resolved_by_class

BASIC_RESOLVER_NAME: Final = "_get_basic_result"
"""The name Strawberry gives the resolver of a field without resolver or extensions."""

_BUILT_IN_COERCE: Final = {
    t.name: t.coerce_output_value for t in (GraphQLString, GraphQLID, GraphQLBoolean)
}

ISO_CLASSES: Final = frozenset({datetime, date, time})
"""Classes whose values Strawberry's date and time scalars serialise with `isoformat()`."""

V = TypeVar("V")
Info = GraphQLResolveInfo[Any]
Complete = Callable[[Any], Any]
"""Turns one plain value into its response form; raises `_Bail` when it cannot."""


class _Bail(Exception):  # a control-flow signal, not an error
    """The data does not fit the plan: complete this object the general way."""


class _NotPlain(Exception):  # a control-flow signal, not an error
    """The selection is not plain data: it gets no plan."""


PASS_THROUGH: Final = {
    GraphQLString.name: str,
    GraphQLID.name: str,
    GraphQLBoolean.name: bool,
}
"""Built-in scalars whose coercion returns a value of exactly this Python type unchanged."""


def _leaf(leaf_type: GraphQLLeafType) -> Complete:
    coerce = leaf_type.coerce_output_value
    exact = _pass_through(leaf_type)
    if exact is not None:

        def unchanged(value: Any) -> Any:
            return value if type(value) is exact else _coerced(coerce, value)

        return unchanged
    if isinstance(leaf_type, GraphQLEnumType):
        names: dict[Any, Any] = {}

        def enum_value(value: Any) -> Any:
            try:
                return names[value]
            except (KeyError, TypeError):
                pass
            coerced = _coerced(coerce, value)
            with contextlib.suppress(TypeError):  # an unhashable value: coerced each time
                names[value] = coerced
            return coerced

        return enum_value
    return lambda value: _coerced(coerce, value)


def _coerced(coerce: Callable[[Any], Any], value: Any) -> Any:
    try:
        coerced = coerce(value)
    except Exception as exc:  # the general path reports it with its path
        raise _Bail from exc
    if coerced is None or coerced is Undefined:
        raise _Bail
    return coerced


SHARED_PLANS_SIZE: Final = 256
"""Plans kept for later requests of the same document (least recently used go first)."""


class _Kept(Generic[V]):
    """What is known of selections across requests, the least recently used going first.

    Keys hold `id()`s of field nodes: each value is kept with the nodes (`pinned`), so
    those ids cannot be reused while the entry lives."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...]) -> tuple[V] | None:
        """(value,) when known (a value may itself be None), else None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return (entry[1],)

    def put(self, key: tuple[Any, ...], pinned: tuple[Any, ...], value: V) -> None:
        self._entries[key] = (pinned, value)
        if len(self._entries) > SHARED_PLANS_SIZE:
            self._entries.popitem(last=False)


_SHARED_PLANS: _Kept[Complete | None] = _Kept()
"""Plans (None: not plain data) by schema, type, field nodes and, where directives make
them matter, variable values."""
_DIRECTED: _Kept[bool] = _Kept()
"""Whether a selection (schema, type, field nodes) collects through directives."""
_SCALAR_TYPES: Final = frozenset({str, int, float, bool})

CompleteItems = Callable[[Any, Info], list[Any]]
"""Completes a whole list (a list or tuple of items); raises `_Bail` when it cannot."""


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with planned completion of plain-data objects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Complete | None]]
        self._plans = {}
        self._lists: dict[tuple[GraphQLList[Any], int], tuple[FieldDetailsList, Any]] = {}

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: Info,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if result.__class__ is list or result.__class__ is tuple:
            complete_items = self._items_for(return_type, field_details_list)
            if complete_items is not None:
                # _Bail, or anything else: the general path below reports it where it belongs
                with contextlib.suppress(Exception):
                    return complete_items(result, info)
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _items_for(
        self, list_type: GraphQLList[Any], field_details_list: FieldDetailsList
    ) -> CompleteItems | None:
        """How a list of this type and selection completes in one loop, or None."""
        key = (list_type, id(field_details_list))
        cached = self._lists.get(key)
        if cached is not None:
            items: CompleteItems | None = cached[1]
            return items
        try:
            items = self._compile_items(list_type.of_type, field_details_list)
        except _NotPlain:
            items = None
        self._lists[key] = (field_details_list, items)
        return items

    def _compile_items(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> CompleteItems:
        non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            return self._abstract_items(named, field_details_list, non_null)
        complete = self._completion(item_type, field_details_list)

        def items(values: Any, info: Info) -> list[Any]:
            return [complete(v) for v in values]

        return items

    def _abstract_items(
        self, abstract: GraphQLAbstractType, field_details_list: FieldDetailsList, non_null: bool
    ) -> CompleteItems:
        resolve_type = abstract.resolve_type or self.type_resolver
        by_name: dict[str, Complete] = {}

        def plan_of(name: Any) -> Complete:
            runtime = self.schema.get_type(name) if isinstance(name, str) else None
            if not isinstance(runtime, GraphQLObjectType):
                raise _Bail  # an unknown or awaitable answer: graphql-core reports it
            if not self.schema.is_sub_type(abstract, runtime):
                raise _Bail
            plan = self._plan_for(runtime, field_details_list)
            if plan is None:
                raise _Bail
            by_name[name] = plan
            return plan

        by_class: dict[type, Any] = {}  # class -> type name, when resolve_type says it may
        remember = is_resolved_by_class(resolve_type)

        def items(values: Any, info: Info) -> list[Any]:
            completed: list[Any] = []
            for value in values:
                if value is None:
                    if non_null:
                        raise _Bail
                    completed.append(None)
                    continue
                name = by_class.get(value.__class__)
                if name is None:
                    name = resolve_type(value, info, abstract)
                    if remember and name.__class__ is str:
                        by_class[value.__class__] = name
                complete = by_name.get(name) if name.__class__ is str else None
                if complete is None:
                    complete = plan_of(name)
                completed.append(complete(value))
            return completed

        return items

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan_for(return_type, field_details_list)
        if plan is not None:
            # _Bail, or anything else: the general path below reports it where it belongs
            with contextlib.suppress(Exception):
                completed: dict[str, Any] = plan(result)
                return completed
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan_for(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """The plan of this selection on this type, or None when it is not plain data.

        Memoised like graphql-core's own sub-field collection: by the identity of the
        field group, which is kept alive beside the plan so its id is not reused."""
        key = (object_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        shared_key = self._shared_key(object_type, field_details_list)
        kept = _SHARED_PLANS.get(shared_key) if shared_key is not None else None
        plan: Complete | None
        if kept is not None:
            (plan,) = kept
        else:
            try:
                plan = self._compile(object_type, field_details_list)
            except _NotPlain:
                plan = None
            if shared_key is not None:
                _SHARED_PLANS.put(shared_key, _nodes(field_details_list), plan)
        self._plans[key] = (field_details_list, plan)
        return plan

    def _shared_key(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> tuple[Any, ...] | None:
        """The key under which this selection's plan serves later requests too, or None.

        The field nodes belong to a parsed document the gateway keeps and reuses for the
        same text, so their identities name the selection (the nodes are kept alive beside
        the plan, so an id is never reused). Only a selection with directives (`@skip`,
        `@include`) can collect differently for other variables: then their values are
        part of the key, when they are plain scalars."""
        if any(details.defer_usage is not None for details in field_details_list):
            return None
        key: tuple[Any, ...] = (
            self.schema,
            object_type,
            tuple(id(details.node) for details in field_details_list),
        )
        known = _DIRECTED.get(key)
        if known is not None:
            (directed,) = known
        else:
            nodes = _nodes(field_details_list)
            directed = self._has_directives(nodes)
            _DIRECTED.put(key, nodes, directed)
        if not directed:
            return key
        variables = self.variable_values.coerced
        if not all(v is None or type(v) in _SCALAR_TYPES for v in variables.values()):
            return None
        return (*key, tuple(sorted(variables.items())))

    def _has_directives(self, nodes: tuple[Any, ...]) -> bool:
        """Whether any selection collected at this level (through fragments) is directed."""
        seen: set[str] = set()
        pending = [n.selection_set for n in nodes if n.selection_set is not None]
        while pending:
            for selection in pending.pop().selections:
                if selection.directives:
                    return True
                if isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    if getattr(selection, "arguments", None):
                        return True  # fragment arguments (experimental): variables matter
                    name = selection.name.value
                    fragment = self.fragment_definitions.get(name)
                    if fragment is None or fragment.directives:
                        return True  # unknown here: assume the worst
                    if name not in seen:
                        seen.add(name)
                        pending.append(fragment.selection_set)
        return False

    def _compile(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Complete:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            raise _NotPlain  # a field middleware (an extension's `resolve`) must see every field
        grouped, defer_usages, _forbidden = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            raise _NotPlain
        source = PlanSource(_Bail)
        if object_type.is_type_of is not None:
            source.check_source(object_type.is_type_of)
        for response_key, details in grouped.items():
            node = details[0].node
            if any(d.defer_usage is not None for d in details):
                raise _NotPlain
            name = node.name.value
            if name == "__typename":
                source.constant_value(response_key, object_type.name)
                continue
            if node.arguments:
                raise _NotPlain
            field_def = object_type.fields.get(name)
            if field_def is None or field_def.resolve is None:
                raise _NotPlain
            if getattr(field_def.resolve, "__name__", "") != BASIC_RESOLVER_NAME:
                raise _NotPlain
            definition = field_def.extensions.get("strawberry-definition")
            if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
                raise _NotPlain
            if definition.default_resolver is not getattr:
                raise _NotPlain
            try:
                variable = source.read(response_key, definition.python_name)
            except NotIdentifier as exc:
                raise _NotPlain from exc
            self._emit(source, variable, field_def.type, details)
        return source.function()

    def _emit(
        self,
        source: PlanSource,
        variable: str,
        output_type: GraphQLOutputType,
        details: FieldDetailsList,
    ) -> None:
        """Statements that turn `variable` into its response form (or raise BAIL)."""
        if isinstance(output_type, GraphQLNonNull):
            source.line(1, f"if {variable} is None: raise BAIL")
            self._emit_present(source, variable, output_type.of_type, details, 1)
        else:
            source.line(1, f"if {variable} is not None:")
            self._emit_present(source, variable, output_type, details, 2)

    def _emit_present(
        self,
        source: PlanSource,
        variable: str,
        output_type: GraphQLOutputType,
        details: FieldDetailsList,
        depth: int,
    ) -> None:
        complete = source.constant("c", self._nullable_completion(output_type, details))
        if isinstance(output_type, GraphQLList):
            item = self._item_expression(source, "x", output_type.of_type, details)
            is_sequence = f"{variable}.__class__ is list or {variable}.__class__ is tuple"
            source.line(depth, f"if {is_sequence}: {variable} = [{item} for x in {variable}]")
            source.line(depth, f"else: {variable} = {complete}({variable})")
            return
        if (
            isinstance(output_type, GraphQLScalarType)
            and output_type.coerce_output_value is strawberry_isoformat
        ):  # Strawberry's Date, DateTime, Time: the same call, without a call to make it
            kinds = source.constant("k", ISO_CLASSES)
            source.line(
                depth, f"if {variable}.__class__ in {kinds}: {variable} = {variable}.isoformat()"
            )
            source.line(depth, f"else: {variable} = {complete}({variable})")
            return
        exact = _pass_through(output_type)
        if exact is not None:
            kind = source.constant("t", exact)
            source.line(
                depth, f"if {variable}.__class__ is not {kind}: {variable} = {complete}({variable})"
            )
            return
        source.line(depth, f"{variable} = {complete}({variable})")

    def _item_expression(
        self, source: PlanSource, item: str, item_type: GraphQLOutputType, details: FieldDetailsList
    ) -> str:
        """An expression completing one list item `item` (its completion bails on a null
        in a non-null position)."""
        complete = source.constant("c", self._completion(item_type, details))
        if isinstance(item_type, GraphQLNonNull):
            exact = _pass_through(item_type.of_type)
            if exact is not None:
                kind = source.constant("t", exact)
                return f"{item} if {item}.__class__ is {kind} else {complete}({item})"
        return f"{complete}({item})"

    def _completion(self, output_type: GraphQLOutputType, details: FieldDetailsList) -> Complete:
        """How a value of `output_type` is completed, when that is plain."""
        if isinstance(output_type, GraphQLNonNull) and isinstance(
            output_type.of_type, GraphQLObjectType
        ):
            return self._nullable_completion(output_type.of_type, details)  # bails on None
        if isinstance(output_type, GraphQLNonNull):
            inner = self._completion(output_type.of_type, details)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise _Bail
                return inner(value)

            return non_null
        completion = self._nullable_completion(output_type, details)

        def nullable(value: Any) -> Any:
            return None if value is None else completion(value)

        return nullable

    def _nullable_completion(
        self, output_type: GraphQLOutputType, details: FieldDetailsList
    ) -> Complete:
        if isinstance(output_type, GraphQLList):
            item = self._completion(output_type.of_type, details)

            def each(value: Any) -> list[Any]:
                if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
                    raise _Bail
                return [item(v) for v in value]

            return each
        if isinstance(output_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf(output_type)
        if isinstance(output_type, GraphQLObjectType):
            plan = self._plan_for(output_type, details)
            if plan is None:
                raise _NotPlain
            return plan
        raise _NotPlain  # interfaces and unions: the runtime type is resolved the general way


def _nodes(field_details_list: FieldDetailsList) -> tuple[Any, ...]:
    return tuple(details.node for details in field_details_list)


def _pass_through(output_type: GraphQLOutputType) -> type | None:
    """The Python type whose values a built-in scalar returns unchanged, if any."""
    if not isinstance(output_type, GraphQLScalarType):
        return None
    if output_type.coerce_output_value is not _BUILT_IN_COERCE.get(output_type.name):
        return None  # a schema that replaced String's serialisation: call it each time
    return PASS_THROUGH.get(output_type.name)
