"""The idempotency ledger in the gateway's SQLite file, and an in-memory stand-in.

One row per (tenant, key): the request's fingerprint, its state (IN_FLIGHT, DONE,
UNKNOWN), when the current attempt started, and the first result. Every state
change is ONE statement (an upsert or a compare-and-set update), so processes
sharing the file never both own a key. Rows expire `ttl` seconds after the key was
first used and are then reused or purged. Results of a contact deleted through the
gateway are replaced by a tombstone (secure_delete and a WAL checkpoint leave no
bytes of the old one behind).

`MemoryLedger` keeps the same rules in a dict: the fallback when the SQLite file
cannot be opened (keys then hold within one process, until it restarts).
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

import aiosqlite
import msgspec

from gateway.database import connection_lock
from gateway.record_codec import decode_records, encode_records, register_extras
from providers.errors import IssueCode
from providers.is24.types import Is24Extras
from providers.model import ProviderName
from resolvers.errors import user_error
from resolvers.idempotency import (
    Claim,
    ClaimKind,
    Entry,
    EntryState,
    IdempotencyLedger,
    Subject,
    WriteResult,
    decide,
)
from schema.enums import UserErrorCode
from schema.payloads import UserError

log = logging.getLogger("contact_gateway.idempotency")
register_extras(Is24Extras)

DAY: Final = 86_400.0
SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS idempotency (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        result BLOB,
        provider TEXT,
        native_id TEXT,
        holds_record INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, key)
    )""",
    "CREATE INDEX IF NOT EXISTS idempotency_subject ON idempotency (provider, native_id)",
    "CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)",
)
_CLAIM: Final = (
    "INSERT INTO idempotency (tenant, key, fingerprint, state, started_at, expires_at) "
    "VALUES (?, ?, ?, 'IN_FLIGHT', ?, ?) ON CONFLICT (tenant, key) DO UPDATE SET "
    "fingerprint = excluded.fingerprint, state = excluded.state, "
    "started_at = excluded.started_at, expires_at = excluded.expires_at, result = NULL, "
    "provider = NULL, native_id = NULL, holds_record = 0 "
    "WHERE idempotency.expires_at <= excluded.started_at"
)
_encoder: Final = msgspec.json.Encoder()


def tombstone() -> WriteResult:
    """What a key answers once the contact it wrote was deleted (its data is gone)."""
    message = "the contact this key wrote has since been deleted"
    return WriteResult(user_errors=(user_error(None, IssueCode.NOT_FOUND, message),))


def encode_result(result: WriteResult) -> bytes:
    records = [result.record] if result.record is not None else []
    return _encoder.encode(
        {
            "records": msgspec.json.decode(encode_records(records)),
            "deletedId": result.deleted_id,
            "traceId": result.trace_id,
            "userErrors": [_error_to_builtins(e) for e in result.user_errors],
        }
    )


def decode_result(raw: bytes) -> WriteResult:
    data = msgspec.json.decode(raw)
    records = decode_records(_encoder.encode(data["records"]))
    return WriteResult(
        record=records[0] if records else None,
        deleted_id=data["deletedId"],
        trace_id=data["traceId"],
        user_errors=tuple(_error_from_builtins(e) for e in data["userErrors"]),
    )


def _error_to_builtins(error: UserError) -> dict[str, Any]:
    return {
        "field": error.field,
        "code": error.code.value,
        "message": error.message,
        "providerCode": error.provider_code,
        "traceId": error.trace_id,
    }


def _error_from_builtins(data: dict[str, Any]) -> UserError:
    return UserError(
        field=data["field"],
        code=UserErrorCode(data["code"]),
        message=data["message"],
        provider_code=data["providerCode"],
        trace_id=data["traceId"],
    )


