"""Finding out from the provider whether a write whose outcome was unknown happened.

Asked when a client retries an OUTCOME_UNKNOWN write with the same idempotency key,
before anything is written again. Each answer is a `WriteResult` (it happened: this
is what it produced) or None (it did not: write once):

- create: search for the contact the input describes (by email, else by name) and
  keep the matches whose identifying fields all equal the input's and that no other
  key produced; one → that contact, none → None, several → `Ambiguous`;
- update (and the Spark user's own contact): re-read and compare the fields sent;
  equal → the contact as it is, else None (an update sent again converges);
- delete: re-read; gone → deleted, there → None;
- transfer: re-read; owned by the new owner, or no longer visible → transferred.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Final

from providers.base import SupportsMyContact
from providers.errors import RejectedError
from providers.model import (
    UNSET,
    ContactFilter,
    ContactInput,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
)
from providers.registry import ProviderEntry
from providers.spark.types import RecordStatus, SparkExtras
from resolvers.idempotency import IdempotencyLedger, WriteResult
from schema.ids import encode_global_id

Reconcile = Callable[[ProviderEntry, IdempotencyLedger], Awaitable[WriteResult | None]]
LOOKUP_LIMIT: Final = 25  # one upstream request at every provider
NAME_FIELDS: Final = ("given_name", "family_name", "organization")
IDENTIFYING_EXTRAS: Final = ("alias", "external_id")  # AutoDNS handle alias, IS24 external id
SCALARS: Final = (*NAME_FIELDS, "middle_name", "position", "title")


class Ambiguous(Exception):
    """The provider's data cannot say whether the write happened."""


def for_create(data: ContactInput) -> Reconcile:
    async def reconcile(entry: ProviderEntry, ledger: IdempotencyLedger) -> WriteResult | None:
        found = await find_created(entry, ledger, data)
        return WriteResult(record=found) if found is not None else None

    return reconcile


def for_update(native_id: str, changes: ContactInput) -> Reconcile:
    async def reconcile(entry: ProviderEntry, ledger: IdempotencyLedger) -> WriteResult | None:
        current = await _read(entry, native_id)
        if current is None or not reflects(current, changes):
            return None
        return WriteResult(record=current)

    return reconcile


def for_update_me(changes: ContactInput) -> Reconcile:
    async def reconcile(entry: ProviderEntry, ledger: IdempotencyLedger) -> WriteResult | None:
        provider = entry.provider
        if not isinstance(provider, SupportsMyContact):
            return None
        current = await entry.call(provider.get_me(ReadWants()))
        return WriteResult(record=current) if reflects(current, changes) else None

    return reconcile


def for_delete(name: ProviderName, native_id: str) -> Reconcile:
    async def reconcile(entry: ProviderEntry, ledger: IdempotencyLedger) -> WriteResult | None:
        if await _read(entry, native_id) is not None:
            return None
        return WriteResult(deleted_id=encode_global_id(name, native_id))

    return reconcile


def for_transfer(native_id: str, owner_id: str) -> Reconcile:
    async def reconcile(entry: ProviderEntry, ledger: IdempotencyLedger) -> WriteResult | None:
        current = await _read(entry, native_id)
        if current is None:  # another agent's contact now: all we know is who owns it
            current = ContactRecord(ProviderName.SPARK, native_id)
        elif not isinstance(current.extras, SparkExtras) or current.extras.owner_id != owner_id:
            return None
        extras = current.extras if isinstance(current.extras, SparkExtras) else SparkExtras()
        moved = replace(extras, owner_id=owner_id, record_status=RecordStatus.CONNECTED)
        return WriteResult(record=replace(current, extras=moved))

    return reconcile


async def find_created(
    entry: ProviderEntry, ledger: IdempotencyLedger, data: ContactInput
) -> ContactRecord | None:
    """The contact an earlier attempt of this create made, or None if there is none."""
    lookup = lookup_filter(data)
    if lookup is None:
        raise Ambiguous("the input has no email or name to look the contact up by")
    query = ContactQuery(filter=lookup, limit=LOOKUP_LIMIT)
    try:
        page = await entry.call(entry.provider.search(query, ReadWants()))
    except RejectedError as exc:
        raise Ambiguous(f"the provider refused the lookup ({exc.code})") from exc
    matches = [r for r in page.records if describes(r, data)]
    taken = await ledger.claimed(entry.provider.name, [r.native_id for r in matches])
    mine = [r for r in matches if r.native_id not in taken]
    if len(mine) > 1:
        raise Ambiguous(f"{len(mine)} contacts match the input; the gateway cannot tell which")
    if not mine:
        return None
    return await _read(entry, mine[0].native_id) or mine[0]


def lookup_filter(data: ContactInput) -> ContactFilter | None:
    """A search that finds the contact the input describes: by email, else by a name."""
    emails = data.emails if isinstance(data.emails, tuple) else ()
    if emails:
        return ContactFilter(email=emails[0].address)
    if isinstance(data.family_name, str) and data.family_name.strip():
        return ContactFilter(family_name=data.family_name)
    if isinstance(data.given_name, str) and data.given_name.strip():
        return ContactFilter(given_name=data.given_name)
    if isinstance(data.organization, str) and data.organization.strip():
        return ContactFilter(organization=data.organization)
    return None


def describes(record: ContactRecord, data: ContactInput) -> bool:
    """Every identifying field the input sets equals the record's (providers keep these
    verbatim; case and runs of whitespace are not compared)."""
    if isinstance(data.emails, tuple) and not _emails_within(data.emails, record):
        return False
    if not all(_same(getattr(record, n), getattr(data, n)) for n in NAME_FIELDS):
        return False
    return all(
        _same(getattr(record.extras, n, None), getattr(data.extras, n, UNSET))
        for n in IDENTIFYING_EXTRAS
    )


def reflects(record: ContactRecord, changes: ContactInput) -> bool:
    """The record already shows every change. Only text fields are compared: an update
    that sets anything else (lists, the provider block) is simply sent again."""
    others = [n for n in ContactInput.__dataclass_fields__ if n not in (*SCALARS, "extras")]
    if changes.extras is not None or any(getattr(changes, n) is not UNSET for n in others):
        return False
    return all(_same(getattr(record, n), getattr(changes, n)) for n in SCALARS)


def _same(stored: object, sent: object) -> bool:
    if sent is UNSET or (sent is None and stored is None):
        return True
    if not isinstance(sent, str) or not isinstance(stored, str):
        return sent == stored
    return _norm(stored) == _norm(sent)


def _emails_within(sent: Sequence[object], record: ContactRecord) -> bool:
    stored = {_norm(e.address) for e in record.emails}
    return all(_norm(str(getattr(e, "address", ""))) in stored for e in sent)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


async def _read(entry: ProviderEntry, native_id: str) -> ContactRecord | None:
    found = await entry.call(entry.provider.get_many([native_id], ReadWants()))
    return found.get(native_id)
