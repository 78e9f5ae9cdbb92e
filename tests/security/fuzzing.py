"""Hypothesis strategies for GraphQL variables, derived from the schema's input types (a
field added to an input is fuzzed the day it exists), and the checks every answer keeps."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)
from hypothesis import strategies as st

from tests.security.codes import ERROR_CODES, USER_ERROR_CODES
from tests.security.inputs import SCHEMA

TRICKY: Final = (
    "",
    " ",
    "'",
    "\\",
    "*",
    "a*b",
    "' Or Id Ne '",
    "../",
    "..%2F",
    "?x=1#y",
    "\x00",
    "\x1b[2J",
    "\n",
    "\t",
    "\u202e",
    "\ud800",  # a lone surrogate: JSON can carry its escape, no encoder its text
    "O'Brien",
    "Müller-Lüdenscheidt",
    "😀",
    "x" * 400,
    "+49 30 1234567",
    "+1 312 555 0199",
    "0049/30",
    "a@b.example",
    "@@",
    "DEU",
    "DE",
    "2011",
    "<x>&amp;</x>",
    '{"D": 1}',
)
TEXT: Final = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30))
MOMENTS: Final = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat())
JSON: Final = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
"""Any JSON value: what a client may send where another shape was expected."""


def _scalar(scalar: GraphQLScalarType) -> st.SearchStrategy[Any]:
    return {
        "String": TEXT,
        "ID": TEXT,
        "Boolean": st.booleans(),
        "Int": st.integers(min_value=-(2**31), max_value=2**31 - 1),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "DateTime": st.one_of(MOMENTS, TEXT),
    }.get(scalar.name, JSON)


def value_of(kind: GraphQLInputType) -> st.SearchStrategy[Any]:
    """A value of an input type; nullable types are sometimes null."""
    if isinstance(kind, GraphQLNonNull):
        return _non_null(kind.of_type)
    return st.none() | _non_null(kind)


def _non_null(kind: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLList):
        return st.lists(value_of(kind.of_type), max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(sorted(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return input_object(kind.name)
    assert isinstance(kind, GraphQLScalarType)
    return _scalar(kind)


def named_input(name: str) -> GraphQLInputObjectType:
    kind = SCHEMA.type_map[name]
    assert isinstance(kind, GraphQLInputObjectType)
    return kind


def input_object(
    name: str,
    *,
    leave_out: Collection[str] = (),
    fixed: Mapping[str, Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """An object of input type `name`: required fields always, the others sometimes."""
    kind = named_input(name)
    fixed = dict(fixed or {})
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field_name, field in kind.fields.items():
        if field_name in leave_out or field_name in fixed:
            continue
        must = isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        (required if must else optional)[field_name] = value_of(field.type)
    return st.fixed_dictionaries(
        {**required, **{k: st.just(v) for k, v in fixed.items()}}, optional=optional
    )


def mutated(base: Mapping[str, Any], changes: st.SearchStrategy[dict[str, Any]]) -> Any:
    """`base` (a valid input) with some of its fields replaced: reaches the deeper checks."""
    return changes.map(lambda change: {**base, **change})


def untyped(body: dict[str, Any]) -> list[Any]:
    """The errors and userErrors of an answer that break the promise: every error carries
    a known code, every userError a known code and a field path (or none). The gateway's
    helper has already required a status below 500."""
    broken: list[Any] = [
        error
        for error in body.get("errors") or []
        if (error.get("extensions") or {}).get("code") not in ERROR_CODES
    ]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and "userErrors" in payload:
            broken.extend(
                user_error
                for user_error in payload["userErrors"]
                if user_error["code"] not in USER_ERROR_CODES
                or not (user_error["field"] is None or isinstance(user_error["field"], list))
            )
    return broken