@dataclasses.dataclass(slots=True)
class SqliteLedger:
    connection: aiosqlite.Connection
    ttl: float = DAY
    lease: float = 60.0
    clock: Callable[[], float] = time.time
    purge_every: int = 256
    _claims: int = 0

    async def setup(self) -> None:
        async with connection_lock(self.connection):
            for statement in SCHEMA:
                await self.connection.execute(statement)
            await self.connection.commit()
        await self.purge()

    async def claim(self, tenant: str, key: str, fingerprint: str) -> Claim:
        now = self.clock()
        await self._maybe_purge()
        taken = await self._write(_CLAIM, (tenant, key, fingerprint, now, now + self.ttl))
        if taken:
            return Claim(ClaimKind.NEW)
        entry = await self._entry(tenant, key)
        if entry is None:  # purged between the two statements: try once more
            taken = await self._write(_CLAIM, (tenant, key, fingerprint, now, now + self.ttl))
            return Claim(ClaimKind.NEW if taken else ClaimKind.IN_FLIGHT)
        kind = decide(entry, fingerprint, now, self.lease)
        if kind is ClaimKind.RECONCILE and not await self._take_over(tenant, key, entry, now):
            kind = ClaimKind.IN_FLIGHT  # another request got there first
        return Claim(kind, entry.result if kind is ClaimKind.REPLAY else None)

    async def complete(
        self, tenant: str, key: str, result: WriteResult, subject: Subject | None
    ) -> None:
        await self._write(
            "UPDATE idempotency SET state = 'DONE', result = ?, provider = ?, native_id = ?, "
            "holds_record = ? WHERE tenant = ? AND key = ?",
            (
                encode_result(result),
                subject.provider.value if subject else None,
                subject.native_id if subject else None,
                int(result.record is not None),
                tenant,
                key,
            ),
        )

    async def mark_unknown(self, tenant: str, key: str) -> None:
        await self._write(
            "UPDATE idempotency SET state = 'UNKNOWN' "
            "WHERE tenant = ? AND key = ? AND state = 'IN_FLIGHT'",
            (tenant, key),
        )

    async def release(self, tenant: str, key: str) -> None:
        await self._write(
            "DELETE FROM idempotency WHERE tenant = ? AND key = ? AND state = 'IN_FLIGHT'",
            (tenant, key),
        )

    async def claimed(self, provider: ProviderName, native_ids: Sequence[str]) -> set[str]:
        if not native_ids:
            return set()
        marks = ",".join("?" * len(native_ids))
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                "SELECT native_id FROM idempotency WHERE provider = ? "  # noqa: S608  # only placeholders are interpolated
                f"AND native_id IN ({marks}) AND expires_at > ?",
                (provider.value, *native_ids, self.clock()),
            ) as cursor,
        ):
            return {str(row[0]) for row in await cursor.fetchall()}

    async def erase(self, subject: Subject) -> None:
        erased = await self._write(
            "UPDATE idempotency SET result = ?, holds_record = 0 "
            "WHERE provider = ? AND native_id = ? AND holds_record = 1",
            (encode_result(tombstone()), subject.provider.value, subject.native_id),
        )
        if erased:  # no bytes of the old results left in the WAL either
            async with connection_lock(self.connection):
                await self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def purge(self) -> int:
        """Drop expired rows (their keys are free again anyway)."""
        return await self._write("DELETE FROM idempotency WHERE expires_at <= ?", (self.clock(),))

    async def _maybe_purge(self) -> None:
        self._claims += 1
        if self._claims >= self.purge_every:
            self._claims = 0
            await self.purge()

    async def _take_over(self, tenant: str, key: str, entry: Entry, now: float) -> bool:
        """Compare-and-set: the attempt is ours only if nobody changed the row since."""
        return bool(
            await self._write(
                "UPDATE idempotency SET state = 'IN_FLIGHT', started_at = ? "
                "WHERE tenant = ? AND key = ? AND state = ? AND started_at = ?",
                (now, tenant, key, entry.state.value, entry.started_at),
            )
        )

    async def _entry(self, tenant: str, key: str) -> Entry | None:
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                "SELECT fingerprint, state, started_at, result FROM idempotency "
                "WHERE tenant = ? AND key = ? AND expires_at > ?",
                (tenant, key, self.clock()),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is None:
            return None
        result = decode_result(bytes(row[3])) if row[3] is not None else None
        return Entry(str(row[0]), EntryState(row[1]), float(row[2]), result)

    async def _write(self, statement: str, parameters: tuple[Any, ...]) -> int:
        """One statement, committed at once (under the connection's lock: no other unit of
        work interleaves); the number of rows it changed."""
        async with connection_lock(self.connection):
            cursor = await self.connection.execute(statement, parameters)
            await self.connection.commit()
            return cursor.rowcount


