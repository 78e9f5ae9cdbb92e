"""The Starlette application factory: routes, lifespan, the GraphQL endpoint."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import aiosqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from gateway.database import open_database
from gateway.graphiql import STATIC_PATH, static_files
from gateway.graphql_http import GraphQLEndpoint
from gateway.persisted import PersistedQueries, load_allow_list
from gateway.providers import build_providers
from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import Settings
from resolvers.root import build_schema

log = logging.getLogger("contact_gateway")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def banner(settings: Settings, sandboxes: EmbeddedSandboxes) -> str:
    """What `serve` prints once it is up: where GraphiQL is, and each sandbox."""
    lines = [f"contact-gateway: GraphiQL at http://{settings.host}:{settings.port}/graphql"]
    if sandboxes.running:
        lines.append("sandboxes (no real provider configured; data is fake and resets on restart):")
        lines.extend(sandboxes.describe())
    return "\n".join(lines)


def _persisted(settings: Settings, connection: aiosqlite.Connection | None) -> PersistedQueries:
    config = settings.persisted_queries
    allow_list = load_allow_list(config.allow_list) if config.allow_list else None
    return PersistedQueries(connection if config.enabled else None, allow_list)


def create_app(settings: Settings, *, announce: bool = False) -> Starlette:
    """The gateway ASGI app; providers, sandboxes and SQLite open and close with its lifespan."""
    endpoint = GraphQLEndpoint(build_schema(), PersistedQueries(None), graphiql=settings.graphiql)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandboxes = EmbeddedSandboxes()
        if settings.use_sandboxes:
            await sandboxes.start(settings)
            log.warning("running on the embedded SANDBOXES (no real provider configured)")
        database = await open_database(settings.database_path)
        endpoint.persisted = _persisted(settings, database)
        await endpoint.persisted.setup()
        app.state.sandboxes = sandboxes
        app.state.providers = build_providers(settings, sandboxes)
        if announce:
            print(banner(settings, sandboxes), flush=True)  # the CLI's start-up banner
        try:
            yield
        finally:
            await app.state.providers.aclose()
            await database.close()
            await sandboxes.stop()

    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/healthz", healthz, methods=["GET"]),
            Mount(STATIC_PATH, app=static_files(), name="graphiql-static"),
        ],
        lifespan=lifespan,
    )
