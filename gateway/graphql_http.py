"""The `/graphql` endpoint, by the GraphQL-over-HTTP specification.

- POST with `application/json` bodies; GET with query parameters, for queries only
  (a mutation over GET is 405 with `Allow: POST`).
- The answer's media type follows Accept: `application/graphql-response+json` when
  accepted (then request errors — unparsable or invalid documents, bad variables,
  unknown operation — are 400), else `application/json` (always 200 for a
  well-formed request, the legacy behaviour clients expect). Both are UTF-8.
- Malformed HTTP requests get 4xx with a JSON error body, never a 500.
- GET with `Accept: text/html` and no parameters serves GraphiQL.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from gateway.after_response import answer_first
from gateway.auth import API_KEY_HEADER, Principal, Unauthenticated
from gateway.csrf import refuse_simple_post
from gateway.graphiql import graphiql_page
from gateway.graphql_request import (
    GRAPHQL_RESPONSE,
    JSON,
    MAX_BODY_BYTES,
    BadRequest,
    GraphQLRequest,
    from_get,
    from_post,
    response_media_type,
    wants_html,
)
from gateway.persisted import PersistedQueries, PersistedQueryError
from gateway.response_cache import ResponseCache, answer_key, replayable
from gateway.telemetry import GatewayTelemetry, OperationOutcome
from providers import deadline
from providers.registry import ProviderSet
from resolvers.context import GatewayContext

_ENCODER: Final = msgspec.json.Encoder(enc_hook=str)
"""Compact UTF-8 JSON; msgspec encodes a 100-contact page several times faster than the
standard library (anything it does not know, e.g. a Decimal in an extension, as text)."""
NO_STORE: Final = {
    "Cache-Control": "private, no-store",
    "Vary": "Accept, Authorization, X-API-Key",
}
GET_OPERATIONS: Final = frozenset({OperationType.QUERY})
POST_OPERATIONS: Final = frozenset({OperationType.QUERY, OperationType.MUTATION})
SUBSCRIPTIONS_STREAM: Final = (
    "subscriptions stream: use the WebSocket on /graphql (graphql-transport-ws), "
    "or send Accept: text/event-stream"
)


class GraphQLEndpoint:
    """An ASGI endpoint executing one GraphQL request per HTTP request."""

    def __init__(
        self,
        schema: strawberry.Schema,
        persisted: PersistedQueries,
        telemetry: GatewayTelemetry,
        *,
        graphiql: bool,
        request_deadline: float = deadline.DEFAULT_SECONDS,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.schema = schema
        self.persisted = persisted
        self.telemetry = telemetry
        self.graphiql = graphiql
        self.request_deadline = request_deadline
        self.max_body_bytes = max_body_bytes
        self.responses: ResponseCache | None = None
        """Replayable answers (gateway/response_cache.py); set by the app's lifespan."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with answer_first():  # the cache's writes behind this request wait for its answer
            request = Request(scope, receive)
            response = await self.handle(request)
            await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if self.graphiql and wants_html(request):
            return graphiql_page()
        started = time.perf_counter()
        with (
            self.telemetry.operation_span() as span,
            deadline.scope(self.request_deadline),  # every provider call of it fits in there
        ):
            operation, response = await self._respond(request)
            if span.is_recording():
                if operation.name is not None:
                    span.set_attribute("graphql.operation.name", operation.name)
                span.set_attribute("graphql.outcome", operation.outcome)
        self.telemetry.operation_done(operation, time.perf_counter() - started)
        return response

    async def _respond(self, request: Request) -> tuple[OperationOutcome, Response]:
        name: str | None = None
        media = JSON  # until the Accept header is understood
        try:
            media = response_media_type(request)
            principal = request.app.state.authenticator.principal(request.headers)
            graphql_request = await self._parse(request)
            name = graphql_request.operation_name or _first_operation_name(graphql_request.query)
            result = await self._execute(request, graphql_request, principal)
            if isinstance(result, _Replayed):
                return OperationOutcome(name, "ok"), _replayed_response(result.data, media)
        except Unauthenticated as exc:
            response = _error_response(401, exc.message, "UNAUTHENTICATED", media, exc.headers)
            return OperationOutcome(name, "unauthenticated"), response
        except BadRequest as exc:
            response = _error_response(exc.status, exc.message, exc.code, media, exc.headers)
            return OperationOutcome(name, "http_error"), response
        except PersistedQueryError as exc:
            response = _error_response(exc.status, exc.message, exc.code, media)
            return OperationOutcome(name, "persisted_query_error"), response
        outcome = (
            "request_error" if is_request_error(result) else ("errors" if result.errors else "ok")
        )
        response = _result_response(result, media, request)
        if outcome == "ok" and self._cacheable(request, graphql_request):
            response.headers["Cache-Control"] = self.persisted.get_cache_control or ""
        return OperationOutcome(name, outcome), response

    def _cacheable(self, request: Request, graphql_request: GraphQLRequest) -> bool:
        """A GET of a persisted query, when the operator allowed shared caching of those."""
        return (
            bool(self.persisted.get_cache_control)
            and request.method == "GET"
            and "persistedQuery" in graphql_request.extensions
            and "authorization" not in request.headers
            and API_KEY_HEADER not in request.headers
        )

    async def _parse(self, request: Request) -> GraphQLRequest:
        if request.method == "GET":
            return from_get(request)
        if request.method == "POST":
            refuse_simple_post(request)
            return await from_post(request, self.max_body_bytes)
        raise BadRequest(405, "use GET or POST", {"Allow": "GET, POST"})

    def _replay_key(
        self, document: str, graphql: GraphQLRequest, principal: Principal
    ) -> _ReplayKey | None:
        if self.responses is None or not replayable(document, graphql.operation_name):
            return None
        return _ReplayKey(principal, document, graphql)

    def _keep(self, key: _ReplayKey, result: ExecutionResult, context: GatewayContext) -> None:
        """Keep an answer built only from fresh cache entries, with nothing else in it."""
        reads = context.reads
        if (
            self.responses is None
            or result.errors
            or result.extensions
            or result.data is None
            or context.partial_errors
            or not reads.all_from_cache
            or not reads.dependencies
            or reads.stale_served
        ):
            return
        self.responses.keep(
            key.text, _ENCODER.encode(result.data), reads.dependencies, reads.fresh_until
        )

    async def _execute(
        self, request: Request, graphql: GraphQLRequest, principal: Principal
    ) -> ExecutionResult | _Replayed:
        document = await self.persisted.document(graphql.query, graphql.extensions)
        if document is None:
            raise BadRequest(400, "the request has no query")
        allowed = GET_OPERATIONS if request.method == "GET" else POST_OPERATIONS
        providers: ProviderSet = request.app.state.tenants[principal.tenant]
        replay_key = self._replay_key(document, graphql, principal)
        if replay_key is not None and self.responses is not None and self.responses.held():
            data = await self.responses.replay(replay_key.text)
            if data is not None:
                return _Replayed(data)
        context = GatewayContext(
            request=request,
            providers=providers,
            reads=request.app.state.new_reads(),
            tenant=principal.tenant,
            role=principal.role,
            idempotency=getattr(request.app.state, "idempotency", None),
        )
        try:
            result = await self.schema.execute(
                document,
                variable_values=graphql.variables,
                context_value=context,
                operation_name=graphql.operation_name,
                allowed_operation_types=allowed,
            )
            if replay_key is not None:
                self._keep(replay_key, result, context)
            return result
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise BadRequest(400, SUBSCRIPTIONS_STREAM) from exc
            raise BadRequest(405, "mutations need POST", {"Allow": "POST"}) from exc
        except (MissingQueryError, CannotGetOperationTypeError) as exc:
            raise BadRequest(400, "no operation to run (check operationName)") from exc


