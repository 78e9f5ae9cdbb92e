"""Request ids, /metrics, spans, /healthz and /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, spark_settings

QUERY = "query Listing { contacts(first: 3) { nodes { displayName emails { address } } } }"


@pytest.fixture
async def traced() -> AsyncIterator[tuple[Sandbox, Gateway, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
    ):
        app = create_app(spark_settings(sandbox_served.base_url), span_exporter=exporter)
        async with ServedApp(app) as served:
            yield Sandbox(sandbox_served, http), Gateway(served, http), exporter


async def test_every_response_has_a_request_id(gateway: Gateway) -> None:
    async with gateway.http.post(gateway.url, json={"query": "{ nope }"}) as resp:
        generated = resp.headers["X-Request-Id"]
        body = await resp.json()
    assert len(generated) == 32
    assert body["errors"][0]["extensions"]["requestId"] == generated
    mine = "client-abc-12345"
    async with gateway.http.post(
        gateway.url, json={"query": "{ nope }"}, headers={"X-Request-Id": mine}
    ) as resp:
        assert resp.headers["X-Request-Id"] == mine
    async with gateway.http.post(
        gateway.url, json={"query": "{ nope }"}, headers={"X-Request-Id": "bad id\twith junk"}
    ) as resp:
        assert resp.headers["X-Request-Id"] != "bad id\twith junk"


async def test_metrics_count_operations_and_upstream_calls(gateway: Gateway) -> None:
    await gateway.data(QUERY)
    await gateway.gql("{ nope }")
    async with gateway.http.get(f"{gateway.served.base_url}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    assert 'contact_gateway_requests_total{operation="Listing",outcome="ok"} 1.0' in text
    assert 'outcome="request_error"' in text
    assert 'contact_gateway_upstream_requests_total{provider="SPARK",status="200"}' in text
    assert "contact_gateway_request_duration_seconds_bucket" in text


async def test_spans_per_operation_and_upstream_call_without_personal_data(
    traced: tuple[Sandbox, Gateway, InMemorySpanExporter],
) -> None:
    _, gateway, exporter = traced
    data = await gateway.data(QUERY)
    names = [n["displayName"] for n in data["contacts"]["nodes"]]
    spans = exporter.get_finished_spans()
    operation = [s for s in spans if s.name == "graphql.operation"]
    upstream = [s for s in spans if s.name == "upstream SPARK"]
    assert len(operation) == 1
    assert operation[0].attributes is not None
    assert operation[0].attributes["graphql.outcome"] == "ok"
    assert len(upstream) == 1
    assert upstream[0].attributes is not None
    assert upstream[0].attributes["http.response.status_code"] == 200
    assert upstream[0].parent is not None
    assert upstream[0].parent.span_id == operation[0].context.span_id
    events = [dict(e.attributes or {}) for e in operation[0].events if e.name == "cache"]
    assert {"provider": "SPARK", "cache.result": "miss"} in events
    recorded = repr([dict(s.attributes or {}) for s in spans])
    for name in names:
        assert name not in recorded


async def test_healthz_and_readyz(gateway: Gateway, sandbox: Sandbox) -> None:
    base = gateway.served.base_url
    async with gateway.http.get(f"{base}/healthz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"
    async with gateway.http.get(f"{base}/readyz") as resp:
        assert resp.status == 200
        assert (await resp.json())["providers"] == {"SPARK": "ok"}
    await sandbox.faults(fail_next=1)
    async with gateway.http.get(f"{base}/readyz") as resp:
        assert resp.status == 503
        assert (await resp.json())["providers"] == {"SPARK": "PROVIDER_UNAVAILABLE"}


async def test_log_lines_carry_the_request_id(
    gateway: Gateway, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    from gateway.logs import RequestIdFilter

    handler_filter = RequestIdFilter()
    caplog.handler.addFilter(handler_filter)
    caplog.set_level(logging.INFO)
    await sandbox.faults(fail_next=1)
    async with gateway.http.post(
        gateway.url, json={"query": QUERY}, headers={"X-Request-Id": "trace-me-0001"}
    ) as resp:
        await resp.read()
    records = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-me-0001"]
    assert records, [r.getMessage() for r in caplog.records]
