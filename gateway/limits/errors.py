"""The codes of the document limits, and the error each rejection carries.

A rejection names the limit and, where it is known, the value that broke it, both in
the message and in `extensions` (`limit`, `actual`), so clients can branch on the code
and people can read the message.
"""

from __future__ import annotations

from typing import Final

from resolvers.errors import GatewayError

DOCUMENT_TOO_LARGE: Final = "DOCUMENT_TOO_LARGE"
TOO_MANY_TOKENS: Final = "TOO_MANY_TOKENS"
QUERY_TOO_DEEP: Final = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES: Final = "TOO_MANY_ALIASES"
TOO_MANY_DIRECTIVES: Final = "TOO_MANY_DIRECTIVES"
TOO_MANY_ROOT_FIELDS: Final = "TOO_MANY_ROOT_FIELDS"
COST_LIMIT_EXCEEDED: Final = "COST_LIMIT_EXCEEDED"
INTROSPECTION_DISABLED: Final = "INTROSPECTION_DISABLED"
BAD_USER_INPUT: Final = "BAD_USER_INPUT"


def rejection(code: str, message: str, *, limit: int, actual: int | None = None) -> GatewayError:
    """A request error: nothing of the operation runs."""
    return GatewayError(message, code, limit=limit, actual=actual)


def bad_argument(message: str, argument: str, *, limit: int, actual: int) -> GatewayError:
    """`first` or a list beyond its bound: BAD_USER_INPUT, as the resolvers' own checks say."""
    return GatewayError(message, BAD_USER_INPUT, argument=argument, limit=limit, actual=actual)