class _ReplayKey:
    """The key of a replayable answer, hashed only when one is looked up or kept (most
    requests do neither: nothing kept yet, or not read from the cache alone)."""

    __slots__ = ("_graphql", "_principal", "_text", "document")

    def __init__(self, principal: Principal, document: str, graphql: GraphQLRequest) -> None:
        self._principal, self.document, self._graphql = principal, document, graphql
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            principal, graphql = self._principal, self._graphql
            self._text = answer_key(
                principal.tenant,
                principal.role.value,
                self.document,
                graphql.operation_name,
                graphql.variables,
            )
        return self._text


@dataclass(frozen=True, slots=True)
class _Replayed:
    """A kept answer's encoded `data`, replayed instead of executing."""

    data: bytes


def _replayed_response(data: bytes, media: str) -> Response:
    return Response(
        b'{"data":' + data + b"}",
        status_code=200,
        media_type=f"{media}; charset=utf-8",
        headers=NO_STORE,
    )


_OPERATION: Final = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def _first_operation_name(document: str | None) -> str | None:
    """The leading operation's name, for metrics labels only (no parse needed)."""
    match = _OPERATION.match(document or "")
    return match.group(1) if match else None


def is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable errors: nothing was executed (no data, no paths)."""
    if isinstance(result, PreExecutionError):
        return True
    return (
        result.data is None
        and bool(result.errors)
        and all(e.path is None for e in result.errors or ())
    )


def _result_response(result: ExecutionResult, media: str, request: Request) -> Response:
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [_formatted(e, request) for e in result.errors]
    request_error = is_request_error(result)
    if not request_error:
        body["data"] = result.data
    if result.extensions:
        body["extensions"] = result.extensions
    status = 400 if request_error and media == GRAPHQL_RESPONSE else 200
    return _json(body, status, media)


def _formatted(error: GraphQLError, request: Request) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        formatted["extensions"] = {**(formatted.get("extensions") or {}), "requestId": request_id}
    if "code" not in (formatted.get("extensions") or {}):
        code = "GRAPHQL_VALIDATION_FAILED" if error.original_error is None else "BAD_USER_INPUT"
        formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _error_response(
    status: int, message: str, code: str, media: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return _json(body, status, media, headers)


def _json(
    body: dict[str, Any], status: int, media: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        _ENCODER.encode(body),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers={**NO_STORE, **(headers or {})},
    )
