"""Planned completion: plain-data sub-selections turned into dicts by a plan, not per field.

graphql-core completes every field of every object through the same general machinery
(resolve info, resolver call, awaitable checks, type dispatch): about 10 µs a field, so a
page of 100 contacts x 25 values costs tens of milliseconds. Most of what clients select
below a contact is plain data — Strawberry fields without resolvers, arguments or
extensions, holding scalars, enums, lists and small value objects. For such a selection
this execution context builds, once per request and selection, a plan: the response keys
in order, the attribute each reads, and how each value is coerced. Completing an object
is then a loop over that plan.

Whatever the plan does not cover (resolvers, arguments, abstract types, @defer) goes
through graphql-core unchanged, and so does any object whose data does not fit the plan
(a null in a non-null field, a value the scalar refuses): the plan bails out before
returning anything and the general path completes that object again, producing exactly
the errors and paths it always did. Reading plain attributes has no side effects, so the
second pass sees what the first saw. tests/test_planned_completion.py compares both
paths on generated selections.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

BASIC_RESOLVER_NAME: Final = "_get_basic_result"
"""The name Strawberry gives the resolver of a field without resolver or extensions."""

_BUILT_IN_COERCE: Final = {
    t.name: t.coerce_output_value for t in (GraphQLString, GraphQLID, GraphQLBoolean)
}

Complete = Callable[[Any], Any]
"""Turns one plain value into its response form; raises `_Bail` when it cannot."""


class _Bail(Exception):  # a control-flow signal, not an error
    """The data does not fit the plan: complete this object the general way."""


_BAIL: Final = _Bail()


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
    exact = PASS_THROUGH.get(leaf_type.name)
    if exact is not None and coerce is _BUILT_IN_COERCE.get(leaf_type.name):

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
        raise _BAIL from exc
    if coerced is None or coerced is Undefined:
        raise _BAIL
    return coerced


class _Plan:
    """One object type's plain selection: (response key, attribute, completion) in order."""

    __slots__ = ("entries", "is_type_of", "typename")

    def __init__(
        self,
        typename: str,
        entries: list[tuple[str, str | None, Complete]],
        is_type_of: Callable[[Any, Any], Any] | None,
    ) -> None:
        self.typename = typename
        self.entries = entries
        self.is_type_of = is_type_of

    def complete(self, source: Any) -> dict[str, Any]:
        if self.is_type_of is not None and self.is_type_of(source, None) is not True:
            raise _BAIL
        result: dict[str, Any] = {}
        for key, attribute, complete in self.entries:
            if attribute is None:
                result[key] = self.typename
            else:
                result[key] = complete(getattr(source, attribute))
        return result


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with planned completion of plain-data objects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, _Plan | None]] = {}

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
            try:
                return plan.complete(result)
            except _Bail:
                pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan_for(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Plan | None:
        """The plan of this selection on this type, or None when it is not plain data.

        Memoised like graphql-core's own sub-field collection: by the identity of the
        field group, which is kept alive beside the plan so its id is not reused."""
        key = (object_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        plan: _Plan | None
        try:
            plan = self._compile(object_type, field_details_list)
        except _NotPlain:
            plan = None
        self._plans[key] = (field_details_list, plan)
        return plan

    def _compile(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Plan:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            raise _NotPlain  # a field middleware (an extension's `resolve`) must see every field
        grouped, defer_usages, _forbidden = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            raise _NotPlain
        entries: list[tuple[str, str | None, Complete]] = []
        for response_key, details in grouped.items():
            node = details[0].node
            if any(d.defer_usage is not None for d in details):
                raise _NotPlain
            name = node.name.value
            if name == "__typename":
                entries.append((response_key, None, _identity))
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
            entries.append(
                (response_key, definition.python_name, self._completion(field_def.type, details))
            )
        return _Plan(object_type.name, entries, object_type.is_type_of)

    def _completion(self, output_type: GraphQLOutputType, details: FieldDetailsList) -> Complete:
        """How a value of `output_type` is completed, when that is plain."""
        if isinstance(output_type, GraphQLNonNull):
            inner = self._completion(output_type.of_type, details)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise _BAIL
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
                    raise _BAIL
                return [item(v) for v in value]

            return each
        if isinstance(output_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf(output_type)
        if isinstance(output_type, GraphQLObjectType):
            plan = self._plan_for(output_type, details)
            if plan is None:
                raise _NotPlain
            return plan.complete
        raise _NotPlain  # interfaces and unions: the runtime type is resolved the general way


def _identity(value: Any) -> Any:
    return value
