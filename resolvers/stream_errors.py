"""Errors of streamed results (subscription events over WebSocket or SSE), made like
the HTTP endpoint's: the unexpected masked with an error id, and every error with an
`extensions.code`.

`MaskUnexpectedErrors` works once an operation is over; a subscription sends many
results before that, so each is treated as it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import StreamExecutionResult
from strawberry.types.execution import ExecutionResult

from resolvers.masking import mask

NOT_RUNNABLE = (InvalidOperationTypeError, CannotGetOperationTypeError)
"""A mutation over a stream, an unknown operationName: the request's fault, not ours."""


def treated(error: GraphQLError) -> GraphQLError:
    """As the HTTP endpoint answers: an operation that cannot run here is BAD_REQUEST,
    the unexpected is masked, validation problems without a code are
    GRAPHQL_VALIDATION_FAILED, other uncoded ones (bad variables) BAD_USER_INPUT."""
    if isinstance(error.original_error, NOT_RUNNABLE):
        extensions = {"code": "BAD_REQUEST"}
        return GraphQLError(error.message, error.nodes, path=error.path, extensions=extensions)
    error = mask(error)
    if not (error.extensions or {}).get("code"):
        code = "GRAPHQL_VALIDATION_FAILED" if error.original_error is None else "BAD_USER_INPUT"
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


class StreamErrors(SchemaExtension):
    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = [treated(e) for e in result.errors]
        yield
