"""GraphQL enums, registered once over the unified model's enums.

`strawberry.enum(cls)` marks the model's own StrEnum as a GraphQL enum, so the
types annotate fields with the model enums directly (one definition, no copies).
Import this module before any type that uses them.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from providers.base import Operation
from providers.errors import IssueCode
from providers.model import (
    AddressKind,
    EmailKind,
    PhoneKind,
    ProviderName,
    Salutation,
    SortDirection,
    SortField,
)
from providers.spark.types import RecordStatus

strawberry.enum(
    ProviderName,
    name="Provider",
    description="A contact provider behind the gateway.",
)
strawberry.enum(
    Salutation, name="Salutation", description="Form of address (NONE: explicitly none)."
)
strawberry.enum(PhoneKind, name="PhoneKind", description="What a number is for.")
strawberry.enum(
    EmailKind, name="EmailKind", description="PRIMARY is the main address; at most one per contact."
)
strawberry.enum(AddressKind, name="AddressKind", description="Where it is.")
strawberry.enum(SortDirection, name="SortDirection", description="Ascending or descending.")
strawberry.enum(
    SortField,
    name="ContactOrderField",
    description="Fields a contact list can be ordered by; `providers` lists each provider's.",
)
strawberry.enum(
    Operation, name="ProviderOperation", description="An operation a provider may offer."
)
strawberry.enum(
    RecordStatus,
    name="SparkRecordStatus",
    description="Connected contacts belong to an agent; once Connected, never Unconnected again.",
)


@strawberry.enum(description="Stable code of one problem in a mutation's input.")
class UserErrorCode(Enum):
    REQUIRED = IssueCode.REQUIRED.value
    TOO_LONG = IssueCode.TOO_LONG.value
    INVALID = IssueCode.INVALID.value
    INVALID_FORMAT = IssueCode.INVALID_FORMAT.value
    READ_ONLY = IssueCode.READ_ONLY.value
    NOT_ALLOWED = IssueCode.NOT_ALLOWED.value
    DUPLICATE = IssueCode.DUPLICATE.value
    CONFLICT = IssueCode.CONFLICT.value
    LIMIT_EXCEEDED = IssueCode.LIMIT_EXCEEDED.value
    NOT_FOUND = IssueCode.NOT_FOUND.value
    FORBIDDEN = IssueCode.FORBIDDEN.value
    UNSUPPORTED = IssueCode.UNSUPPORTED.value
