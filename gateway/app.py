"""The Starlette application factory: routes, lifespan, GraphQL endpoint."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from gateway.providers import build_providers
from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import Settings
from providers.registry import ProviderSet
from resolvers.context import GatewayContext
from resolvers.root import build_schema

log = logging.getLogger("contact_gateway")


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """Strawberry's ASGI view with our per-request context."""

    async def get_context(self, request: Any, response: Any = None) -> GatewayContext:
        providers: ProviderSet = request.app.state.providers
        return GatewayContext(request=request, providers=providers)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def banner(settings: Settings, sandboxes: EmbeddedSandboxes) -> str:
    """What `serve` prints once it is up: where GraphiQL is, and each sandbox."""
    lines = [f"contact-gateway: GraphiQL at http://{settings.host}:{settings.port}/graphql"]
    if sandboxes.running:
        lines.append("sandboxes (no real provider configured; data is fake and resets on restart):")
        lines.extend(sandboxes.describe())
    return "\n".join(lines)


def create_app(settings: Settings, *, announce: bool = False) -> Starlette:
    """The gateway ASGI app; providers (and sandboxes) open and close with its lifespan."""
    graphql = GatewayGraphQL(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandboxes = EmbeddedSandboxes()
        if settings.use_sandboxes:
            await sandboxes.start(settings)
            log.warning("running on the embedded SANDBOXES (no real provider configured)")
        app.state.sandboxes = sandboxes
        app.state.providers = build_providers(settings, sandboxes)
        if announce:
            print(banner(settings, sandboxes), flush=True)  # the CLI's start-up banner
        try:
            yield
        finally:
            await app.state.providers.aclose()
            await sandboxes.stop()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
