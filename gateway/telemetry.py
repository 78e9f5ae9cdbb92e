"""One app's telemetry: Prometheus metrics and OpenTelemetry spans, fed by the
GraphQL endpoint (operations) and by the provider sessions (upstream calls)."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from gateway.metrics import GatewayMetrics
from providers.model import ProviderName
from providers.telemetry import UpstreamCall


@dataclass(slots=True)
class GatewayTelemetry:
    metrics: GatewayMetrics
    provider: TracerProvider
    tracer: Tracer

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

    def cache_event(self, provider: ProviderName, event: str) -> None:
        self.metrics.cache.labels(provider.value, event).inc()
