"""OpenTelemetry tracing: a span per GraphQL operation and per upstream call.

Attributes are operation names and types, provider names, HTTP methods, status
codes and outcome codes — never variables, ids from URLs or response bodies.
Exporting is the operator's choice (`tracing` setting); tests use an in-memory
exporter through `tracer_provider`.
"""

from __future__ import annotations

from typing import Literal

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.trace import Tracer

TracingMode = Literal["off", "console", "otlp"]


def tracer_provider(mode: TracingMode, exporter: SpanExporter | None = None) -> TracerProvider:
    """A provider for this app; `exporter` (tests) wins over `mode`."""
    provider = TracerProvider(resource=Resource.create({"service.name": "contact-gateway"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif mode == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif mode == "otlp":
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter()))
    return provider


def _otlp_exporter() -> SpanExporter:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found]  # optional extra
            OTLPSpanExporter,
        )
    except ImportError as exc:
        raise RuntimeError("tracing = 'otlp' needs: pip install 'contact-gateway[otlp]'") from exc
    exporter: SpanExporter = OTLPSpanExporter()
    return exporter


def tracer(provider: TracerProvider) -> Tracer:
    return provider.get_tracer("contact_gateway")
