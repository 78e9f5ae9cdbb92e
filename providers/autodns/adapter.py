"""The AutoDNS provider: `ContactProvider` over AutoDNS's JSON contact tasks.

Reads: one id is a ContactInfo (`GET /contact/{id}`); several ids are ONE ContactList
(`POST /contact/_search` with `id EQUAL a OR id EQUAL b ...`, at most 50 ids per
request, at most 8 requests at once) — AutoDNS has no batch info task, and one
search costs one round trip where N infos cost N. Lists are one `_search` with the
unified filter pushed down (`filters.py`) and view limit/offset paging.

Writes run AutoDNS's own rules first (`validation`), then send ONE task; create and
update answer with the stored contact, so no read-back is needed. Every record
carries the `stid` of the call that produced it (`AutoDnsExtras.stid`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from providers.autodns import filters
from providers.autodns.capabilities import CAPABILITIES
from providers.autodns.client import CONTACT_PATH, FORCE_HANDLE_CREATE, AutoDnsClient
from providers.autodns.envelope import Envelope
from providers.autodns.mapping import AutoDnsWrite, record_from_autodns, write_from_input
from providers.autodns.validation import check_shape, check_write, is_contact_id
from providers.base import Capabilities
from providers.errors import Forbidden, NotFound, ProviderProtocolError, ValidationFailed
from providers.model import (
    ContactInput,
    ContactPage,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
)

SEARCH_PATH: Final = f"{CONTACT_PATH}/_search"
IDS_PER_SEARCH: Final = 50
MAX_CONCURRENT_READS: Final = 8


class AutoDnsProvider:
    """AutoDNS domain contacts of one account (user + context)."""

    def __init__(self, client: AutoDnsClient) -> None:
        self._client = client

    @property
    def name(self) -> ProviderName:
        return ProviderName.AUTODNS

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- reads ---------------------------------------------------------------------------

    async def get_many(
        self, native_ids: Sequence[str], wants: ReadWants
    ) -> Mapping[str, ContactRecord]:
        """AutoDNS has no field selection or expansions, so `wants` changes nothing."""
        ids = list(dict.fromkeys(i for i in native_ids if is_contact_id(i)))
        if len(ids) <= 1:
            record = await self._info(ids[0]) if ids else None
            return {record.native_id: record} if record else {}
        gate = asyncio.Semaphore(MAX_CONCURRENT_READS)

        async def read(chunk: list[str]) -> list[ContactRecord]:
            async with gate:
                return await self._search_ids(chunk)

        chunks = [ids[i : i + IDS_PER_SEARCH] for i in range(0, len(ids), IDS_PER_SEARCH)]
        pages = await asyncio.gather(*(read(chunk) for chunk in chunks))
        wanted = set(ids)
        return {r.native_id: r for page in pages for r in page if r.native_id in wanted}

    async def _info(self, native_id: str) -> ContactRecord | None:
        """The contact, or None when it does not exist or belongs to another account."""
        try:
            envelope = await self._client.call("GET", self._client.contact_path(native_id))
        except (NotFound, Forbidden):
            return None
        records = _records(envelope)
        return records[0] if records else None

    async def _search_ids(self, ids: list[str]) -> list[ContactRecord]:
        body = filters.ids_query(ids).to_json()
        return _records(await self._client.call("POST", SEARCH_PATH, body=body))

    async def search(self, query: ContactQuery, wants: ReadWants) -> ContactPage:
        body = filters.search_query(query)
        if body is None:
            return ContactPage((), 0, query.offset)
        envelope = await self._client.call("POST", SEARCH_PATH, body=body.to_json())
        records = _records(envelope)[: query.limit]
        total = envelope.object.summary if envelope.object is not None else None
        return ContactPage(tuple(records), total, query.offset)

    # -- writes --------------------------------------------------------------------------

    async def create(self, data: ContactInput) -> ContactRecord:
        check_shape(data)
        write = write_from_input(data, creating=True)
        check_write(write, creating=True)
        params = {"keys[]": FORCE_HANDLE_CREATE} if write.force_handle_create else None
        return await self._stored(await self._send(write, "POST", CONTACT_PATH, params))

    async def update(self, native_id: str, changes: ContactInput) -> ContactRecord:
        path = self._client.contact_path(native_id)
        check_shape(changes)
        write = write_from_input(changes, creating=False)
        check_write(write, creating=False)
        if not write.fields:
            return await self._stored(await self._client.call("GET", path))
        return await self._stored(await self._send(write, "PUT", path))

    async def delete(self, native_id: str) -> str:
        """Delete the handle; returns the delete's stid (the payload shows it)."""
        envelope = await self._client.call("DELETE", self._client.contact_path(native_id))
        return envelope.stid

    async def _send(
        self, write: AutoDnsWrite, method: str, path: str, params: Mapping[str, str] | None = None
    ) -> Envelope:
        try:
            return await self._client.call(method, path, params=params, body=write.fields)
        except ValidationFailed as exc:
            raise _with_input_paths(exc, write) from exc

    async def _stored(self, envelope: Envelope) -> ContactRecord:
        """The contact a write answered with; read by id when the answer carries no data
        (an asynchronous task answers NOTIFY with only the object id)."""
        records = _records(envelope)
        if records:
            return records[0]
        native_id = envelope.object.value if envelope.object is not None else None
        record = await self._info(native_id) if native_id else None
        if record is None:
            raise ProviderProtocolError(
                "AutoDNS answered a write without the contact",
                provider=self.name,
                trace_id=envelope.stid,
            )
        return record


def _records(envelope: Envelope) -> list[ContactRecord]:
    return [record_from_autodns(raw, envelope.stid) for raw in envelope.data]


def _with_input_paths(exc: ValidationFailed, write: AutoDnsWrite) -> ValidationFailed:
    """Report AutoDNS field names as the unified input paths they came from."""
    issues = [
        replace(i, field=write.path_of(i.field[0])) if len(i.field) == 1 else i for i in exc.issues
    ]
    return ValidationFailed(
        issues, provider=exc.provider, provider_code=exc.provider_code, trace_id=exc.trace_id
    )


__all__ = ["AutoDnsProvider"]
