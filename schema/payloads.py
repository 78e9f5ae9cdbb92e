"""Mutation results: the contact, or the problems with the input that stopped it."""

from __future__ import annotations

import strawberry

from schema.contact import Contact
from schema.enums import UserErrorCode


@strawberry.type(description="A problem with the mutation's input; nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the input field, e.g. ['input', 'emails', '0', 'address']."
    )
    code: UserErrorCode = strawberry.field(description="Stable code to branch on.")
    message: str = strawberry.field(description="For people; branch on `code` instead.")
    provider_code: str | None = strawberry.field(
        description="The provider's own code (Spark numeric code, IS24 message code, EF code)."
    )
    trace_id: str | None = strawberry.field(
        description="Provider transaction id (AutoDNS stid) for support, when there is one."
    )


@strawberry.type(description="Result of a create, update, transfer or my-contact update.")
class ContactPayload:
    contact: Contact | None = strawberry.field(description="The stored contact; null on error.")
    user_errors: list[UserError] = strawberry.field(description="Empty when it succeeded.")


@strawberry.type(description="Result of a delete.")
class DeleteContactPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global id of the deleted one.")
    user_errors: list[UserError] = strawberry.field(description="Empty when it succeeded.")
    trace_id: str | None = strawberry.field(
        default=None,
        description="Provider transaction id of the delete (AutoDNS stid) for support, when "
        "there is one.",
    )
