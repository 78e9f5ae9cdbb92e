"""The `/graphql` WebSocket: graphql-transport-ws, on Strawberry's protocol handler.

Authentication is the HTTP endpoint's, with the credential in the handshake headers
(`X-API-Key` or `Authorization: Bearer …`) or, for browsers (which cannot set them),
in the `connection_init` payload under the same names. A bad credential in the
headers refuses the handshake with 401; one in the payload (or none, where auth is
required) closes the socket with 4403 and the reason. Browsers from other origins
are refused unless `cors.allow_origins` lists them (Strawberry's origin check).

The server pings every `keepalive` seconds; a client that has not answered within
`pong_timeout` (it is not reading its socket) is closed with 4008 and its
subscriptions leave the feed at once, so it holds no more than what the socket
already buffers. Each connection's subscriptions get fresh reads per event
(resolvers/live.py). Queries run too; mutations belong to the JSON endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final, cast

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    PongMessage,
)
from strawberry.types.unset import UNSET, UnsetType

from gateway.auth import API_KEY_HEADER, Authenticator, Principal, Unauthenticated
from gateway.live.sse import STREAMED
from gateway.settings import Settings
from providers.registry import ProviderSet
from resolvers.live import SubscriptionContext

CLOSE_TOO_SLOW: Final = 4008
CLOSE_FORBIDDEN: Final = 4403
CREDENTIALS: Final = (API_KEY_HEADER, "authorization")


@dataclass(slots=True)
class WebSocketContext(SubscriptionContext):
    websocket: WebSocket | None = None
    connection_params: dict[str, Any] | None = None
    """The `connection_init` payload (Strawberry fills it in)."""


def credentials_in(values: Mapping[str, Any]) -> dict[str, str]:
    """The credential headers among `values` (handshake headers or the init payload)."""
    found = {str(k).lower(): v for k, v in values.items() if str(k).lower() in CREDENTIALS}
    return {k: v if isinstance(v, str) else "" for k, v in found.items()}


def _denied(exc: Unauthenticated) -> JSONResponse:
    body = {"errors": [{"message": exc.message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401, headers=exc.headers)


class LiveSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, quiet once the socket is closing (a cut-off subscription's
    last results have nowhere to go), and closing with the gateway's own reason."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state is not WebSocketState.DISCONNECTED:
            await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state is WebSocketState.DISCONNECTED:
            return
        refusal: str | None = getattr(self.ws.state, "refusal", None)
        if code == CLOSE_FORBIDDEN and refusal:
            reason = refusal
        with contextlib.suppress(RuntimeError):
            await self.ws.close(code=code, reason=reason[:120])


class StreamedOnly:
    """The schema as the handler runs it: queries and subscriptions (as over SSE);
    mutations belong to the JSON endpoint, with its idempotency keys and deadline."""

    def __init__(self, schema: BaseSchema) -> None:
        self._schema = schema

    async def stream(self, query: str | None, **kwargs: Any) -> Any:
        kwargs["allowed_operation_types"] = STREAMED
        return await self._schema.stream(query, **kwargs)


class LiveTransportHandler(BaseGraphQLTransportWSHandler[WebSocketContext, None]):
    """Strawberry's graphql-transport-ws handler, plus server pings and their timeout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast(BaseSchema, StreamedOnly(self.schema))
        self._pong = asyncio.Event()
        self._keepalive: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._keepalive is None:
            self._keepalive = asyncio.create_task(self._pinging())

    async def handle_pong(self, message: PongMessage) -> None:
        self._pong.set()

    async def shutdown(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        self.context.close_all()
        await super().shutdown()

    async def _pinging(self) -> None:
        view = self.view
        assert isinstance(view, LiveWebSocket)
        while True:
            await asyncio.sleep(view.keepalive)
            self._pong.clear()
            ping = asyncio.create_task(self.send_message({"type": "ping"}))
            try:
                await asyncio.wait_for(self._pong.wait(), view.pong_timeout)
            except TimeoutError:
                ping.cancel()
                self.context.close_all()  # leave the feed now, whatever the socket does
                reason = f"subscriber too slow: no pong within {view.pong_timeout:g} s"
                await self.websocket.close(CLOSE_TOO_SLOW, reason)
                return


class LiveWebSocket(GraphQL[WebSocketContext, None]):
    """The ASGI app of the `/graphql` WebSocket route."""

    graphql_transport_ws_handler_class = LiveTransportHandler
    websocket_adapter_class = LiveSocketAdapter

    def __init__(self, schema: BaseSchema, settings: Settings) -> None:
        live = settings.subscriptions
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=live.init_timeout),
            max_subscriptions_per_connection=None,  # the feed bounds them per client
            allowed_origins=settings.cors.allow_origins,
        )
        self.keepalive = live.keepalive
        self.pong_timeout = live.pong_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive=receive, send=send)
        authenticator: Authenticator = websocket.app.state.authenticator
        headers = credentials_in(websocket.headers)
        try:
            principal = authenticator.principal(websocket.headers) if headers else None
        except Unauthenticated as exc:
            await websocket.send_denial_response(_denied(exc))
            return
        websocket.state.principal = principal
        await self.run(websocket)

    async def get_context(self, request: Any, response: Any) -> WebSocketContext:
        state = request.app.state
        return WebSocketContext(
            request=None,
            providers=ProviderSet({}),
            reads=state.new_reads(),
            feed=state.live,
            new_reads=state.new_reads,
            websocket=request,
        )

    async def on_ws_connect(
        self, context: WebSocketContext
    ) -> UnsetType | dict[str, object] | None:
        websocket = context.websocket
        assert websocket is not None
        try:
            principal = self._principal(websocket, context.connection_params or {})
        except Unauthenticated as exc:
            websocket.state.refusal = f"UNAUTHENTICATED: {exc.message}"
            raise ConnectionRejectionError from exc
        _bind(context, principal, websocket.app.state.tenants[principal.tenant])
        acknowledged: UnsetType = UNSET  # connection_ack without a payload
        return acknowledged

    @staticmethod
    def _principal(websocket: WebSocket, params: Mapping[str, Any]) -> Principal:
        """The handshake's principal, or the payload's; never both (one credential)."""
        authenticator: Authenticator = websocket.app.state.authenticator
        from_headers: Principal | None = websocket.state.principal
        sent = credentials_in(params)
        if from_headers is not None and sent:
            raise Unauthenticated("send one credential: in the headers or the payload, once")
        if from_headers is not None:
            return from_headers
        return authenticator.principal(Headers(sent))


def _bind(context: WebSocketContext, principal: Principal, providers: ProviderSet) -> None:
    context.tenant = principal.tenant
    context.role = principal.role
    context.client = principal.client_id
    context.providers = providers
    context.fresh()
