"""Every string an input type takes, found in the schema itself (so a new field is covered
the day it is added), and a way to put a value at one of those places."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any, TypeAlias

from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, get_named_type

from resolvers.root import build_schema

Path: TypeAlias = tuple[str | int, ...]
STRING_TYPES = frozenset({"String", "ID"})
PROVIDER_BLOCKS = frozenset({"spark", "is24", "autodns"})
SCHEMA = build_schema()._schema


def string_paths(type_name: str) -> list[Path]:
    """Where `type_name` (an input type) takes text; a list's first item stands for all."""
    named = SCHEMA.type_map[type_name]
    assert isinstance(named, GraphQLInputObjectType)
    return list(_walk(named, ()))


def _walk(input_type: GraphQLInputObjectType, prefix: Path) -> Iterator[Path]:
    for name, field in input_type.fields.items():
        of = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        here: Path = (*prefix, name, 0) if isinstance(of, GraphQLList) else (*prefix, name)
        named = get_named_type(of)
        assert named is not None
        if isinstance(named, GraphQLInputObjectType):
            yield from _walk(named, here)
        elif named.name in STRING_TYPES:
            yield here


def paths_for(type_name: str, block: str | None) -> list[Path]:
    """The string paths a provider's input may use: shared fields plus its own block."""
    return [p for p in string_paths(type_name) if p[0] not in PROVIDER_BLOCKS or p[0] == block]


def put(data: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """`data` with `value` at `path`, creating objects and lists on the way."""
    node: Any = data
    for key, after in pairwise(path):
        empty: Any = [] if isinstance(after, int) else {}
        if isinstance(key, int):
            while len(node) <= key:
                node.append(empty)
            node = node[key]
        else:
            if node.get(key) is None:
                node[key] = empty
            node = node[key]
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append("")
    node[last] = value
    return data


def input_path(path: Path, root: str = "input") -> list[str]:
    """The `userErrors.field` form of a path: strings, list indexes as text."""
    return [root, *(str(p) for p in path)]


def names_the_field(reported: list[str] | None, injected: list[str]) -> bool:
    """A userError path points at the injected field: the field itself, the object or list
    holding it, or a sibling in the same list item (a house number is checked in the street)."""
    if not reported or (len(reported) < 2 < len(injected)):
        return False  # ["input"] alone names no field of a nested input
    if reported == injected[: len(reported)]:
        return True
    shared = next(
        (i for i, (a, b) in enumerate(zip(reported, injected, strict=False)) if a != b),
        min(len(reported), len(injected)),
    )
    return len(injected) >= 4 and shared == len(injected) - 1
