"""The Spark provider: `ContactProvider` over the Spark contacts API.

Reads fold the wanted expansions (`_expand`) and fields (`_select`) into the same
list request; a page larger than Spark's `_limit` cap becomes ⌈n/cap⌉ requests
issued concurrently with `_skip`. Writes run Spark's rules first (`validation`),
then call Spark, then read the stored contact back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from providers.base import Capabilities, Operation
from providers.errors import DuplicateContact, Forbidden, NotFound, ValidationFailed
from providers.model import (
    AddressKind,
    ContactFilter,
    ContactInput,
    ContactPage,
    ContactQuery,
    ContactRecord,
    ProviderName,
    ReadWants,
    SortDirection,
    SortField,
    SortOrder,
)
from providers.spark import filters
from providers.spark.capabilities import capabilities_for
from providers.spark.client import SparkClient, SparkResponse
from providers.spark.mapping import (
    FIELD_ATTRIBUTES,
    SparkWrite,
    record_from_spark,
    write_from_input,
)
from providers.spark.types import Expansion, RecordStatus, SparkExtras, SparkFilter, SparkRole
from providers.spark.validation import (
    SPARK_ID,
    check_my_contact_write,
    check_owner_id,
    check_shape,
    check_unconnect,
    check_write,
)

SORT_ATTRIBUTES: Final[Mapping[SortField, str]] = {
    SortField.DISPLAY_NAME: "DisplayName",
    SortField.GIVEN_NAME: "GivenName",
    SortField.FAMILY_NAME: "FamilyName",
    SortField.EMAIL: "PrimaryEmail",
    SortField.ORGANIZATION: "Organization",
    SortField.CREATED_AT: "CreatedTimestamp",
    SortField.UPDATED_AT: "ModificationTimestamp",
    SortField.ACTIVITY_SCORE: "Score",
    SortField.ID: "Id",
}
DEFAULT_ORDER: Final = (SortOrder(SortField.UPDATED_AT, SortDirection.DESC),)
ALWAYS_SELECTED: Final = ("Id", "ResourceUri")
SPARK_ADDRESS_KINDS: Final = (AddressKind.HOME, AddressKind.WORK)


class SparkProvider:
    """Spark contacts for one access token (one role, one Spark user)."""

    def __init__(self, client: SparkClient, *, default_region: str | None = "US") -> None:
        self._client = client
        self._role = client.config.role
        self._region = default_region
        self._capabilities = capabilities_for(self._role, client.config.page_cap)

    @property
    def name(self) -> ProviderName:
        return ProviderName.SPARK

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- reads ---------------------------------------------------------------------------

    async def get_many(
        self, native_ids: Sequence[str], wants: ReadWants
    ) -> Mapping[str, ContactRecord]:
        self._require(Operation.READ)
        ids = list(dict.fromkeys(i for i in native_ids if filters_ok(i)))
        if len(ids) == 1:
            record = await self._get_one(ids[0], wants)
            return {record.native_id: record} if record else {}
        cap = self._client.config.page_cap
        chunks = [ids[i : i + cap] for i in range(0, len(ids), cap)]
        pages = await asyncio.gather(*(self._get_chunk(chunk, wants) for chunk in chunks))
        found = {r.native_id: r for page in pages for r in page}
        missing = [i for i in ids if i not in found]
        extra = await asyncio.gather(*(self._get_one(i, wants) for i in missing))
        found.update({r.native_id: r for r in extra if r is not None})
        return found

    async def _get_one(self, native_id: str, wants: ReadWants) -> ContactRecord | None:
        try:
            response = await self._client.request(
                "GET", self._client.contact_path(native_id), params=self._read_params(wants)
            )
        except NotFound:
            return None
        return self._first(response, wants)

    async def _get_chunk(self, ids: list[str], wants: ReadWants) -> list[ContactRecord]:
        flt = ContactFilter(ids=tuple(ids))
        params = self._read_params(wants)
        params.update({"_limit": str(len(ids)), "_filter": self._filter(flt) or ""})
        response = await self._client.request("GET", "/v1/contacts", params=params)
        return self._records(response, wants)

    async def search(self, query: ContactQuery, wants: ReadWants) -> ContactPage:
        self._require(Operation.LIST)
        path = "/v1/contacts/unconnected" if _unconnected(query.filter) else "/v1/contacts"
        params = self._read_params(wants, order=query.order)  # () -> the default order
        flt = self._filter(query.filter)
        if flt:
            params["_filter"] = flt
        if query.limit == 0:
            response = await self._client.request(
                "GET", path, params={**params, "_pagination": "count", "_limit": "0"}
            )
            return ContactPage((), _total(response), query.offset)
        cap = self._client.config.page_cap
        starts = range(query.offset, query.offset + query.limit, cap)
        responses = await asyncio.gather(
            *(
                self._client.request(
                    "GET",
                    path,
                    params={
                        **params,
                        "_skip": str(start),
                        "_pagination": "1",
                        "_limit": str(min(cap, query.offset + query.limit - start)),
                    },
                )
                for start in starts
            )
        )
        records = tuple(r for resp in responses for r in self._records(resp, wants))
        return ContactPage(records, _total(responses[0]), query.offset)

    async def get_me(self, wants: ReadWants) -> ContactRecord:
        self._require(Operation.READ_ME)
        response = await self._client.request(
            "GET", "/v1/my/contact", params=self._read_params(wants)
        )
        record = self._first(response, wants)
        if record is None:
            raise NotFound("the current user has no contact", provider=self.name)
        return record

    def _read_params(
        self, wants: ReadWants, order: Sequence[SortOrder] | None = None
    ) -> dict[str, str]:
        expansions = set(wants.expansions)
        if order and any(o.field is SortField.ACTIVITY_SCORE for o in order):
            expansions.add(Expansion.ACTIVITY)
        self._check_expansions(expansions)
        params: dict[str, str] = {}
        if expansions:
            params["_expand"] = ",".join(sorted(expansions))
        selected = _select(wants.fields) if wants.fields is not None else None
        if selected is not None:
            params["_select"] = ",".join(selected)
        if order is not None:
            params["_orderby"] = _orderby(order or DEFAULT_ORDER)
        return params

    def _check_expansions(self, expansions: set[str]) -> None:
        forbidden = expansions - set(self._capabilities.expansions)
        if forbidden:
            raise Forbidden(
                f"the {self._role.value} role cannot expand {', '.join(sorted(forbidden))}",
                provider=self.name,
                provider_code="1500",
            )

    def _filter(self, flt: ContactFilter) -> str | None:
        return filters.render(filters.terms_for(flt))

    def _records(self, response: SparkResponse, wants: ReadWants) -> list[ContactRecord]:
        loaded = frozenset(wants.expansions)
        return [record_from_spark(raw, loaded, self._region) for raw in response.results]

    def _first(self, response: SparkResponse, wants: ReadWants) -> ContactRecord | None:
        records = self._records(response, wants)
        return records[0] if records else None

    # -- writes --------------------------------------------------------------------------

    async def create(self, data: ContactInput) -> ContactRecord:
        self._require(Operation.CREATE)
        check_shape(data, SPARK_ADDRESS_KINDS)
        write = write_from_input(data, creating=True)
        check_write(write, creating=True)
        response = await self._send(write, "POST", "/v1/contacts")
        native_id = _created_id(response)
        return await self._reread(native_id)

    async def update(self, native_id: str, changes: ContactInput) -> ContactRecord:
        self._require(Operation.UPDATE)
        path = self._client.contact_path(native_id)
        check_shape(changes, SPARK_ADDRESS_KINDS)
        write = write_from_input(changes, creating=False)
        check_write(write, creating=False)
        if write.attributes.get("RecordStatus") == RecordStatus.UNCONNECTED:
            current = await self._reread(native_id)
            status = (
                current.extras.record_status if isinstance(current.extras, SparkExtras) else None
            )
            check_unconnect(status, write)
        if write.attributes:
            await self._send(write, "PUT", path)
        return await self._reread(native_id)

    async def delete(self, native_id: str) -> None:
        self._require(Operation.DELETE)
        await self._client.request("DELETE", self._client.contact_path(native_id))

    async def transfer(self, native_id: str, owner_id: str) -> ContactRecord:
        self._require(Operation.TRANSFER)
        path = self._client.contact_path(native_id)
        check_owner_id(owner_id)
        before = await self._reread(native_id)
        write = SparkWrite()
        write.put("OwnerId", owner_id, ("ownerId",))
        await self._send(write, "PUT", path)
        after = await self._get_one(native_id, ReadWants())
        return after if after is not None else _transferred(before, owner_id)

    async def update_me(self, changes: ContactInput) -> ContactRecord:
        self._require(Operation.UPDATE_ME)
        check_shape(changes, (AddressKind.HOME,))
        write = write_from_input(changes, creating=False, address_kinds=(AddressKind.HOME,))
        check_my_contact_write(write)
        if write.attributes:
            await self._send(write, "PUT", "/v1/my/contact")
        return await self.get_me(ReadWants())

    async def _send(self, write: SparkWrite, method: str, path: str) -> SparkResponse:
        try:
            return await self._client.request(method, path, body=write.attributes)
        except ValidationFailed as exc:
            raise _with_input_paths(exc, write) from exc
        except DuplicateContact as exc:
            exc.field = write.paths.get("PrimaryEmail", exc.field)
            raise

    async def _reread(self, native_id: str) -> ContactRecord:
        record = await self._get_one(native_id, ReadWants())
        if record is None:
            raise NotFound(f"Spark contact {native_id} is gone", provider=self.name)
        return record

    def _require(self, operation: Operation) -> None:
        if operation not in self._capabilities.operations:
            raise Forbidden(
                f"the Spark {self._role.value} role does not allow {operation.value.lower()}",
                provider=self.name,
                provider_code="1500",
            )


def filters_ok(native_id: str) -> bool:
    """Only well-formed Spark ids are asked for; others simply do not exist (ASCII digits
    only: `str.isdigit` would let '²' or Arabic-Indic digits into `_filter`)."""
    return SPARK_ID.fullmatch(native_id) is not None


def _unconnected(flt: ContactFilter) -> bool:
    return isinstance(flt.extras, SparkFilter) and flt.extras.unconnected


def _select(fields: frozenset[str]) -> list[str] | None:
    """Spark attributes for these unified fields; None (select all) if one is unknown."""
    attributes = dict.fromkeys(ALWAYS_SELECTED)
    for name in sorted(fields):
        if name not in FIELD_ATTRIBUTES:
            return None
        attributes.update(dict.fromkeys(FIELD_ATTRIBUTES[name]))
    return list(attributes)


def _orderby(order: Sequence[SortOrder]) -> str:
    parts = [
        ("-" if o.direction is SortDirection.DESC else "+") + SORT_ATTRIBUTES[o.field]
        for o in order
    ]
    if not any(o.field is SortField.ID for o in order):
        parts.append("+Id")
    return ",".join(parts)


def _total(response: SparkResponse) -> int | None:
    total = response.pagination.get("TotalRows")
    return total if isinstance(total, int) else None


def _created_id(response: SparkResponse) -> str:
    results = response.results
    first: dict[str, Any] = results[0] if results else {}
    native_id = first.get("Id") or str(first.get("ResourceUri", "")).rsplit("/", 1)[-1]
    if not native_id:
        raise NotFound("Spark did not return the new contact's id", provider=ProviderName.SPARK)
    return str(native_id)


def _transferred(record: ContactRecord, owner_id: str) -> ContactRecord:
    """The record as it is now that another agent owns it (we may no longer read it)."""
    extras = record.extras if isinstance(record.extras, SparkExtras) else SparkExtras()
    moved = replace(extras, owner_id=owner_id, record_status=RecordStatus.CONNECTED)
    return replace(record, extras=moved)


def _with_input_paths(exc: ValidationFailed, write: SparkWrite) -> ValidationFailed:
    """Report Spark's attribute names as the unified input paths they came from."""
    issues = [
        replace(i, field=write.paths.get(i.field[0], i.field) if len(i.field) == 1 else i.field)
        for i in exc.issues
    ]
    return ValidationFailed(
        issues, provider=exc.provider, provider_code=exc.provider_code, trace_id=exc.trace_id
    )


__all__ = ["SparkProvider", "SparkRole"]
