"""What every request pays outside its resolvers is kept small without changing answers:
remembered estimates follow the variables they read, untraced apps make no spans, and the
access line stays a JSON line with the request's fields."""

from __future__ import annotations

import gc
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import strawberry
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.collector import YOUNG_THRESHOLD
from gateway.graphql_request import (
    GRAPHQL_RESPONSE,
    JSON,
    BadRequest,
    load_body,
    load_json,
    response_media_type,
)
from gateway.logs import JsonFormatter
from gateway.settings import LimitSettings
from gateway.telemetry import GatewayTelemetry, OperationOutcome
from providers.model import ProviderName
from providers.registry import ProviderSet
from providers.sandboxing import ServedApp
from resolvers.context import GatewayContext
from resolvers.extension_runner import CachedHooksRunner
from resolvers.loaders import ContactLoaders
from schema.ids import encode_global_id
from tests.harness import Gateway, Sandbox, spark_settings

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
    headers = {"Accept": GRAPHQL_RESPONSE}
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


class _Recorder:
    """Extensions of every hook kind Strawberry accepts, noting what runs when."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def extensions(self) -> list[type[SchemaExtension]]:
        events = self.events

        class Generator(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                events.append("generator operation in")
                yield
                events.append("generator operation out")

            def on_execute(self) -> Iterator[None]:
                events.append("generator execute in")
                yield
                events.append("generator execute out")

        class AsyncGenerator(SchemaExtension):
            async def on_parse(self) -> AsyncIterator[None]:
                events.append("async generator parse in")
                yield
                events.append("async generator parse out")

        class Plain(SchemaExtension):
            def on_validate(self) -> None:  # type: ignore[override]  # Strawberry accepts plain hooks
                events.append("plain validate")

        class Awaited(SchemaExtension):
            async def on_operation(self) -> None:  # type: ignore[override]  # and async ones
                events.append("awaited operation")

        return [Generator, AsyncGenerator, Plain, Awaited]


@strawberry.type
class _Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("boom")


class _CachedSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return CachedHooksRunner(execution_context, extensions)


@pytest.mark.parametrize("query", ["{ hello }", "{ broken }", "{ nope }", "{"])
async def test_hooks_run_as_strawberrys_own_runner_runs_them(query: str) -> None:
    """Same hooks, same order, same result, for success, a resolver error, a validation
    error and a syntax error; twice, so the second run uses the remembered hooks."""
    outcomes = []
    for schema_class in (strawberry.Schema, _CachedSchema, _CachedSchema):
        recorder = _Recorder()
        schema = schema_class(query=_Query, extensions=recorder.extensions())
        result = await schema.execute(query)
        errors = [e.message for e in result.errors or ()]
        outcomes.append((recorder.events, result.data, errors))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert outcomes[0][0], "the hooks ran"


async def test_the_collector_is_tuned_while_an_app_serves() -> None:
    """Start-up's objects are frozen and young collections rarer while any app serves;
    the last app to stop puts the collector back as it was."""
    found = gc.get_threshold()
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox,
    ):
        first = ServedApp(create_app(spark_settings(sandbox.base_url)))
        second = ServedApp(create_app(spark_settings(sandbox.base_url)))
        async with first as served:
            assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, found[0])
            assert gc.get_freeze_count() > 0
            async with second:
                pass
            assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, found[0]), "one still serves"
            async with http.post(
                served.base_url + "/graphql", json={"query": "{ __typename }"}
            ) as r:
                assert await r.json() == {"data": {"__typename": "Query"}}
    assert gc.get_threshold() == found
    assert gc.get_freeze_count() == 0


def test_metrics_count_per_label_values_through_remembered_children() -> None:
    telemetry = GatewayTelemetry.create("off")
    for name, outcome in [("A", "ok"), ("A", "ok"), ("A", "errors"), (None, "ok")]:
        telemetry.operation_done(OperationOutcome(name, outcome), 0.002)
    text = telemetry.metrics.render().decode()
    assert 'contact_gateway_requests_total{operation="A",outcome="ok"} 2.0' in text
    assert 'contact_gateway_requests_total{operation="A",outcome="errors"} 1.0' in text
    assert 'contact_gateway_requests_total{operation="anonymous",outcome="ok"} 1.0' in text
    assert 'contact_gateway_request_duration_seconds_count{operation="A"} 3.0' in text


BODIES = [
    b'{"query": "{ a }", "variables": {"n": 5, "f": 1.5, "s": "\\u00e9\\ud83d\\ude00", "l": []}}',
    b'{"a": 1, "a": 2}',
    b'{"big": 123456789012345678901234567890, "tiny": 1.5e-400, "neg": -0.0}',
    b'{"nan": NaN, "inf": Infinity, "huge": 1e400}',
    b'{"\\u0000": "x\\ty"}',
    '{"raw": "caf\u00e9 \U0001f600"}'.encode(),
    b"[" * 800 + b"]" * 800,
]


@pytest.mark.parametrize("body", BODIES)
def test_bodies_decode_as_the_standard_library_decodes_them(body: bytes) -> None:
    assert repr(load_body(body)) == repr(load_json(body.decode("utf-8")))


@pytest.mark.parametrize(
    "body",
    [b'"\\ud800"', b'{"a": "\\udc00x"}', b"[" * 5000 + b"]" * 5000, b"{,}", b"\xef\xbb\xbf{}"],
)
def test_bodies_the_standard_library_refuses_are_refused_alike(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # which ValueError is load_json's to say
        load_json(body.decode("utf-8"))
    with pytest.raises(ValueError):  # noqa: PT011
        load_body(body)


def test_bodies_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(UnicodeDecodeError):
        load_body(b'{"a": "\xff"}')


def _accepting(accept: str) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [(b"accept", accept.encode())]})


def test_remembered_accept_values_answer_as_before() -> None:
    long_json = ", ".join(f"text/x-{i}" for i in range(40)) + ", application/json"
    for _ in range(2):  # the second time from memory (or measured again: too long to keep)
        assert response_media_type(_accepting("*/*")) == JSON
        assert (
            response_media_type(_accepting(f"{JSON};q=0.9, {GRAPHQL_RESPONSE}")) == GRAPHQL_RESPONSE
        )
        assert response_media_type(_accepting(long_json)) == JSON
        with pytest.raises(BadRequest) as refused:
            response_media_type(_accepting("text/html"))
        assert refused.value.status == 406


def test_a_contexts_loaders_are_made_once_when_first_asked_for() -> None:
    context = GatewayContext(request=None, providers=ProviderSet({}))
    assert context._loaders is None and context._identities is None, "nothing made up front"
    loaders, identities = context.loaders, context.identities
    assert context.loaders is loaders and context.expansions is loaders
    assert context.identities is identities
    replacement = ContactLoaders(context.providers, context.reads)
    context.loaders = replacement  # a subscription's next event gets new ones
    assert context.loaders is replacement
