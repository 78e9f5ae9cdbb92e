"""Mask the unexpected at the edge: a generic message and an error id for clients,
the details (type and stack, never the exception's message) only in the log.

Deliberate errors (GatewayError, GraphQL validation and variable errors) pass as
they are. Exception messages are kept out of logs because they can carry
personal data (a KeyError on an email address, say).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("contact_gateway.errors")
INTERNAL = "INTERNAL_SERVER_ERROR"


def mask(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    error_id = uuid.uuid4().hex[:16]
    stack = "".join(traceback.format_tb(original.__traceback__))
    log.error("unexpected %s (error id %s)\n%s", type(original).__name__, error_id, stack)
    return GraphQLError(
        "Internal error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": INTERNAL, "errorId": error_id},
    )


class MaskUnexpectedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [mask(e) for e in result.errors]
