"""GraphQL over Server-Sent Events on `/graphql` (graphql-sse, distinct connections mode).

A request whose `Accept` prefers `text/event-stream` runs here: GET (query parameters,
so `EventSource` works) or POST (a JSON body, CSRF-checked like the HTTP endpoint),
authenticated and limited like any other request. The answer is an event stream:
`event: next` with each result, `event: complete` at the end, and a comment every
`keepalive` seconds. Problems with the HTTP request itself (credential, body, media
type) are answered with the HTTP endpoint's JSON errors; problems with the operation
(validation, limits, refusals) arrive as a `next` event, as the protocol asks.
Queries and subscriptions stream; mutations belong to the JSON endpoint.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from strawberry.http.streaming import SSETransport, merge_stream_with_heartbeat
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from gateway.auth import Principal, Unauthenticated
from gateway.csrf import refuse_simple_post
from gateway.graphql_http import NO_STORE, GraphQLEndpoint
from gateway.graphql_request import BadRequest, GraphQLRequest, from_get, from_post, media_range
from gateway.persisted import PersistedQueryError
from resolvers.live import SubscriptionContext

EVENT_STREAM: Final = "text/event-stream"
STREAMED: Final = frozenset({OperationType.QUERY, OperationType.SUBSCRIPTION})
HEADERS: Final = {
    **SSETransport.headers,
    **NO_STORE,
    "Cache-Control": "private, no-store, no-transform",
}


def prefers_event_stream(scope: Scope) -> bool:
    """`Accept` ranks text/event-stream first (by q, then order): this is an SSE request."""
    accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"").decode()
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, q = media_range(part)
        if q > 0 and (best is None or q > best[0]):
            best = (q, media)
    return best is not None and best[1] == EVENT_STREAM


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


class EventStreamEndpoint:
    """The SSE side of `/graphql`; shares the HTTP endpoint's schema and persisted queries."""

    def __init__(self, endpoint: GraphQLEndpoint, keepalive: float) -> None:
        self._endpoint = endpoint
        self._transport = SSETransport(heartbeat_interval=keepalive)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        try:
            principal: Principal = request.app.state.authenticator.principal(request.headers)
            graphql = await self._parse(request)
            document = await self._endpoint.persisted.document(graphql.query, graphql.extensions)
        except Unauthenticated as exc:
            return _error(401, exc.message, "UNAUTHENTICATED", exc.headers)
        except BadRequest as exc:
            return _error(exc.status, exc.message, exc.code, exc.headers)
        except PersistedQueryError as exc:
            return _error(exc.status, exc.message, exc.code)
        if document is None:
            return _error(400, "the request has no query", "BAD_REQUEST")
        context = self._context(request, principal)
        results = await self._endpoint.schema.stream(
            document,
            variable_values=graphql.variables,
            context_value=context,
            operation_name=graphql.operation_name,
            allowed_operation_types=STREAMED,
        )
        body = merge_stream_with_heartbeat(
            lambda: self._events(results, context, request),
            lambda: self._transport.heartbeat_message(_json),
            self._transport.heartbeat_interval,
            send_initial_heartbeat=False,
        )
        return StreamingResponse(body(), headers=HEADERS)

    async def _parse(self, request: Request) -> GraphQLRequest:
        if request.method == "GET":
            return from_get(request)
        if request.method == "POST":
            refuse_simple_post(request)
            return await from_post(request, self._endpoint.max_body_bytes)
        raise BadRequest(405, "use GET or POST", {"Allow": "GET, POST"})

    @staticmethod
    def _context(request: Request, principal: Principal) -> SubscriptionContext:
        state = request.app.state
        return SubscriptionContext(
            request=request,
            providers=state.tenants[principal.tenant],
            reads=state.new_reads(),
            tenant=principal.tenant,
            role=principal.role,
            feed=getattr(state, "live", None),
            client=principal.client_id,
            new_reads=state.new_reads,
        )

    async def _events(
        self, results: AsyncIterator[Any], context: SubscriptionContext, request: Request
    ) -> AsyncGenerator[str, None]:
        try:
            async with aclosing(results):
                async for result in results:
                    yield self._transport.encode_event("next", _json(_payload(result, request)))
            yield self._transport.encode_complete()
        finally:
            context.close_all()


def _payload(result: Any, request: Request) -> dict[str, Any]:
    """The result as the HTTP endpoint shapes it (no `data` for a request error)."""
    body: dict[str, Any] = {}
    if isinstance(result, ExecutionResult) and result.errors:
        request_id = getattr(request.state, "request_id", None)
        body["errors"] = [_formatted(e.formatted, request_id) for e in result.errors]
    if not isinstance(result, PreExecutionError):
        body["data"] = getattr(result, "data", None)
    if getattr(result, "extensions", None):
        body["extensions"] = result.extensions
    return body


def _formatted(error: Mapping[str, Any], request_id: str | None) -> dict[str, Any]:
    if request_id is None:
        return dict(error)
    return {**error, "extensions": {**(error.get("extensions") or {}), "requestId": request_id}}
