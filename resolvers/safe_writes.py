"""One provider write, applied at most once per idempotency key, honest about its outcome.

Without a key a write runs once, as it always did; a failure after the write may
have been applied (providers/write_outcome.py) is OUTCOME_UNKNOWN, never a plain
PROVIDER_TIMEOUT a client might take for "nothing happened".

With a key (resolvers/idempotency.py) the ledger decides first: replay the first
result, refuse (IDEMPOTENCY_KEY_REUSED / _IN_FLIGHT), run it, or — after an
OUTCOME_UNKNOWN — reconcile (resolvers/reconcile.py) and write only if the earlier
attempt did not happen. Then: a result (contact or userErrors) is kept for the key;
a definite failure frees the key; an unknown outcome is remembered as unknown.

A delete through the gateway also erases the deleted contact from stored results.
A write that happened drops the contact's cached copies and is announced on the change
bus (`CachedReads.written`); one that failed only drops them (its outcome may be unknown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from providers.errors import OutcomeUnknown, ProviderError
from providers.model import FieldPath
from providers.registry import ProviderEntry
from providers.write_outcome import unknown_if_applied, watching
from resolvers.changes import ChangeKind
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, provider_error, user_errors_for
from resolvers.idempotency import ClaimKind, IdempotencyLedger, Subject, WriteResult
from resolvers.reconcile import Ambiguous, Reconcile
from schema.enums import UserErrorCode

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Write(Generic[T]):
    """A mutation's provider write and what the gateway needs to do it safely."""

    entry: ProviderEntry
    send: Callable[[], Awaitable[T]]
    """Starts the provider operation (called once per attempt)."""
    result_of: Callable[[T], WriteResult]
    fingerprint: str
    reconcile: Reconcile
    prefix: FieldPath = ("input",)
    """Where the provider's input problems are reported in userErrors."""
    native_id: str | None = None
    """The contact written to (None for a create: the result says which)."""
    change: ChangeKind = ChangeKind.UPDATED
    """What the change bus is told on success (a result with a deleted id is DELETED)."""


async def perform(ctx: GatewayContext, write: Write[T], key: str | None) -> WriteResult:
    """The write's result, or a GatewayError with a stable code."""
    if key is None:
        try:
            result = await _attempt(ctx, write)
        except ProviderError as exc:
            raise provider_error(exc) from exc
    else:
        result = await _keyed(ctx, _ledger(ctx), write, key)
    if result.deleted_id is not None and ctx.idempotency is not None and write.native_id:
        await ctx.idempotency.erase(Subject(write.entry.provider.name, write.native_id))
    return result


def _ledger(ctx: GatewayContext) -> IdempotencyLedger:
    if ctx.idempotency is None:
        raise GatewayError("idempotency keys are not available here", "IDEMPOTENCY_UNAVAILABLE")
    return ctx.idempotency


async def _keyed(
    ctx: GatewayContext, ledger: IdempotencyLedger, write: Write[T], key: str
) -> WriteResult:
    claim = await ledger.claim(ctx.tenant, key, write.fingerprint)
    if claim.kind is ClaimKind.REPLAY and claim.result is not None:
        return claim.result
    if claim.kind is ClaimKind.REUSED:
        raise GatewayError(
            "this idempotencyKey was used with another request",
            "IDEMPOTENCY_KEY_REUSED",
            idempotencyKey=key,
        )
    if claim.kind is ClaimKind.IN_FLIGHT:
        raise GatewayError(
            "a request with this idempotencyKey is still running; retry it later",
            "IDEMPOTENCY_KEY_IN_FLIGHT",
            idempotencyKey=key,
        )
    try:
        result = await _settle(ctx, ledger, write, reconciling=claim.kind is ClaimKind.RECONCILE)
    except OutcomeUnknown as exc:
        await ledger.mark_unknown(ctx.tenant, key)
        error = provider_error(exc)
        error.extensions = {**(error.extensions or {}), "idempotencyKey": key}
        raise error from exc
    except ProviderError as exc:
        await ledger.release(ctx.tenant, key)  # nothing was applied: a retry starts afresh
        raise provider_error(exc) from exc
    except BaseException:
        await ledger.mark_unknown(ctx.tenant, key)  # cancelled mid-write: find out next time
        raise
    await ledger.complete(ctx.tenant, key, result, _subject(write, result))
    return result


async def _settle(
    ctx: GatewayContext, ledger: IdempotencyLedger, write: Write[T], *, reconciling: bool
) -> WriteResult:
    """The write's result: found at the provider when reconciling, else written once.
    A create refused as DUPLICATE while reconciling may meet its own earlier attempt,
    landed late: look once more."""
    if reconciling:
        found = await _found(ctx, ledger, write)
        if found is not None:
            return found
    result = await _attempt(ctx, write)
    if reconciling and any(e.code is UserErrorCode.DUPLICATE for e in result.user_errors):
        return await _found(ctx, ledger, write) or result
    return result


async def _found(
    ctx: GatewayContext, ledger: IdempotencyLedger, write: Write[T]
) -> WriteResult | None:
    try:
        found = await write.reconcile(write.entry, ledger)
    except Ambiguous as exc:
        raise OutcomeUnknown(str(exc), provider=write.entry.provider.name) from exc
    except ProviderError as exc:
        raise OutcomeUnknown(
            f"could not find out whether the earlier attempt happened ({exc.code})",
            provider=exc.provider,
            trace_id=exc.trace_id,
        ) from exc
    if found is not None:
        await _written(ctx, write, found)
    return found


async def _attempt(ctx: GatewayContext, write: Write[T]) -> WriteResult:
    """Send the write once; its outcome, or an error that says whether it may have happened."""
    with watching() as evidence:
        try:
            value = await write.entry.call(write.send())
        except ProviderError as exc:
            await ctx.reads.invalidate(write.entry, write.native_id)
            error = unknown_if_applied(exc, evidence)
            if error is not exc:
                raise error from exc
            errors = user_errors_for(exc, write.prefix)
            if errors is None:
                raise
            return WriteResult(user_errors=tuple(errors))
    result = write.result_of(value)
    await _written(ctx, write, result)
    return result


async def _written(ctx: GatewayContext, write: Write[T], result: WriteResult) -> None:
    """The write happened: drop the contact's copies and announce it."""
    native_id = _touched(write, result)
    if native_id is None:
        await ctx.reads.invalidate(write.entry, None)
        return
    kind = ChangeKind.DELETED if result.deleted_id is not None else write.change
    await ctx.reads.written(write.entry, native_id, kind, ctx.tenant)


def _touched(write: Write[T], result: WriteResult) -> str | None:
    return write.native_id or (result.record.native_id if result.record else None)


def _subject(write: Write[T], result: WriteResult) -> Subject | None:
    native_id = _touched(write, result)
    if native_id is None or (result.record is None and result.deleted_id is None):
        return None
    return Subject(write.entry.provider.name, native_id)
