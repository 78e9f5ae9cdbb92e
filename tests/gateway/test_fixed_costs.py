"""What every request pays outside its resolvers is kept small without changing answers:
remembered estimates follow the variables they read, untraced apps make no spans, and the
access line stays a JSON line with the request's fields."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.logs import JsonFormatter
from gateway.settings import LimitSettings
from gateway.telemetry import GatewayTelemetry, OperationOutcome
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from schema.ids import encode_global_id
from tests.harness import Gateway, Sandbox, spark_settings

GQL_RESPONSE = "application/graphql-response+json"
PAGE = "query($n: Int = 100) { contacts(provider: SPARK, first: $n) { totalCount } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


@asynccontextmanager
async def budgeted(calls: int) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """A Spark sandbox behind a gateway that allows `calls` provider calls per request."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox,
    ):
        settings = spark_settings(sandbox.base_url).model_copy(
            update={"limits": LimitSettings(max_upstream_calls=calls)}
        )
        async with ServedApp(create_app(settings)) as gateway:
            yield Sandbox(sandbox, http), Gateway(gateway, http)


async def _post(gateway: Gateway, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    body = {"query": query, "variables": variables}
    headers = {"Accept": GQL_RESPONSE}
    async with gateway.http.post(gateway.url, json=body, headers=headers) as resp:
        answer: dict[str, Any] = await resp.json(content_type=None)
        return resp.status, answer


def _refused_with(answer: dict[str, Any]) -> int | None:
    """The estimate a refusal before execution reports (None: the operation ran)."""
    if "data" in answer:
        return None
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED", error
    return int(error["extensions"]["actual"])


async def test_a_remembered_estimate_follows_the_variables_it_read() -> None:
    """Spark pages by 25: first 50 is 2 calls, 100 is 4, 75 is 3 (budget 3). The same
    document alternates between passing and being refused with its variables, and the
    default (100) applies whenever `n` is not sent."""
    async with budgeted(3) as (sandbox, gateway):
        verdicts = []
        for variables in ({"n": 50}, {"n": 100}, {"n": 50}, {}, {"n": 75}, {}, {"n": 50}):
            before = await sandbox.count()
            status, answer = await _post(gateway, PAGE, **variables)
            refused = _refused_with(answer)
            assert refused is None or await sandbox.count() == before, "refused: no call"
            verdicts.append((status, refused))
    passes, refused_at_4 = (200, None), (400, 4)
    assert verdicts == [passes, refused_at_4, passes, refused_at_4, passes, refused_at_4, passes]


async def test_lists_of_ids_are_priced_each_time() -> None:
    """Spark reads 25 ids per call: 10 ids fit a budget of 1, 30 do not, whatever came
    before (list values are never answered from memory). The ids do not exist: the
    10 run (and Spark's one-by-one reads of missing ids meet the budget while running)."""
    ids = [encode_global_id(ProviderName.SPARK, f"2011010100000000000{i:04d}") for i in range(30)]
    async with budgeted(1) as (_, gateway):
        seen = []
        for count in (10, 30, 10, 30):
            status, answer = await _post(gateway, NODES, ids=ids[:count])
            seen.append((status, _refused_with(answer)))
    assert seen == [(200, None), (400, 2), (200, None), (400, 2)]


def test_an_untraced_app_makes_no_spans() -> None:
    untraced = GatewayTelemetry.create("off")
    with untraced.operation_span() as span:
        assert not span.is_recording()
    assert untraced.call_started(ProviderName.SPARK, "GET", "/contacts") is None

    exporter = InMemorySpanExporter()
    traced = GatewayTelemetry.create("off", exporter)
    with traced.operation_span() as span:
        assert span.is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["graphql.operation"]


def test_the_access_line_is_one_json_object(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="contact_gateway.requests")
    GatewayTelemetry.create("off").operation_done(OperationOutcome("Listing", "ok"), 0.0123)
    (record,) = [r for r in caplog.records if r.name == "contact_gateway.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line | {"ts": None, "request_id": None} == {
        "ts": None,
        "level": "info",
        "logger": "contact_gateway.requests",
        "msg": "graphql request",
        "request_id": None,
        "ms": 12.3,
        "operation": "Listing",
        "outcome": "ok",
    }
    expected = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    assert abs(_seconds(line["ts"]) - _seconds(expected)) < 0.002


def test_timestamps_roll_over_with_the_second_and_odd_text_still_logs() -> None:
    formatter = JsonFormatter()
    stamps = []
    for created in (1_700_000_000.25, 1_700_000_000.999, 1_700_000_001.0, 1_700_000_061.5):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        stamps.append(json.loads(formatter.format(record))["ts"])
    assert stamps == [
        "2023-11-14T22:13:20.250+00:00",
        "2023-11-14T22:13:20.999+00:00",
        "2023-11-14T22:13:21.000+00:00",
        "2023-11-14T22:14:21.500+00:00",
    ]
    lone = logging.LogRecord("x", logging.INFO, __file__, 1, "half \ud800 a pair", (), None)
    assert json.loads(formatter.format(lone))["msg"] == "half \ud800 a pair"


def _seconds(stamp: str) -> float:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", stamp), stamp
    return datetime.fromisoformat(stamp).timestamp()
