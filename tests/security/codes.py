"""Every error code a client may see, in one place, for the battery's checks.

Collected from where the codes are defined: `resolvers/errors.py` (its docstring lists
them), `providers/errors.py` (each error class's `code`, added below by walking the
tree), `gateway/limits/errors.py`, `gateway/graphql_http.py` and `graphql_request.py`
(HTTP-level rejections), `gateway/persisted.py`, `gateway/auth.py`, `gateway/csrf.py`,
and the idempotency ledger. INTERNAL_SERVER_ERROR is deliberately NOT in the set: it is
what an unexpected exception is masked as, so seeing it means a bug the battery found.
"""

from __future__ import annotations

from typing import Final

from providers.errors import ProviderError
from schema.enums import UserErrorCode


def _provider_codes() -> frozenset[str]:
    found: set[str] = set()
    pending: list[type[ProviderError]] = [ProviderError]
    while pending:
        cls = pending.pop()
        found.add(cls.code)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


ERROR_CODES: Final = frozenset(
    {
        # resolvers/errors.py
        "NOT_FOUND",
        "FORBIDDEN",
        "BAD_USER_INPUT",
        "INVALID_ID",
        "DUPLICATE",
        "PROVIDER_UNAVAILABLE",
        "PROVIDER_TIMEOUT",
        "RATE_LIMITED",
        "PROVIDER_AUTH_FAILED",
        "PROVIDER_ERROR",
        "PROVIDER_NOT_CONFIGURED",
        "UNSUPPORTED",
        # gateway/limits/errors.py
        "DOCUMENT_TOO_LARGE",
        "TOO_MANY_TOKENS",
        "QUERY_TOO_DEEP",
        "TOO_MANY_ALIASES",
        "TOO_MANY_DIRECTIVES",
        "TOO_MANY_ROOT_FIELDS",
        "COST_LIMIT_EXCEEDED",
        "INTROSPECTION_DISABLED",
        # gateway/graphql_http.py, graphql_request.py, persisted.py, auth, csrf
        "BAD_REQUEST",
        "GRAPHQL_VALIDATION_FAILED",
        "REQUEST_TOO_LARGE",
        "BATCHING_NOT_SUPPORTED",
        "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_NOT_SUPPORTED",
        "PERSISTED_QUERY_NOT_ALLOWED",
        "UNAUTHENTICATED",
        "CSRF_REFUSED",
        # the idempotency ledger (safe writes)
        "OUTCOME_UNKNOWN",
        "IDEMPOTENCY_KEY_REUSED",
        "IDEMPOTENCY_KEY_IN_FLIGHT",
        "IDEMPOTENCY_UNAVAILABLE",
    }
    | _provider_codes()
)
"""`extensions.code` values a GraphQL error may carry."""

USER_ERROR_CODES: Final = frozenset(code.value for code in UserErrorCode)
"""`userErrors.code` values (the schema's UserErrorCode enum)."""
