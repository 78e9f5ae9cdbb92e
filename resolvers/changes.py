"""What a successful write announces: which contact changed, where, and how.

The mutation path publishes one `ContactChange` after each write the provider
accepted (never for a failed or unknown one), through a `ChangePublisher`; the bus
behind it (gateway/changes.py) reaches this process only, or every process on the
same Redis. Live subscriptions and any per-process state listen there. A change
carries ids and scopes only: no names, emails or phone numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from providers.model import ProviderName


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class ContactChange:
    tenant: str
    """The tenant whose credentials made the write."""
    scope: str
    """The provider entry's cache scope (provider, credential, tenant, role): a listener
    passes a change on only to callers of the same scope."""
    provider: ProviderName
    native_id: str
    kind: ChangeKind
    at: float = field(default_factory=time.time)
    """Unix time the gateway saw the write succeed."""


class ChangePublisher(Protocol):
    async def publish(self, change: ContactChange) -> None:
        """Hand the change to every listener; never raises (the write already happened)."""
        ...
