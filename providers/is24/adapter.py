"""The IS24 provider: `ContactProvider` over the realtor-contact resource of one user.

Reads: IS24 has no batch read. Up to `LIST_READ_THRESHOLD` ids are one GET each,
at most `MAX_CONCURRENT_READS` at once; more ids are ONE list call (the whole list,
IS24 has no paging) picked locally — one round trip instead of N, and never more
upstream calls than the gateway's fan-out budget allows. A search is that same list
call with the unified filter, order and offset/limit applied here (`filters`).

Writes: the input rules run first, with no I/O (`validation.check_shape`,
`check_document`). Then ONE list call gives the user's current contacts: the
duplicate check and the 20-profile-page limit need them, and an update needs the
current contact anyway, because IS24's PUT replaces the whole contact. Then the
write, then the contact is read back (a create takes the new id from `Location`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Final, TypeVar

from providers.base import Capabilities
from providers.errors import DuplicateContact, NotFound, ProviderProtocolError, ValidationFailed
from providers.is24 import filters
from providers.is24.capabilities import CAPABILITIES
from providers.is24.client import Is24Client
from providers.is24.mapping import Is24Write, record_from_is24, write_from_input
from providers.is24.validation import (
    check_against,
    check_document,
    check_shape,
    is_contact_id,
    path_of,
)
from providers.is24.xml_codec import ContactDoc
from providers.model import (
    ContactInput,
    ContactPage,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
)

LIST_READ_THRESHOLD: Final = 4
MAX_CONCURRENT_READS: Final = 8
T = TypeVar("T")


class Is24Provider:
    """IS24 realtor contacts of one user (system key + that user's access token)."""

    def __init__(self, client: Is24Client) -> None:
        self._client = client

    @property
    def name(self) -> ProviderName:
        return ProviderName.IS24

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- reads ---------------------------------------------------------------------------

    async def get_many(
        self, native_ids: Sequence[str], wants: ReadWants
    ) -> Mapping[str, ContactRecord]:
        """IS24 has no field selection or expansions, so `wants` changes nothing."""
        ids = list(dict.fromkeys(i for i in native_ids if is_contact_id(i)))
        if len(ids) > LIST_READ_THRESHOLD:
            wanted = set(ids)
            records = await self._listed()
            return {r.native_id: r for r in records if r.native_id in wanted}
        gate = asyncio.Semaphore(MAX_CONCURRENT_READS)

        async def read(native_id: str) -> ContactRecord | None:
            async with gate:
                return await self._get_one(native_id)

        found = await asyncio.gather(*(read(i) for i in ids))
        return {r.native_id: r for r in found if r is not None}

    async def _get_one(self, native_id: str) -> ContactRecord | None:
        try:
            doc = await self._client.get(native_id)
        except NotFound:
            return None
        return _record(doc, native_id)

    async def get_by_external_id(self, external_id: str) -> ContactRecord | None:
        """The contact with this external id (IS24's `ext-…` read); None when there is none."""
        try:
            doc = await self._client.get_external(external_id)
        except NotFound:
            return None
        return record_from_is24(doc)

    async def search(self, query: ContactQuery, wants: ReadWants) -> ContactPage:
        filters.check_filter(query.filter)
        records = await self._listed()
        selected = [r for r in records if filters.matches(r, query.filter)]
        ordered = filters.sort_records(selected, query.order)
        page = ordered[query.offset : query.offset + query.limit]
        return ContactPage(tuple(page), len(ordered), query.offset)

    # -- writes --------------------------------------------------------------------------

    async def create(self, data: ContactInput) -> ContactRecord:
        check_shape(data)
        write = write_from_input(data)
        check_document(write)
        check_against(write, await self._existing())
        new_id = await _sent(write, lambda: self._client.create(write.doc))
        return await self._reread(new_id)

    async def update(self, native_id: str, changes: ContactInput) -> ContactRecord:
        self._client.contact_url(native_id)  # a malformed id is NotFound before any I/O
        check_shape(changes)
        check_document(write_from_input(changes), only_touched=True)
        existing = await self._existing()
        current = existing.get(native_id)
        if current is None:
            raise NotFound(f"no IS24 contact {native_id}", provider=self.name)
        write = write_from_input(changes, current)
        check_document(write)
        check_against(write, existing, contact_id=native_id)
        await _sent(write, lambda: self._client.update(native_id, write.doc))
        return await self._reread(native_id)

    async def delete(self, native_id: str) -> None:
        await self._client.delete(native_id)

    async def _listed(self) -> list[ContactRecord]:
        """Every contact of the user as records: ONE list call (a list item without an id
        names no contact and is left out)."""
        return [
            record_from_is24(doc) for doc in await self._client.list_contacts() if doc.get("@id")
        ]

    async def _existing(self) -> dict[str, ContactDoc]:
        """The user's contacts by id: ONE list call (IS24's list has no paging)."""
        docs = await self._client.list_contacts()
        return {str(doc["@id"]): doc for doc in docs if doc.get("@id")}

    async def _reread(self, native_id: str) -> ContactRecord:
        record = await self._get_one(native_id)
        if record is None:
            raise NotFound(f"IS24 contact {native_id} is gone", provider=self.name)
        return record


def _record(doc: ContactDoc, native_id: str) -> ContactRecord:
    """The record of a single read, which must be the contact asked for."""
    record = record_from_is24(doc)
    if not record.native_id:
        return replace(record, native_id=native_id)
    if record.native_id != native_id:
        raise ProviderProtocolError(
            f"IS24 answered contact {record.native_id} for {native_id}", provider=ProviderName.IS24
        )
    return record


async def _sent(write: Is24Write, send: Callable[[], Awaitable[T]]) -> T:
    """Run the upstream write; IS24's field names in its answer become input paths."""
    try:
        return await send()
    except ValidationFailed as exc:
        issues = [
            replace(i, field=path_of(i.field[0], write)) if len(i.field) == 1 else i
            for i in exc.issues
        ]
        raise ValidationFailed(
            issues, provider=exc.provider, provider_code=exc.provider_code, trace_id=exc.trace_id
        ) from exc
    except DuplicateContact as exc:
        exc.field = path_of(exc.field[0], write) if len(exc.field) == 1 else exc.field
        raise


__all__ = ["Is24Provider"]
