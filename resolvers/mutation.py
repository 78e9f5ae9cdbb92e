"""Mutation root: create, update, delete, transfer and the Spark user's own contact.

Each mutation validates with the provider's rules (inside the adapter) before any
upstream call; input problems come back as `userErrors` with field paths under
`input`, provider outages as GraphQL errors with a code. Nothing is half-written:
the adapters send one write request per mutation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from providers.base import Operation, SupportsMyContact, SupportsTransfer
from providers.errors import IssueCode, ProviderError
from providers.model import ContactRecord, ProviderName
from resolvers.context import GatewayContext
from resolvers.errors import GatewayError, provider_error, user_error, user_errors_for
from resolvers.query import entry_for
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


async def _run(
    info: Info,
    name: ProviderName,
    write: Callable[[], Awaitable[ContactRecord]],
    prefix: tuple[str, ...] = ("input",),
    native_id: str | None = None,
) -> ContactPayload:
    entry = entry_for(info, name)
    try:
        record = await entry.call(write())
    except ProviderError as exc:
        await info.context.reads.invalidate(entry, native_id)  # the outcome may be unknown
        errors = user_errors_for(exc, prefix)
        if errors is None:
            raise provider_error(exc) from exc
        return ContactPayload(contact=None, user_errors=errors)
    await info.context.reads.invalidate(entry, native_id or record.native_id)
    return ContactPayload(contact=contact_object(record), user_errors=[])


IdArg = Annotated[strawberry.ID, strawberry.argument(description="The contact's global id.")]


@strawberry.type(description="Writes: each validates with the provider's rules first.")
class Mutation:
    @strawberry.mutation(description="Create a contact at `input.provider`.")
    async def create_contact(
        self,
        info: Info,
        input: Annotated[CreateContactInput, strawberry.argument(description="The new contact.")],
    ) -> ContactPayload:
        errors = _block_errors(input, input.provider)
        if errors:
            return ContactPayload(contact=None, user_errors=errors)
        provider = entry_for(info, input.provider, Operation.CREATE).provider
        return await _run(info, input.provider, lambda: provider.create(input.to_model()))

    @strawberry.mutation(description="Change the given fields of a contact; others stay.")
    async def update_contact(
        self,
        info: Info,
        id: IdArg,
        input: Annotated[UpdateContactInput, strawberry.argument(description="What changes.")],
    ) -> ContactPayload:
        decoded = _decode(id)
        if isinstance(decoded, list):
            return ContactPayload(contact=None, user_errors=decoded)
        name, native_id = decoded
        errors = _block_errors(input, name)
        if errors:
            return ContactPayload(contact=None, user_errors=errors)
        provider = entry_for(info, name, Operation.UPDATE).provider
        return await _run(
            info, name, lambda: provider.update(native_id, input.to_model()), native_id=native_id
        )

    @strawberry.mutation(description="Delete a contact.")
    async def delete_contact(self, info: Info, id: IdArg) -> DeleteContactPayload:
        decoded = _decode(id)
        if isinstance(decoded, list):
            return DeleteContactPayload(deleted_id=None, user_errors=decoded)
        name, native_id = decoded
        entry = entry_for(info, name, Operation.DELETE)
        try:
            trace_id = await entry.call(entry.provider.delete(native_id))
        except ProviderError as exc:
            await info.context.reads.invalidate(entry, native_id)
            errors = user_errors_for(exc, ("input",))
            if errors is None:
                raise provider_error(exc) from exc
            return DeleteContactPayload(deleted_id=None, user_errors=errors)
        await info.context.reads.invalidate(entry, native_id)
        return DeleteContactPayload(
            deleted_id=strawberry.ID(encode_global_id(name, native_id)),
            user_errors=[],
            trace_id=trace_id,
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
        return await _run(
            info, name, lambda: provider.transfer(native_id, owner_id), (), native_id=native_id
        )

    @strawberry.mutation(description="Change the Spark user's own contact (permitted fields only).")
    async def update_my_contact(
        self,
        info: Info,
        input: Annotated[UpdateMyContactInput, strawberry.argument(description="What changes.")],
    ) -> ContactPayload:
        provider = entry_for(info, ProviderName.SPARK, Operation.UPDATE_ME).provider
        if not isinstance(provider, SupportsMyContact):
            raise GatewayError("this provider has no current-user contact", "UNSUPPORTED")
        return await _run(info, ProviderName.SPARK, lambda: provider.update_me(input.to_model()))
