"""Who is calling, and what their role lets them do with any provider.

The role table follows Spark's (shared/providers/spark.md "Roles") and applies to every
provider alike: `private` and `idx` read and write (only `private` transfers), `public`
only reads, `vow` and `portal` read and may change only their own contact
(`updateMyContact`). A refused operation is a FORBIDDEN GraphQL error raised before
the provider is called. This module is below `gateway/` so resolvers can check it;
`gateway/auth.py` turns credentials into a `Principal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from providers.base import Operation
from providers.model import ProviderName
from resolvers.errors import GatewayError


class Role(StrEnum):
    """A gateway client's role; what it may do is `ROLE_OPERATIONS`."""

    PRIVATE = "private"
    IDX = "idx"
    PUBLIC = "public"
    VOW = "vow"
    PORTAL = "portal"


_READS: Final = frozenset({Operation.READ, Operation.LIST, Operation.READ_ME})
_WRITES: Final = frozenset(
    {Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.UPDATE_ME}
)
ROLE_OPERATIONS: Final[dict[Role, frozenset[Operation]]] = {
    Role.PRIVATE: _READS | _WRITES | {Operation.TRANSFER},
    Role.IDX: _READS | _WRITES,
    Role.PUBLIC: _READS,
    Role.VOW: _READS | {Operation.UPDATE_ME},
    Role.PORTAL: _READS | {Operation.UPDATE_ME},
}

ROOT_FIELD_OPERATIONS: Final[dict[str, Operation]] = {
    "node": Operation.READ,
    "nodes": Operation.READ,
    "contact": Operation.READ,
    "realtorContactByExternalId": Operation.READ,
    "contacts": Operation.LIST,
    "me": Operation.READ_ME,
    "createContact": Operation.CREATE,
    "updateContact": Operation.UPDATE,
    "deleteContact": Operation.DELETE,
    "transferContact": Operation.TRANSFER,
    "updateMyContact": Operation.UPDATE_ME,
}
"""The operation each provider-calling root field performs. A field missing here is
refused (deny by default), so a new root field cannot slip past the role check."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: which client, on whose behalf (tenant), in which role."""

    client_id: str
    tenant: str
    role: Role


DEFAULT_TENANT: Final = "default"
OPEN_PRINCIPAL: Final = Principal("anonymous", DEFAULT_TENANT, Role.PRIVATE)
"""Who an unauthenticated request is when auth runs open (sandbox mode only)."""


def operation_of(field_name: str) -> Operation | None:
    return ROOT_FIELD_OPERATIONS.get(field_name)


def require(role: Role, operation: Operation | None, provider: ProviderName) -> None:
    """Refuse (FORBIDDEN) what `role` may not do; `None` is an unknown operation: refused."""
    if operation is not None and operation in ROLE_OPERATIONS[role]:
        return
    what = operation.value.lower() if operation else "this operation"
    raise GatewayError(
        f"the {role.value} role may not {what.replace('_', ' ')} ({provider.value})",
        "FORBIDDEN",
        provider=provider.value,
        role=role.value,
    )
