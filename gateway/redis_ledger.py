"""The idempotency ledger in Redis (cache_url = "redis://…"): the SQLite ledger's rules,
shared by every gateway process on every machine.

One hash per (tenant, key) under `cg:idem:<tenant>:<key>` (tenant names hold no `:`):
fingerprint, state, started_at, expires_at, the result and the contact it is about.
Redis drops it `ttl` seconds after the key was first used. `cg:idem-s:<provider>:<id>`
lists the keys whose result is about a contact, for `claimed` and `erase`. Every state
change is one Lua script, atomic in Redis, so two processes never both own a key.

Redis being away when a write starts is IDEMPOTENCY_UNAVAILABLE: nothing is sent to
the provider. Once the write has run, a failing update is logged and the key stays in
flight; after the lease the next claim reconciles with the provider, as after a crash.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from gateway.idempotency import DAY, decode_result, encode_result, tombstone
from gateway.redis_link import PREFIX
from providers.model import ProviderName
from resolvers.errors import GatewayError
from resolvers.idempotency import Claim, ClaimKind, Entry, EntryState, Subject, WriteResult, decide

log = logging.getLogger("contact_gateway.idempotency")

ROWS: Final = f"{PREFIX}idem:"
SUBJECTS: Final = f"{PREFIX}idem-s:"

# KEYS: row. ARGV: fingerprint, now, expires_at, ttl in ms. nil: the key is ours (NEW).
CLAIM: Final = """
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires_at') or '0')
if expires <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'state', 'IN_FLIGHT',
    'started_at', ARGV[2], 'expires_at', ARGV[3], 'holds_record', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return false
end
return redis.call('HMGET', KEYS[1], 'fingerprint', 'state', 'started_at', 'result')
"""
# KEYS: row. ARGV: state and started_at as read, now. Compare-and-set.
TAKE_OVER: Final = """
local seen = redis.call('HMGET', KEYS[1], 'state', 'started_at')
if seen[1] ~= ARGV[1] or seen[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'IN_FLIGHT', 'started_at', ARGV[3])
return 1
"""
# KEYS: row, [subject index]. ARGV: result, provider, native id, holds_record.
COMPLETE: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'DONE', 'result', ARGV[1], 'provider', ARGV[2],
  'native_id', ARGV[3], 'holds_record', ARGV[4])
if KEYS[2] then
  redis.call('SADD', KEYS[2], KEYS[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
end
return 1
"""
# KEYS: row. ARGV: 'unknown' or 'release'. Only a write still in flight changes.
SETTLE: Final = """
if redis.call('HGET', KEYS[1], 'state') ~= 'IN_FLIGHT' then return 0 end
if ARGV[1] == 'release' then return redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], 'state', 'UNKNOWN')
return 1
"""
# KEYS: subject indexes. ARGV: now, provider, then one native id per index.
CLAIMED: Final = """
local found = {}
for i, index in ipairs(KEYS) do
  for _, row in ipairs(redis.call('SMEMBERS', index)) do
    local f = redis.call('HMGET', row, 'provider', 'native_id', 'expires_at')
    if f[1] == ARGV[2] and f[2] == ARGV[i + 2] and tonumber(f[3] or '0') > tonumber(ARGV[1]) then
      table.insert(found, ARGV[i + 2])
      break
    end
  end
end
return found
"""
# KEYS: subject index. ARGV: tombstone, provider, native id.
ERASE: Final = """
local erased = 0
for _, row in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local f = redis.call('HMGET', row, 'provider', 'native_id', 'holds_record')
  if f[1] == ARGV[2] and f[2] == ARGV[3] and f[3] == '1' then
    redis.call('HSET', row, 'result', ARGV[1], 'holds_record', '0')
    erased = erased + 1
  end
end
return erased
"""
_SCRIPTS: Final = {
    "claim": CLAIM,
    "take_over": TAKE_OVER,
    "complete": COMPLETE,
    "settle": SETTLE,
    "claimed": CLAIMED,
    "erase": ERASE,
}


def _row(tenant: str, key: str) -> str:
    return f"{ROWS}{tenant}:{key}"


def _subject(provider: ProviderName, native_id: str) -> str:
    return f"{SUBJECTS}{provider.value}:{native_id}"


@dataclass(slots=True)
class RedisLedger:
    redis: Redis
    ttl: float = DAY
    lease: float = 60.0
    clock: Callable[[], float] = time.time
    _scripts: dict[str, AsyncScript] = field(default_factory=dict)

    async def setup(self) -> None:
        for name, source in _SCRIPTS.items():
            self._scripts[name] = self.redis.register_script(source)

    async def claim(self, tenant: str, key: str, fingerprint: str) -> Claim:
        now, row = self.clock(), _row(tenant, key)
        try:
            seen = await self._run(
                "claim", [row], [fingerprint, now, now + self.ttl, int(self.ttl * 1000)]
            )
            if seen is None:
                return Claim(ClaimKind.NEW)
            entry = _entry(seen)
            kind = decide(entry, fingerprint, now, self.lease)
            if kind is ClaimKind.RECONCILE and not await self._run(
                "take_over", [row], [seen[1], seen[2], now]
            ):
                kind = ClaimKind.IN_FLIGHT  # another request got there first
        except RedisError as exc:
            log.error("idempotency ledger unavailable: %s", type(exc).__name__)
            raise GatewayError(
                "idempotency keys are unavailable right now; nothing was written",
                "IDEMPOTENCY_UNAVAILABLE",
            ) from exc
        return Claim(kind, entry.result if kind is ClaimKind.REPLAY else None)

    async def complete(
        self, tenant: str, key: str, result: WriteResult, subject: Subject | None
    ) -> None:
        keys = [_row(tenant, key)]
        if subject is not None:
            keys.append(_subject(subject.provider, subject.native_id))
        args = [
            encode_result(result),
            subject.provider.value if subject else "",
            subject.native_id if subject else "",
            int(result.record is not None),
        ]
        await self._logged("complete", keys, args)

    async def mark_unknown(self, tenant: str, key: str) -> None:
        await self._logged("settle", [_row(tenant, key)], ["unknown"])

    async def release(self, tenant: str, key: str) -> None:
        await self._logged("settle", [_row(tenant, key)], ["release"])

    async def claimed(self, provider: ProviderName, native_ids: Sequence[str]) -> set[str]:
        if not native_ids:
            return set()
        indexes = [_subject(provider, n) for n in native_ids]
        found = await self._run("claimed", indexes, [self.clock(), provider.value, *native_ids])
        return {v.decode() if isinstance(v, bytes) else str(v) for v in found}

    async def erase(self, subject: Subject) -> None:
        args = [encode_result(tombstone()), subject.provider.value, subject.native_id]
        await self._run("erase", [_subject(subject.provider, subject.native_id)], args)

    async def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        return await self._scripts[script](keys=keys, args=args)

    async def _logged(self, script: str, keys: list[str], args: list[Any]) -> None:
        """After the write: a failure leaves the key in flight (reconciled after the lease)."""
        try:
            await self._run(script, keys, args)
        except RedisError as exc:
            log.error("idempotency ledger not updated (%s): %s", script, type(exc).__name__)


def _entry(seen: list[Any]) -> Entry:
    fingerprint, state, started_at, result = seen
    return Entry(
        fingerprint.decode(),
        EntryState(state.decode()),
        float(started_at),
        decode_result(bytes(result)) if result is not None else None,
    )
