"""Provider errors -> GraphQL errors (`extensions.code`) and mutation `userErrors`.

Codes are stable strings clients can branch on: NOT_FOUND, FORBIDDEN,
BAD_USER_INPUT, INVALID_ID, DUPLICATE, PROVIDER_UNAVAILABLE, PROVIDER_TIMEOUT,
RATE_LIMITED, PROVIDER_AUTH_FAILED, PROVIDER_ERROR, PROVIDER_NOT_CONFIGURED,
UNSUPPORTED, INTERNAL_SERVER_ERROR; for writes also OUTCOME_UNKNOWN,
IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_FLIGHT, IDEMPOTENCY_UNAVAILABLE
(resolvers/safe_writes.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

from providers.errors import (
    DuplicateContact,
    FieldIssue,
    Forbidden,
    IssueCode,
    NotFound,
    ProviderError,
    RetriableError,
    Unsupported,
    ValidationFailed,
)
from providers.model import FieldPath
from providers.registry import ProviderNotConfigured
from schema.enums import UserErrorCode
from schema.payloads import UserError


class GatewayError(GraphQLError):
    """A deliberate, client-facing GraphQL error with a stable `extensions.code`."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        clean = {k: v for k, v in extensions.items() if v is not None}
        super().__init__(message, extensions={"code": code, **clean})


def provider_error(exc: ProviderError) -> GatewayError:
    """The GraphQL error for a provider failure on a read (or a non-input mutation failure)."""
    extra: dict[str, Any] = {
        "provider": exc.provider.value if exc.provider else None,
        "providerCode": exc.provider_code,
        "traceId": exc.trace_id,
    }
    if isinstance(exc, RetriableError):  # 429, or a 503 that said when to come back
        extra["retryAfter"] = exc.retry_after
    if isinstance(exc, ValidationFailed):
        extra["fields"] = [
            {"field": list(i.field), "code": i.code.value, "message": i.message} for i in exc.issues
        ]
    return GatewayError(exc.message, exc.code, **extra)


def not_configured(exc: ProviderNotConfigured) -> GatewayError:
    return GatewayError(str(exc), "PROVIDER_NOT_CONFIGURED", provider=exc.name.value)


def bad_input(message: str, **extensions: Any) -> GatewayError:
    return GatewayError(message, "BAD_USER_INPUT", **extensions)


def user_error(
    field: Sequence[str] | None,
    code: IssueCode,
    message: str,
    provider_code: str | None = None,
    trace_id: str | None = None,
) -> UserError:
    return UserError(
        field=list(field) if field is not None else None,
        code=UserErrorCode(code.value),
        message=message,
        provider_code=provider_code,
        trace_id=trace_id,
    )


def user_errors_for(exc: ProviderError, prefix: FieldPath) -> list[UserError] | None:
    """userErrors for errors the caller can fix by changing the input; None for the others."""
    if isinstance(exc, ValidationFailed):
        return [_from_issue(i, prefix, exc.trace_id) for i in exc.issues]
    if isinstance(exc, DuplicateContact):
        message = exc.message
        if exc.existing_id:
            message = f"{message} (existing contact {exc.existing_id})"
        return [
            user_error(
                (*prefix, *exc.field), IssueCode.DUPLICATE, message, exc.provider_code, exc.trace_id
            )
        ]
    if isinstance(exc, NotFound):
        return [
            user_error(["id"], IssueCode.NOT_FOUND, exc.message, exc.provider_code, exc.trace_id)
        ]
    if isinstance(exc, Unsupported):
        return [user_error(None, IssueCode.UNSUPPORTED, exc.message, exc.provider_code)]
    if isinstance(exc, Forbidden):
        return None
    return None


def _from_issue(issue: FieldIssue, prefix: FieldPath, trace_id: str | None) -> UserError:
    path = (*prefix, *issue.field) if issue.field and issue.field[0] != "" else prefix
    return user_error(path, issue.code, issue.message, issue.provider_code, trace_id)
