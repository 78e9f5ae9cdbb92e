"""Mutation root: create, update, delete, transfer and the Spark user's own contact.

Each mutation validates with the provider's rules (inside the adapter) before any
upstream call; input problems come back as `userErrors` with field paths under
`input`, provider outages as GraphQL errors with a code. Nothing is half-written:
the adapters send one write request per mutation. Every write may carry an
`idempotencyKey` and goes through `resolvers/safe_writes.py` (applied at most once
per key; OUTCOME_UNKNOWN when its answer was lost).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from providers.base import Operation, SupportsMyContact, SupportsTransfer
from providers.errors import IssueCode
from providers.model import ContactRecord, ProviderName
from resolvers import reconcile
from resolvers.changes import ChangeKind
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, user_error
from resolvers.idempotency import WriteResult, fingerprint, valid_key
from resolvers.query import entry_for
from resolvers.reconcile import Reconcile
from resolvers.safe_writes import Write, perform
from schema.convert import contact_object
from schema.ids import InvalidGlobalId, decode_global_id, encode_global_id
from schema.inputs import (
    ContactFieldsInput,
    CreateContactInput,
    UpdateContactInput,
    UpdateMyContactInput,
)
from schema.payloads import ContactPayload, DeleteContactPayload, UserError

Info = strawberry.Info[GatewayContext, None]


def _decode(global_id: str) -> tuple[ProviderName, str] | list[UserError]:
    try:
        return decode_global_id(global_id)
    except InvalidGlobalId:
        return [user_error(["id"], IssueCode.INVALID, "not a contact id from this API")]


def _block_errors(data: ContactFieldsInput, provider: ProviderName) -> list[UserError]:
    """A provider-specific input block must match the target provider."""
    return [
        user_error(
            ["input", name.value.lower()],
            IssueCode.NOT_ALLOWED,
            f"the {name.value.lower()} block applies to {name.value} contacts only",
        )
        for name, block in data.provider_blocks().items()
        if block is not None and name is not provider
    ]


def _key_errors(key: str | None) -> list[UserError]:
    if key is None or valid_key(key):
        return []
    message = "an idempotency key is 1 to 255 visible ASCII characters"
    return [user_error(["idempotencyKey"], IssueCode.INVALID, message)]


def _contact_result(record: ContactRecord) -> WriteResult:
    return WriteResult(record=record)


async def _run(
    info: Info,
    name: ProviderName,
    write: Callable[[], Awaitable[ContactRecord]],
    once: tuple[str | None, str, Reconcile],
    prefix: tuple[str, ...] = ("input",),
    native_id: str | None = None,
    change: ChangeKind = ChangeKind.UPDATED,
) -> ContactPayload:
    """`once` is (idempotency key, fingerprint of the request, how to reconcile it);
    `change` what the change bus hears when the write succeeds."""
    key, digest, reconciler = once
    errors = _key_errors(key)
    if errors:
        return ContactPayload(contact=None, user_errors=errors)
    entry = entry_for(info, name)
    safe = Write(entry, write, _contact_result, digest, reconciler, prefix, native_id, change)
    result = await perform(info.context, safe, key)
    contact = contact_object(result.record) if result.record is not None else None
    return ContactPayload(contact=contact, user_errors=list(result.user_errors))


IdArg = Annotated[strawberry.ID, strawberry.argument(description="The contact's global id.")]
KeyArg = Annotated[
    str | None,
    strawberry.argument(
        description="Makes retrying safe: within 24 h the same key with the same request "
        "answers the first result without writing again; with another request it is "
        "IDEMPOTENCY_KEY_REUSED. 1 to 255 visible ASCII characters, new for each write "
        "(a UUID). After OUTCOME_UNKNOWN, retry with the same key."
    ),
]


@strawberry.type(description="Writes: each validates with the provider's rules first.")
class Mutation:
    @strawberry.mutation(description="Create a contact at `input.provider`.")
    async def create_contact(
        self,
        info: Info,
        input: Annotated[CreateContactInput, strawberry.argument(description="The new contact.")],
        idempotency_key: KeyArg = None,
    ) -> ContactPayload:
        errors = _block_errors(input, input.provider)
        if errors:
            return ContactPayload(contact=None, user_errors=errors)
        provider = entry_for(info, input.provider, Operation.CREATE).provider
        data = input.to_model()
        digest = fingerprint("createContact", input.provider, data)
        once = (idempotency_key, digest, reconcile.for_create(data))
        return await _run(
            info, input.provider, lambda: provider.create(data), once, change=ChangeKind.CREATED
        )

    @strawberry.mutation(description="Change the given fields of a contact; others stay.")
    async def update_contact(
        self,
        info: Info,
        id: IdArg,
        input: Annotated[UpdateContactInput, strawberry.argument(description="What changes.")],
        idempotency_key: KeyArg = None,
    ) -> ContactPayload:
        decoded = _decode(id)
        if isinstance(decoded, list):
            return ContactPayload(contact=None, user_errors=decoded)
        name, native_id = decoded
        errors = _block_errors(input, name)
        if errors:
            return ContactPayload(contact=None, user_errors=errors)
        provider = entry_for(info, name, Operation.UPDATE).provider
        data = input.to_model()
        digest = fingerprint("updateContact", name, native_id, data)
        once = (idempotency_key, digest, reconcile.for_update(native_id, data))
        return await _run(
            info, name, lambda: provider.update(native_id, data), once, native_id=native_id
        )

    @strawberry.mutation(description="Delete a contact.")
    async def delete_contact(
        self, info: Info, id: IdArg, idempotency_key: KeyArg = None
    ) -> DeleteContactPayload:
        decoded = _decode(id)
        if isinstance(decoded, list):
            return DeleteContactPayload(deleted_id=None, user_errors=decoded)
        errors = _key_errors(idempotency_key)
        if errors:
            return DeleteContactPayload(deleted_id=None, user_errors=errors)
        name, native_id = decoded
        entry = entry_for(info, name, Operation.DELETE)
        deleted = encode_global_id(name, native_id)
        write = Write(
            entry,
            lambda: entry.provider.delete(native_id),
            lambda trace_id: WriteResult(deleted_id=deleted, trace_id=trace_id),
            fingerprint("deleteContact", name, native_id),
            reconcile.for_delete(name, native_id),
            native_id=native_id,
        )
        result = await perform(info.context, write, idempotency_key)
        return DeleteContactPayload(
            deleted_id=strawberry.ID(result.deleted_id) if result.deleted_id else None,
            user_errors=list(result.user_errors),
            trace_id=result.trace_id,
        )

    @strawberry.mutation(
        description="Hand a contact to another agent (Spark). An unconnected contact becomes "
        "Connected. Agents may transfer within their office or company."
    )
    async def transfer_contact(
        self,
        info: Info,
        id: IdArg,
        owner_id: Annotated[str, strawberry.argument(description="Spark id of the new owner.")],
        idempotency_key: KeyArg = None,
    ) -> ContactPayload:
        decoded = _decode(id)
        if isinstance(decoded, list):
            return ContactPayload(contact=None, user_errors=decoded)
        name, native_id = decoded
        provider = entry_for(info, name, Operation.TRANSFER).provider
        if not isinstance(provider, SupportsTransfer):
            return ContactPayload(
                contact=None,
                user_errors=[
                    user_error(
                        ["id"],
                        IssueCode.UNSUPPORTED,
                        f"{name.value} contacts cannot be transferred",
                    )
                ],
            )
        digest = fingerprint("transferContact", name, native_id, owner_id)
        once = (idempotency_key, digest, reconcile.for_transfer(native_id, owner_id))
        return await _run(
            info, name, lambda: provider.transfer(native_id, owner_id), once, (), native_id
        )

    @strawberry.mutation(description="Change the Spark user's own contact (permitted fields only).")
    async def update_my_contact(
        self,
        info: Info,
        input: Annotated[UpdateMyContactInput, strawberry.argument(description="What changes.")],
        idempotency_key: KeyArg = None,
    ) -> ContactPayload:
        provider = entry_for(info, ProviderName.SPARK, Operation.UPDATE_ME).provider
        if not isinstance(provider, SupportsMyContact):
            raise GatewayError("this provider has no current-user contact", "UNSUPPORTED")
        data = input.to_model()
        digest = fingerprint("updateMyContact", data)
        once = (idempotency_key, digest, reconcile.for_update_me(data))
        return await _run(info, ProviderName.SPARK, lambda: provider.update_me(data), once)
