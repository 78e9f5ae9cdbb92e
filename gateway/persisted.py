"""Persisted queries: Apollo's automatic protocol (APQ) and an optional allow-list.

APQ: a client sends only `extensions.persistedQuery.sha256Hash`; an unknown hash
answers `PersistedQueryNotFound`; the client then sends hash + query, which is
checked and stored (in the gateway's SQLite file, or in Redis with cache_url, so every
worker and machine sees it); later
hash-only requests, also as GET so CDNs can cache them, run the stored document.

Allow-list mode runs only documents listed in a manifest produced by the client
build (Apollo's `persisted-query-manifest` JSON, or a plain {hash: query} map);
registration is then closed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import aiosqlite

from gateway.database import connection_lock

_HASH: Final = re.compile(r"[0-9a-f]{64}")
SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS persisted_queries (
    hash TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    created_at REAL NOT NULL
)"""
MAX_STORED_QUERY: Final = 15_000


class PersistedQueryError(Exception):
    """A persisted-query problem, answered as a GraphQL error with `code`."""

    def __init__(self, message: str, code: str, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class QueryStore(Protocol):
    """Where registered documents live (SQLite here, Redis in gateway/redis_stores.py)."""

    async def setup(self) -> None: ...

    async def get(self, digest: str) -> str | None: ...

    async def add(self, digest: str, query: str) -> None:
        """Keep the first document registered under `digest`."""
        ...


@dataclass(slots=True)
class SqliteQueryStore:
    connection: aiosqlite.Connection

    """APQ documents in the gateway's SQLite file; each unit of work holds the connection's
    lock, which the cache and the idempotency ledger share (gateway/database.py)."""

    async def setup(self) -> None:
        async with connection_lock(self.connection):
            await self.connection.execute(SCHEMA)
            await self.connection.commit()

    async def get(self, digest: str) -> str | None:
        async with (
            connection_lock(self.connection),
            self.connection.execute(
                "SELECT query FROM persisted_queries WHERE hash = ?", (digest,)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return str(row[0]) if row is not None else None

    async def add(self, digest: str, query: str) -> None:
        async with connection_lock(self.connection):
            await self.connection.execute(
                "INSERT OR IGNORE INTO persisted_queries (hash, query, created_at) "
                "VALUES (?, ?, ?)",
                (digest, query, time.time()),
            )
            await self.connection.commit()


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def load_allow_list(path: Path) -> dict[str, str]:
    """{sha256: document} from an Apollo manifest or a plain JSON map."""
    data = json.loads(path.read_text("utf-8"))
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        documents = [op["body"] for op in data["operations"]]
    elif isinstance(data, dict):
        documents = list(data.values())
    else:
        raise ValueError("allow-list must be a manifest object or a {hash: query} map")
    if not all(isinstance(d, str) for d in documents):
        raise ValueError("allow-list documents must be strings")
    return {sha256_hex(doc): doc for doc in documents}


@dataclass(slots=True)
class PersistedQueries:
    """Resolves the document to run for one request."""

    store: QueryStore | None
    allow_list: Mapping[str, str] | None = None
    get_cache_control: str | None = None
    """Cache-Control for successful GETs of persisted queries (None: private, no-store)."""

    async def setup(self) -> None:
        if self.store is not None:
            await self.store.setup()

    async def document(self, query: str | None, extensions: Mapping[str, Any]) -> str | None:
        """The document to execute, registering it when the client sends hash + query."""
        persisted = extensions.get("persistedQuery")
        if persisted is None:
            return self._allowed(query) if query is not None else None
        digest = _hash_of(persisted)
        if query is None:
            return await self._lookup(digest)
        if sha256_hex(query) != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_REQUEST", 400)
        self._allowed(query)
        await self._register(digest, query)
        return query

    def _allowed(self, query: str) -> str:
        if self.allow_list is not None and sha256_hex(query) not in self.allow_list:
            raise PersistedQueryError(
                "only registered documents may run here", "PERSISTED_QUERY_NOT_ALLOWED", 400
            )
        return query

    async def _lookup(self, digest: str) -> str:
        if self.allow_list is not None:
            if digest in self.allow_list:
                return self.allow_list[digest]
            raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        stored = await self.store.get(digest) if self.store is not None else None
        if stored is not None:
            return stored
        raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")

    async def _register(self, digest: str, query: str) -> None:
        if self.store is None or self.allow_list is not None:
            return
        if len(query) > MAX_STORED_QUERY:
            raise PersistedQueryError("document too long to persist", "BAD_REQUEST", 400)
        await self.store.add(digest, query)


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", 400
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise PersistedQueryError("sha256Hash must be 64 lowercase hex digits", "BAD_REQUEST", 400)
    return digest
