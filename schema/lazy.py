"""Contact objects that compute a field from their record only when the query reads it.

Building a contact's GraphQL object up front (40-odd values: the global id, the email,
phone and address objects, every provider-specific field) cost about 11 µs a contact,
most of it for fields the query never selects; a page of 100 paid it 100 times. A lazy
type is an undecorated subclass of the Strawberry type: `isinstance`, Strawberry's type
resolution (it reads the inherited type definition) and the field resolvers, which get
the object as `self` and use `_record`, treat it as the type itself. Each plain field is
a property that reads the record (or the provider's extras block) when graphql-core or
the planned completion asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, TypeVar

from strawberry.types.base import get_object_definition

from providers.model import ContactRecord, ProviderExtras
from schema.values import UNIFIED_READERS

C = TypeVar("C")
E = TypeVar("E", bound=ProviderExtras)

RECORD: str = "_record"
EXTRAS: str = "_extras"


class MissingReader(TypeError):
    """A field of the type has no way to be read from a record (a programming error)."""


def lazy_contact_type(
    cls: type[C],
    extras_kind: type[E],
    converted: Mapping[str, Callable[[E], Any]] | None = None,
) -> Callable[[ContactRecord], C]:
    """A constructor of `cls` objects whose plain fields are read from the record lazily.

    The unified fields come from `UNIFIED_READERS`; every other plain field is the
    attribute of the same name on the record's `extras_kind` block (an empty block when
    the record has none), unless `converted` says how to build it from the block.
    """
    definition = get_object_definition(cls, strict=True)
    converted = dict(converted or {})
    empty = extras_kind()
    namespace: dict[str, Any] = {}
    for field in definition.fields:
        name = field.python_name
        if field.base_resolver is not None or name == RECORD:
            continue  # a resolver computes it from `_record` already; `_record` is set
        if name in UNIFIED_READERS:
            namespace[name] = property(_record_getter(UNIFIED_READERS[name]))
        elif name in converted:
            namespace[name] = property(_extras_getter(converted.pop(name)))
        elif hasattr(empty, name):
            namespace[name] = property(attrgetter(f"{EXTRAS}.{name}"))
        else:
            raise MissingReader(f"{cls.__name__}.{name} has no reader")
    if converted:
        raise MissingReader(f"{cls.__name__} has no fields {sorted(converted)}")

    def __init__(self: Any, record: ContactRecord) -> None:
        extras = record.extras
        self.__dict__[RECORD] = record
        self.__dict__[EXTRAS] = extras if isinstance(extras, extras_kind) else empty

    namespace["__init__"] = __init__
    namespace["__doc__"] = f"{cls.__name__} read lazily from its record (schema/lazy.py)."
    lazy: type[C] = type(f"Lazy{cls.__name__}", (cls,), namespace)
    return lazy


def _record_getter(reader: Callable[[ContactRecord], Any] | str) -> Callable[[Any], Any]:
    if isinstance(reader, str):
        return attrgetter(f"{RECORD}.{reader}")  # C-level: no Python frame per read
    return lambda obj: reader(obj.__dict__[RECORD])


def _extras_getter(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda obj: convert(obj.__dict__[EXTRAS])
