"""Idempotency keys for writes: what the ledger keeps and how a claim is decided.

RELIABILITY.md, after Stripe and the IETF Idempotency-Key draft: keys of at most
255 characters, kept 24 h, per (tenant, key), with a fingerprint of the request.

- same key, same request, finished      -> the first result again, no provider call
- same key, another request             -> IDEMPOTENCY_KEY_REUSED
- same key while the first still runs   -> IDEMPOTENCY_KEY_IN_FLIGHT
- same key after OUTCOME_UNKNOWN        -> reconcile with the provider, then the
                                           result it finds or one write

The storage sits behind `IdempotencyLedger` (SQLite in gateway/idempotency.py; a
Redis one can follow); `decide` is the rule every store applies to an entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Final, Protocol

from providers.model import UNSET, ContactRecord, ProviderName
from schema.payloads import UserError

MAX_KEY_LENGTH: Final = 255


class ClaimKind(StrEnum):
    """What the caller of `claim` does next."""

    NEW = "NEW"
    """The key is ours: run the write."""
    REPLAY = "REPLAY"
    """The request finished before: answer its result."""
    RECONCILE = "RECONCILE"
    """An earlier attempt's outcome is unknown, and finding out is now ours."""
    REUSED = "REUSED"
    """The key belongs to another request."""
    IN_FLIGHT = "IN_FLIGHT"
    """The first request with this key is still running."""


class EntryState(StrEnum):
    IN_FLIGHT = "IN_FLIGHT"
    DONE = "DONE"
    UNKNOWN = "UNKNOWN"


@dataclasses.dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write mutation answered: a contact, a deletion, or userErrors."""

    record: ContactRecord | None = None
    deleted_id: str | None = None
    trace_id: str | None = None
    user_errors: tuple[UserError, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Subject:
    """The contact a result is about (erasure, and never adopted by another key)."""

    provider: ProviderName
    native_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class Claim:
    kind: ClaimKind
    result: WriteResult | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One key's ledger row, as a store reads it back."""

    fingerprint: str
    state: EntryState
    started_at: float
    result: WriteResult | None = None


def decide(entry: Entry, fingerprint: str, now: float, lease: float) -> ClaimKind:
    """The claim on an unexpired entry. An attempt running longer than `lease` (beyond
    any request deadline) belongs to a gateway that is gone: its outcome is unknown."""
    if entry.fingerprint != fingerprint:
        return ClaimKind.REUSED
    if entry.state is EntryState.DONE:
        return ClaimKind.REPLAY
    if entry.state is EntryState.IN_FLIGHT and now - entry.started_at < lease:
        return ClaimKind.IN_FLIGHT
    return ClaimKind.RECONCILE


class IdempotencyLedger(Protocol):
    """Where keys live. Every method is atomic per key, across processes sharing it."""

    async def claim(self, tenant: str, key: str, fingerprint: str) -> Claim:
        """Take the key (NEW / RECONCILE leave it IN_FLIGHT for us) or say why not."""
        ...

    async def complete(
        self, tenant: str, key: str, result: WriteResult, subject: Subject | None
    ) -> None:
        """The write has a definite result: keep it for the key's lifetime."""
        ...

    async def mark_unknown(self, tenant: str, key: str) -> None:
        """The write may or may not have been applied: the next claim reconciles."""
        ...

    async def release(self, tenant: str, key: str) -> None:
        """The write certainly did not happen: forget the key (a retry runs afresh)."""
        ...

    async def claimed(self, provider: ProviderName, native_ids: Sequence[str]) -> set[str]:
        """Which of these contacts are some key's result (never another key's to adopt)."""
        ...

    async def erase(self, subject: Subject) -> None:
        """The contact was deleted: no stored result may keep its data."""
        ...


def valid_key(key: str) -> bool:
    """1 to 255 visible ASCII characters (the draft's key is a structured-field string)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all("!" <= c <= "~" for c in key)


def fingerprint(operation: str, *parts: object) -> str:
    """A digest of the request: the mutation, its target and its input (fields not sent
    are left out, so a null and an absent field differ)."""
    text = json.dumps([operation, *(_canonical(p) for p in parts)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not UNSET
        }
        return {"$type": type(value).__name__, **fields}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value
