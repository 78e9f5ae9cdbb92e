"""Rendered answers of repeated read queries, replayed while the cache entries they were
built from are unchanged.

A page of 100 contacts served from the record cache still costs the whole GraphQL
execution (decode, convert, complete, encode) on every request. When an answer was built
*only* from fresh record-cache hits, the same question from the same tenant and role gets
the same answer for as long as those entries stay as they are. So such an answer is kept,
in this process's memory, with the keys and store times of the entries it came from, and
replayed after one cheap check against the record cache:

- every entry still exists with the same store time (a write through ANY process drops
  the entries it touches from the shared SQLite file or Redis, so the check fails there);
- none of them has passed its freshness (TTL or the request's `maxAge`).

Only answers without errors or extensions (no stale copy, no partial failure) whose
operation is a query of `contacts`, `contact`, `node` and `nodes` alone are kept — a
field that reads anything else (health, `me`) can never be frozen by accident. The key
holds tenant, role, operation name, document and variables, so one caller's answer can
never reach another. `freshness` in a replayed answer stays true: its entries are the
same ones, served from the cache.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

from resolvers.cache_policy import RecordCache

REPLAYABLE_ROOT_FIELDS: Final = frozenset({"contacts", "contact", "node", "nodes", "__typename"})


@dataclass(frozen=True, slots=True)
class _Answer:
    data: bytes
    """The encoded `data` member of the response."""
    dependencies: Mapping[str, float]
    fresh_until: float


@lru_cache(maxsize=512)
def replayable(document: str, operation_name: str | None) -> bool:
    """Whether the operation is a query whose root fields all read the record cache."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return False
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return False
    selections = chosen[0].selection_set.selections
    return all(
        isinstance(s, FieldNode) and s.name.value in REPLAYABLE_ROOT_FIELDS for s in selections
    )


def answer_key(
    tenant: str,
    role: str,
    document: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> str:
    canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"), default=str)
    parts = (tenant, role, operation_name or "", document, canonical)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ResponseCache:
    """A bounded, per-process store of replayable answers (least recently used go)."""

    def __init__(
        self, store: RecordCache, max_entries: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.max_entries = max_entries
        self.clock = clock
        self.replays = 0
        self._answers: OrderedDict[str, _Answer] = OrderedDict()

    def held(self) -> bool:
        """Whether any answer is kept (else there is nothing to look up)."""
        return bool(self._answers)

    async def replay(self, key: str) -> bytes | None:
        """The kept answer's encoded data, if every entry it came from is unchanged."""
        answer = self._answers.get(key)
        if answer is None:
            return None
        if self.clock() > answer.fresh_until:
            del self._answers[key]
            return None
        current = await self.store.stored_at_of(list(answer.dependencies))
        if current != answer.dependencies:
            self._answers.pop(key, None)
            return None
        self._answers.move_to_end(key)
        self.replays += 1
        return answer.data

    def keep(
        self, key: str, data: bytes, dependencies: Mapping[str, float], fresh_until: float
    ) -> None:
        if not dependencies or self.max_entries <= 0:
            return
        self._answers[key] = _Answer(data, dict(dependencies), fresh_until)
        self._answers.move_to_end(key)
        while len(self._answers) > self.max_entries:
            self._answers.popitem(last=False)
