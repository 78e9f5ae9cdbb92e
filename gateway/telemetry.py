"""One app's telemetry: Prometheus metrics and OpenTelemetry spans, fed by the
GraphQL endpoint (operations) and by the provider sessions (upstream calls)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from gateway.metrics import GatewayMetrics, operation_label
from gateway.tracing import TracingMode, tracer, tracer_provider
from providers.model import ProviderName
from providers.telemetry import UpstreamCall

log = logging.getLogger("contact_gateway.requests")


@dataclass(frozen=True, slots=True)
class OperationOutcome:
    """How one GraphQL request ended: ok, errors, request_error, http_error, ..."""

    name: str | None
    outcome: str


@dataclass(slots=True)
class GatewayTelemetry:
    metrics: GatewayMetrics
    provider: TracerProvider
    tracer: Tracer

    @classmethod
    def create(cls, mode: TracingMode, exporter: SpanExporter | None = None) -> GatewayTelemetry:
        provider = tracer_provider(mode, exporter)
        return cls(GatewayMetrics(), provider, tracer(provider))

    def call_started(self, provider: ProviderName, method: str, path: str) -> object:
        span = self.tracer.start_span(f"upstream {provider.value}", kind=SpanKind.CLIENT)
        span.set_attribute("provider", provider.value)
        span.set_attribute("http.request.method", method)
        return span

    def call_finished(self, token: object, call: UpstreamCall) -> None:
        status = str(call.status) if call.status is not None else (call.error or "error")
        self.metrics.upstream.labels(call.provider.value, status).inc()
        self.metrics.upstream_latency.labels(call.provider.value).observe(call.seconds)
        if isinstance(token, Span):
            if call.status is not None:
                token.set_attribute("http.response.status_code", call.status)
            if call.error or (call.status or 0) >= 500:
                token.set_status(Status(StatusCode.ERROR, call.error or status))
            token.end()

    def operation_done(self, operation: OperationOutcome, seconds: float) -> None:
        label = operation_label(operation.name)
        log.info(
            "graphql request",
            extra={
                "operation": label,
                "outcome": operation.outcome,
                "ms": round(seconds * 1000, 2),
            },
        )
        self.metrics.requests.labels(label, operation.outcome).inc()
        self.metrics.latency.labels(label).observe(seconds)

    def cache_event(self, provider: ProviderName, event: str) -> None:
        """Count a cache hit/miss/stale, and note it on the operation's span."""
        self.metrics.cache.labels(provider.value, event).inc()
        span = trace.get_current_span()
        if span.is_recording():
            span.add_event("cache", {"provider": provider.value, "cache.result": event})

    def cache_evicted(self, count: int) -> None:
        self.metrics.cache.labels("all", "eviction").inc(count)
