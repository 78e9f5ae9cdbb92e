"""Prometheus metrics of one gateway app (its own registry, served on /metrics).

Labels are closed sets (operation names come from the client's document, so they
are truncated and reduced to identifier characters) and never carry personal data.
"""

from __future__ import annotations

import re
from typing import Final, Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics import MetricWrapperBase

_NAME: Final = re.compile(r"[^A-Za-z0-9_]")
LATENCY_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST


def operation_label(name: str | None) -> str:
    return _NAME.sub("_", name)[:64] if name else "anonymous"


Metric = TypeVar("Metric", bound=MetricWrapperBase)


class Children(Generic[Metric]):
    """A metric's child per label values, found once: `labels()` checks its arguments
    and takes a lock on every call, several times per request."""

    def __init__(self, metric: Metric) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Metric] = {}

    def __call__(self, *values: str) -> Metric:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "contact_gateway_requests",
            "GraphQL requests by operation and outcome (ok, errors, request_error, http_error)",
            ["operation", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "contact_gateway_request_duration_seconds",
            "GraphQL request latency",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream = Counter(
            "contact_gateway_upstream_requests",
            "Upstream HTTP requests by provider and status (or error type)",
            ["provider", "status"],
            registry=r,
        )
        self.upstream_latency = Histogram(
            "contact_gateway_upstream_duration_seconds",
            "Upstream request latency",
            ["provider"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.cache = Counter(
            "contact_gateway_cache_events",
            "Cache hits, misses and evictions",
            ["provider", "event"],
            registry=r,
        )
        self.circuit = Gauge(
            "contact_gateway_circuit_open",
            "1 when a provider's circuit breaker is open or half-open",
            ["provider"],
            registry=r,
        )

        self.requests_of = Children(self.requests)
        self.latency_of = Children(self.latency)
        self.upstream_of = Children(self.upstream)
        self.upstream_latency_of = Children(self.upstream_latency)
        self.cache_of = Children(self.cache)

    def render(self) -> bytes:
        return generate_latest(self.registry)
