"""The Starlette application factory: routes, lifespan, the GraphQL endpoint."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping

from opentelemetry.sdk.trace.export import SpanExporter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from gateway.auth import Authenticator
from gateway.collector import tuned_for_serving
from gateway.cors import cors_middleware
from gateway.graphiql import STATIC_PATH, static_files
from gateway.graphql_http import GraphQLEndpoint
from gateway.health import healthz, readyz
from gateway.idempotency import open_ledger
from gateway.limits.budget import BudgetGuard
from gateway.limits.extension import document_limits, hides_suggestions
from gateway.live.routes import graphql_app, live_routes, open_feed
from gateway.metrics import CONTENT_TYPE
from gateway.persisted import PersistedQueries, QueryStore, load_allow_list
from gateway.request_ids import RequestIdMiddleware
from gateway.response_cache import ResponseCache
from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import Settings
from gateway.storage import Storage, open_storage
from gateway.telemetry import GatewayTelemetry
from gateway.tenants import build_tenants
from providers.breaker import CircuitState
from providers.model import ProviderName
from resolvers.access import DEFAULT_TENANT
from resolvers.cache_policy import Ttl
from resolvers.read_through import CachedReads
from resolvers.root import build_schema

log = logging.getLogger("contact_gateway")


async def metrics(request: Request) -> Response:
    telemetry: GatewayTelemetry = request.app.state.telemetry
    for entry in request.app.state.providers:
        is_open = entry.breaker.state is not CircuitState.CLOSED
        telemetry.metrics.circuit.labels(entry.provider.name.value).set(1 if is_open else 0)
    return Response(telemetry.metrics.render(), media_type=CONTENT_TYPE)


OPEN_WARNING = (
    "AUTHENTICATION IS OFF (auth.mode = open): anyone who reaches this port reads and "
    "writes through the sandboxes; configure auth before connecting real providers"
)


def banner(settings: Settings, sandboxes: EmbeddedSandboxes, *, open_auth: bool = False) -> str:
    """What `serve` prints once it is up: where GraphiQL is, each sandbox, and open auth."""
    lines = [f"contact-gateway: GraphiQL at http://{settings.host}:{settings.port}/graphql"]
    if open_auth:
        lines.append(f"!!! {OPEN_WARNING} !!!")
    if sandboxes.running:
        lines.append("sandboxes (no real provider configured; data is fake and resets on restart):")
        lines.extend(sandboxes.describe())
    return "\n".join(lines)


def _persisted(settings: Settings, store: QueryStore | None) -> PersistedQueries:
    config = settings.persisted_queries
    allow_list = load_allow_list(config.allow_list) if config.allow_list else None
    return PersistedQueries(store if config.enabled else None, allow_list, config.get_cache_control)


def _ttls(settings: Settings) -> dict[ProviderName, Ttl]:
    config = settings.cache
    return {
        name: Ttl(ttl.records, ttl.lists, ttl.stale_if_error)
        for name, ttl in (
            (ProviderName.SPARK, config.spark),
            (ProviderName.IS24, config.is24),
            (ProviderName.AUTODNS, config.autodns),
        )
    }


def reads_factory(
    storage: Storage, settings: Settings, telemetry: GatewayTelemetry
) -> Callable[[], CachedReads]:
    ttls, cache, changes = _ttls(settings), storage.cache, storage.changes
    return lambda: CachedReads(cache, ttls, on_event=telemetry.cache_event, changes=changes)


def create_app(
    settings: Settings,
    *,
    announce: bool = False,
    span_exporter: SpanExporter | None = None,
    sandbox_urls: Mapping[str, str] | None = None,
) -> Starlette:
    """The gateway ASGI app; providers, sandboxes and storage open and close with its lifespan.

    `span_exporter` lets tests collect this app's OpenTelemetry spans in memory.
    `sandbox_urls`: use sandboxes another process serves (the workers of `serve --workers`).
    """
    telemetry = GatewayTelemetry.create(settings.tracing, span_exporter)
    authenticator = Authenticator(settings)  # a bad JWT key stops start-up here
    endpoint = GraphQLEndpoint(
        build_schema(
            [document_limits(settings)],
            hide_suggestions=hides_suggestions(settings),
            federation=settings.federation,
            planned_completion=settings.planned_completion,
        ),
        PersistedQueries(None),
        telemetry,
        graphiql=settings.graphiql,
        request_deadline=settings.request_deadline,
        max_body_bytes=settings.limits.max_body_bytes,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandboxes = EmbeddedSandboxes(attach_to=sandbox_urls or {})
        if settings.use_sandboxes:
            await sandboxes.start(settings)
            log.warning("running on the embedded SANDBOXES (no real provider configured)")
        storage = await open_storage(settings, telemetry)  # SQLite file, or Redis (cache_url)
        database, cache = storage.database, storage.cache
        keys = settings.idempotency
        app.state.idempotency = storage.ledger or await open_ledger(
            database, keys.ttl, keys.in_flight_lease
        )
        endpoint.persisted = _persisted(settings, storage.queries)
        endpoint.responses = (
            ResponseCache(cache, settings.cache.responses)
            if cache is not None and settings.cache.responses
            else None
        )
        app.state.responses = endpoint.responses
        with contextlib.suppress(sqlite3.Error):
            await endpoint.persisted.setup()
        app.state.sandboxes = sandboxes
        app.state.storage = storage
        app.state.database = database
        app.state.cache = cache
        app.state.changes = storage.changes
        app.state.telemetry = telemetry
        app.state.new_reads = reads_factory(storage, settings, telemetry)
        app.state.live = await open_feed(settings, storage.changes, app.state.new_reads)
        app.state.authenticator = authenticator
        app.state.tenants = build_tenants(settings, sandboxes, [BudgetGuard(), telemetry])
        app.state.providers = app.state.tenants[DEFAULT_TENANT]  # health, readiness, metrics
        if authenticator.open:
            log.warning(OPEN_WARNING)
        if announce:  # the CLI's start-up banner
            print(banner(settings, sandboxes, open_auth=authenticator.open), flush=True)
        try:
            with tuned_for_serving():  # start-up's objects frozen (gateway/collector.py)
                yield
        finally:
            if app.state.live is not None:
                await app.state.live.aclose()
            await app.state.tenants.aclose()
            await storage.aclose()
            await sandboxes.stop()
            telemetry.provider.shutdown()

    return Starlette(
        routes=[
            Route(
                "/graphql",
                graphql_app(settings, endpoint),
                methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
            ),
            *live_routes(settings, endpoint),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Mount(STATIC_PATH, app=static_files(), name="graphiql-static"),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestIdMiddleware), *cors_middleware(settings.cors)],
    )
