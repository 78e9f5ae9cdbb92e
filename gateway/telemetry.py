"""One app's telemetry: Prometheus metrics and OpenTelemetry spans, fed by the
GraphQL endpoint (operations) and by the provider sessions (upstream calls).

Spans are made only when something exports them (`tracing` set, or a test's
exporter): the SDK builds and ends a recording span even with no processor, which
cost every request ~25 µs for nothing.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Final

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode, Tracer

from gateway.metrics import GatewayMetrics, operation_label
from gateway.tracing import TracingMode, tracer, tracer_provider
from providers.model import ProviderName
from providers.telemetry import UpstreamCall

log = logging.getLogger("contact_gateway.requests")
UNTRACED: Final[AbstractContextManager[Span]] = nullcontext(INVALID_SPAN)
"""The operation "span" when tracing is off: reusable, records nothing."""


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
    traced: bool = True
    """Whether spans are exported anywhere (else none are made)."""

    @classmethod
    def create(cls, mode: TracingMode, exporter: SpanExporter | None = None) -> GatewayTelemetry:
        provider = tracer_provider(mode, exporter)
        traced = exporter is not None or mode != "off"
        return cls(GatewayMetrics(), provider, tracer(provider), traced)

    def operation_span(self) -> AbstractContextManager[Span]:
        """The current span for one GraphQL operation (a non-recording one when untraced)."""
        if not self.traced:
            return UNTRACED
        return self.tracer.start_as_current_span("graphql.operation")

    def call_started(self, provider: ProviderName, method: str, path: str) -> object:
        if not self.traced:
            return None
        span = self.tracer.start_span(f"upstream {provider.value}", kind=SpanKind.CLIENT)
        span.set_attribute("provider", provider.value)
        span.set_attribute("http.request.method", method)
        return span

    def call_finished(self, token: object, call: UpstreamCall) -> None:
        status = str(call.status) if call.status is not None else (call.error or "error")
        self.metrics.upstream_of(call.provider.value, status).inc()
        self.metrics.upstream_latency_of(call.provider.value).observe(call.seconds)
        if isinstance(token, Span):
            if call.status is not None:
                token.set_attribute("http.response.status_code", call.status)
            if call.error or (call.status or 0) >= 500:
                token.set_status(Status(StatusCode.ERROR, call.error or status))
            token.end()

    def operation_done(self, operation: OperationOutcome, seconds: float) -> None:
        label = operation_label(operation.name)
        if log.isEnabledFor(logging.INFO):
            _access_line(label, operation.outcome, seconds)
        self.metrics.requests_of(label, operation.outcome).inc()
        self.metrics.latency_of(label).observe(seconds)

    def cache_event(self, provider: ProviderName, event: str) -> None:
        """Count a cache hit/miss/stale, and note it on the operation's span."""
        self.metrics.cache_of(provider.value, event).inc()
        if not self.traced:
            return
        span = trace.get_current_span()
        if span.is_recording():
            span.add_event("cache", {"provider": provider.value, "cache.result": event})

    def cache_evicted(self, count: int) -> None:
        self.metrics.cache.labels("all", "eviction").inc(count)


def _access_line(operation: str, outcome: str, seconds: float) -> None:
    """One line per request, made without `Logger.info`'s caller lookup (a stack walk
    that every request paid; the line names its logger, not a source line)."""
    extra = {"operation": operation, "outcome": outcome, "ms": round(seconds * 1000, 2)}
    record = log.makeRecord(
        log.name, logging.INFO, __file__, 0, "graphql request", (), None, "operation_done", extra
    )
    log.handle(record)
