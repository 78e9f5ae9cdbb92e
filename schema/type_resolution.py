"""Marks a `resolve_type` whose answer depends only on the object's class.

graphql-core asks an interface's `resolve_type` for every object of a list; when the
answer follows from the class alone, the planned completion (resolvers/planned_completion.py)
asks once per class and list instead. Only functions marked here get that treatment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

MARK: Final = "_resolves_by_class"


def resolved_by_class(function: F) -> F:
    """Declare that `function(obj, info, type)` returns the same name for every `obj` of
    one class (no per-object data, no `strawberry.cast`)."""
    setattr(function, MARK, True)
    return function


def is_resolved_by_class(function: object) -> bool:
    """True for a function (or a method bound to one) marked by `resolved_by_class`."""
    return getattr(function, MARK, False) is True