@dataclasses.dataclass(slots=True)
class _Row:
    entry: Entry
    expires_at: float
    subject: Subject | None = None


@dataclasses.dataclass(slots=True)
class MemoryLedger:
    """The same rules in one process's memory (tests, and the fallback without SQLite)."""

    ttl: float = DAY
    lease: float = 60.0
    clock: Callable[[], float] = time.time
    _rows: dict[tuple[str, str], _Row] = dataclasses.field(default_factory=dict)

    async def claim(self, tenant: str, key: str, fingerprint: str) -> Claim:
        now = self.clock()
        row = self._rows.get((tenant, key))
        if row is None or row.expires_at <= now:
            entry = Entry(fingerprint, EntryState.IN_FLIGHT, now)
            self._rows[(tenant, key)] = _Row(entry, now + self.ttl)
            return Claim(ClaimKind.NEW)
        kind = decide(row.entry, fingerprint, now, self.lease)
        if kind is ClaimKind.RECONCILE:
            row.entry = dataclasses.replace(row.entry, state=EntryState.IN_FLIGHT, started_at=now)
        return Claim(kind, row.entry.result if kind is ClaimKind.REPLAY else None)

    async def complete(
        self, tenant: str, key: str, result: WriteResult, subject: Subject | None
    ) -> None:
        row = self._rows.get((tenant, key))
        if row is not None:
            row.entry = dataclasses.replace(row.entry, state=EntryState.DONE, result=result)
            row.subject = subject

    async def mark_unknown(self, tenant: str, key: str) -> None:
        row = self._rows.get((tenant, key))
        if row is not None and row.entry.state is EntryState.IN_FLIGHT:
            row.entry = dataclasses.replace(row.entry, state=EntryState.UNKNOWN)

    async def release(self, tenant: str, key: str) -> None:
        row = self._rows.get((tenant, key))
        if row is not None and row.entry.state is EntryState.IN_FLIGHT:
            del self._rows[(tenant, key)]

    async def claimed(self, provider: ProviderName, native_ids: Sequence[str]) -> set[str]:
        now, wanted = self.clock(), set(native_ids)
        return {
            r.subject.native_id
            for r in self._rows.values()
            if r.subject is not None
            and r.expires_at > now
            and r.subject.provider is provider
            and r.subject.native_id in wanted
        }

    async def erase(self, subject: Subject) -> None:
        for row in self._rows.values():
            result = row.entry.result
            if row.subject == subject and result is not None and result.record is not None:
                row.entry = dataclasses.replace(row.entry, result=tombstone())


async def open_ledger(
    connection: aiosqlite.Connection | None, ttl: float = DAY, lease: float = 60.0
) -> IdempotencyLedger:
    """The ledger in the gateway's SQLite file, or (logged) one in memory without it."""
    if connection is not None:
        ledger = SqliteLedger(connection, ttl, lease)
        try:
            await ledger.setup()
        except sqlite3.Error as exc:
            log.error("idempotency table unusable: %s", type(exc).__name__)
        else:
            return ledger
    log.error("idempotency keys hold within this process only, until it restarts")
    return MemoryLedger(ttl, lease)
