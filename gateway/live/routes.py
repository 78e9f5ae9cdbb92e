"""Live updates wired into the app: the feed in the lifespan, the WebSocket route, and
the SSE branch of `/graphql` (gateway/app.py calls these three)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.changes import ChangeBus
from gateway.graphql_http import GraphQLEndpoint
from gateway.live.feed import LiveFeed
from gateway.live.sse import EventStreamEndpoint, prefers_event_stream
from gateway.live.stopping import on_server_stop
from gateway.live.websocket import LiveWebSocket
from gateway.settings import Settings
from resolvers.read_through import CachedReads


async def open_feed(
    settings: Settings, bus: ChangeBus, new_reads: Callable[[], CachedReads]
) -> LiveFeed | None:
    """The process's feed, listening on the change bus and ending its subscriptions when
    the server is told to stop (None: subscriptions are off)."""
    if not settings.subscriptions.enabled:
        return None
    feed = LiveFeed(bus, settings.subscriptions, new_reads)
    await feed.start()
    on_server_stop(feed.end_all)
    return feed


def live_routes(settings: Settings, endpoint: GraphQLEndpoint) -> list[BaseRoute]:
    """`/graphql` over WebSocket (graphql-transport-ws), when subscriptions are on."""
    if not settings.subscriptions.enabled:
        return []
    return [WebSocketRoute("/graphql", LiveWebSocket(endpoint.schema, settings))]


class EventStreamOr:
    """The `/graphql` HTTP app: SSE for requests that prefer text/event-stream, the
    JSON endpoint for the rest. (A class: Starlette calls plain functions with a Request.)"""

    def __init__(self, endpoint: GraphQLEndpoint, keepalive: float) -> None:
        self._endpoint = endpoint
        self._stream = EventStreamEndpoint(endpoint, keepalive)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if prefers_event_stream(scope):
            await self._stream(scope, receive, send)
        else:
            await self._endpoint(scope, receive, send)


def graphql_app(settings: Settings, endpoint: GraphQLEndpoint) -> ASGIApp:
    """What serves HTTP on `/graphql`: the endpoint, plus SSE when subscriptions are on."""
    if not settings.subscriptions.enabled:
        return endpoint
    return EventStreamOr(endpoint, settings.subscriptions.keepalive)
