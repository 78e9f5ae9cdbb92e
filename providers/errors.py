"""Provider errors, grouped by what the caller should do about them.

    ProviderError                  base; carries provider, provider_code, trace_id
    ├── RetriableError             try again later; the request itself was fine
    │   ├── ProviderUnavailable    5xx, connection refused/reset, 1510
    │   ├── ProviderTimeout        no answer within the deadline, 1515
    │   │   └── NotSent            the deadline ran out before the request was sent
    │   └── RateLimited            429 / Spark 1550; has retry_after seconds
    ├── RejectedError              the request must change before it can succeed
    │   ├── ValidationFailed       input breaks the provider's rules; has issues
    │   ├── DuplicateContact       the provider already has this contact
    │   ├── Forbidden              this credential/role may not do this
    │   └── Unsupported            the provider has no such operation
    ├── NotFound                   no such contact (or not visible to this credential)
    ├── ProviderAuthFailed         the gateway's credential for the provider is bad
    ├── ProviderProtocolError      the provider answered something we cannot read
    └── OutcomeUnknown             a write may have been applied, but its answer was lost

Adapters raise only these; aiohttp, JSON and XML errors are translated at the
client boundary (`raise ... from exc`). Resolvers turn them into GraphQL errors
or `userErrors` (`resolvers/errors.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict, Unpack

from providers.model import FieldPath, ProviderName


class IssueCode(StrEnum):
    """Stable, provider-independent codes of one input problem."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_FORMAT = "INVALID_FORMAT"
    READ_ONLY = "READ_ONLY"
    NOT_ALLOWED = "NOT_ALLOWED"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNSUPPORTED = "UNSUPPORTED"


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem with one input field; `field` is a unified input path."""

    field: FieldPath
    code: IssueCode
    message: str
    provider_code: str | None = None


class ErrorContext(TypedDict, total=False):
    """Where an error came from: passed through by every subclass."""

    provider: ProviderName | None
    provider_code: str | None
    trace_id: str | None


class ProviderError(Exception):
    """Base of every error an adapter raises."""

    code = "PROVIDER_ERROR"

    def __init__(
        self,
        message: str,
        *,
        provider: ProviderName | None = None,
        provider_code: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.provider_code = provider_code
        self.trace_id = trace_id


class RetriableError(ProviderError):
    """The provider could not serve the request now; the same request may work later.

    `retry_after` is when the provider said to try again (Retry-After on 429 or 503).
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, **kw: Unpack[ErrorContext]
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ProviderUnavailable(RetriableError):
    """The provider is down, refused the connection or answered with a server error."""

    code = "PROVIDER_UNAVAILABLE"


class ProviderTimeout(RetriableError):
    """The provider did not answer within the deadline."""

    code = "PROVIDER_TIMEOUT"


class NotSent(ProviderTimeout):
    """The request deadline ran out while waiting for a connection slot or the rate limit:
    nothing reached the provider, so even a write is safe to send again."""


class RateLimited(RetriableError):
    """The provider's rate limit was hit; `retry_after` says when to try again."""

    code = "RATE_LIMITED"


class RejectedError(ProviderError):
    """The provider refused the request; it must change before it can succeed."""

    code = "BAD_USER_INPUT"


class RefusedBeforeSending(RejectedError):
    """The gateway itself refused the call (e.g. the request's call budget is spent):
    nothing reached the provider, so the provider's health and breaker learn nothing."""


class ValidationFailed(RejectedError):
    """The input breaks the provider's field rules; `issues` lists each problem."""

    def __init__(self, issues: list[FieldIssue], **kw: Unpack[ErrorContext]) -> None:
        text = "; ".join(f"{'.'.join(i.field) or '(input)'}: {i.message}" for i in issues)
        super().__init__(text or "invalid input", **kw)
        self.issues = issues


class DuplicateContact(RejectedError):
    """The provider already holds a contact with the same identifying data."""

    code = "DUPLICATE"

    def __init__(
        self,
        message: str,
        *,
        field: FieldPath = (),
        existing_id: str | None = None,
        **kw: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **kw)
        self.field = field
        self.existing_id = existing_id


class Forbidden(RejectedError):
    """The provider credential's role may not perform this operation."""

    code = "FORBIDDEN"


class Unsupported(RejectedError):
    """The provider has no such operation."""

    code = "UNSUPPORTED"


class NotFound(ProviderError):
    """No contact with this id exists for this credential."""

    code = "NOT_FOUND"


class ProviderAuthFailed(ProviderError):
    """The provider refused the gateway's credential (misconfiguration, not the caller's)."""

    code = "PROVIDER_AUTH_FAILED"


class ProviderProtocolError(ProviderError):
    """The provider's answer was malformed, truncated or of the wrong type."""

    code = "PROVIDER_ERROR"


class OutcomeUnknown(ProviderError):
    """A write may have reached the provider, but its answer was lost (timeout or reset
    after sending): never resend it blindly; find out first (resolvers/reconcile.py)."""

    code = "OUTCOME_UNKNOWN"
