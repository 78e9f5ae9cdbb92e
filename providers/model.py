"""The unified contact model: plain dataclasses every provider maps to and from.

No GraphQL and no I/O here. The schema layer turns these into GraphQL objects;
the provider packages turn them into their wire formats. Field names follow the
GraphQL input names (in snake_case) so that a field path reported by a provider's
validation can be shown to the client unchanged (see `FieldPath`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum, StrEnum
from operator import attrgetter
from typing import Final, TypeAlias, TypeVar

from providers.fast_init import fast_init


class ProviderName(StrEnum):
    """The contact providers the gateway knows."""

    IS24 = "IS24"
    AUTODNS = "AUTODNS"
    SPARK = "SPARK"


class Salutation(StrEnum):
    """A contact's form of address, where the provider has one."""

    MR = "MR"
    MS = "MS"
    MX = "MX"
    NONE = "NONE"


class PhoneKind(StrEnum):
    """What a phone number is used for."""

    PRIMARY = "PRIMARY"
    HOME = "HOME"
    WORK = "WORK"
    MOBILE = "MOBILE"
    FAX = "FAX"
    PAGER = "PAGER"
    OTHER = "OTHER"


class EmailKind(StrEnum):
    """Whether an address is the contact's main address or an additional one."""

    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"


class AddressKind(StrEnum):
    """Where an address is."""

    HOME = "HOME"
    WORK = "WORK"
    OTHER = "OTHER"


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class SortField(StrEnum):
    """Unified fields a contact list can be ordered by (providers say which they support)."""

    DISPLAY_NAME = "DISPLAY_NAME"
    GIVEN_NAME = "GIVEN_NAME"
    FAMILY_NAME = "FAMILY_NAME"
    EMAIL = "EMAIL"
    ORGANIZATION = "ORGANIZATION"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    ACTIVITY_SCORE = "ACTIVITY_SCORE"
    ID = "ID"


class _Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
"""Marks an input field the caller did not send (as opposed to sending null)."""

T = TypeVar("T")
Maybe: TypeAlias = "T | _Unset | None"
FieldPath: TypeAlias = tuple[str, ...]


def is_set(value: object) -> bool:
    """True when the caller sent the field (null counts as sent: it clears)."""
    return value is not UNSET


@dataclass(frozen=True, slots=True)
class Email:
    address: str
    kind: EmailKind = EmailKind.PRIMARY
    receives_notifications: bool = False
    deliverable: bool = True


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number as the provider stores it, plus its E.164 form when it parses."""

    kind: PhoneKind
    raw: str | None = None
    e164: str | None = None
    country_code: str | None = None
    area_code: str | None = None
    subscriber: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    kind: AddressKind = AddressKind.OTHER
    street_lines: tuple[str, ...] = ()
    house_number: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Freshness:
    """Where a record came from: the provider now, or the gateway's cache (maybe stale)."""

    from_cache: bool
    fetched_at: datetime
    stale: bool = False


class ProviderExtras:
    """Base of each provider's own record attributes (a provider subclasses it)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One contact as read from a provider, in the unified shape."""

    provider: ProviderName
    native_id: str
    display_name: str | None = None
    salutation: Salutation | None = None
    title: str | None = None
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    organization: str | None = None
    position: str | None = None
    emails: tuple[Email, ...] = ()
    phones: tuple[Phone, ...] = ()
    addresses: tuple[Address, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extras: ProviderExtras | None = None
    expansions_loaded: frozenset[str] = frozenset()
    freshness: Freshness | None = None


assert fields(ContactRecord)[-1].name == "freshness"  # `with_freshness` relies on it
_ALL_BUT_FRESHNESS: Final = attrgetter(*(f.name for f in fields(ContactRecord)[:-1]))
_new_record: Callable[..., ContactRecord] = fast_init(ContactRecord)  # all fields, in order


def with_freshness(record: ContactRecord, freshness: Freshness | None) -> ContactRecord:
    """`dataclasses.replace(record, freshness=...)` at half the cost: every record a read
    serves is stamped, and `replace` looks the fields up again on each call."""
    return _new_record(*_ALL_BUT_FRESHNESS(record), freshness)


@dataclass(frozen=True, slots=True)
class PhoneInput:
    """A phone number as a client sends it: one complete number, or the parts."""

    kind: PhoneKind
    number: str | None = None
    country_code: str | None = None
    area_code: str | None = None
    subscriber: str | None = None


@dataclass(frozen=True, slots=True)
class ContactInput:
    """Fields of a create or an update; UNSET fields are left as they are.

    On create, UNSET and None mean the same. Lists replace the whole list.
    `extras` holds the provider-specific block (e.g. `SparkContactInput`).
    """

    display_name: Maybe[str] = UNSET
    salutation: Maybe[Salutation] = UNSET
    title: Maybe[str] = UNSET
    given_name: Maybe[str] = UNSET
    middle_name: Maybe[str] = UNSET
    family_name: Maybe[str] = UNSET
    organization: Maybe[str] = UNSET
    position: Maybe[str] = UNSET
    emails: Maybe[tuple[Email, ...]] = UNSET
    phones: Maybe[tuple[PhoneInput, ...]] = UNSET
    addresses: Maybe[tuple[Address, ...]] = UNSET
    extras: object | None = None


@dataclass(frozen=True, slots=True)
class ContactFilter:
    """The unified filter; each field narrows the result (AND).

    Text fields accept `*` as a wildcard. Providers push down what they can
    (their capabilities list the filterable fields).
    """

    ids: tuple[str, ...] | None = None
    display_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    organization: str | None = None
    city: str | None = None
    postal_code: str | None = None
    tags: tuple[str, ...] | None = None
    updated_since: datetime | None = None
    created_since: datetime | None = None
    extras: object | None = None


@dataclass(frozen=True, slots=True)
class SortOrder:
    field: SortField
    direction: SortDirection = SortDirection.ASC


@dataclass(frozen=True, slots=True)
class ReadWants:
    """What a read should bring back: expansions by name and, if known, the fields.

    `fields` None means all fields; otherwise the unified (snake_case) names the
    query selected, so a provider with field selection can ask for just those.
    """

    expansions: frozenset[str] = frozenset()
    fields: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class ContactQuery:
    filter: ContactFilter = field(default_factory=ContactFilter)
    order: tuple[SortOrder, ...] = ()
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True, slots=True)
class ContactPage:
    records: tuple[ContactRecord, ...]
    total: int | None
    offset: int

    @property
    def has_more(self) -> bool:
        if self.total is None:
            return False
        return self.offset + len(self.records) < self.total


def extras_of(record: ContactRecord, kind: type[T]) -> T | None:
    """The record's extras if they are of `kind` (the caller's provider type)."""
    return record.extras if isinstance(record.extras, kind) else None
