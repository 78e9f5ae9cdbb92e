"""Upstream resilience through the gateway, against real sandboxes with injected faults:
reads retried (and only reads), Retry-After honoured within the request deadline, the
retry budget, a hanging provider isolated, the concurrency bound and the rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from pydantic import SecretStr

import providers.autodns.sandbox as autodns_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import AutoDnsSettings
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, spark_settings, spark_stack

FRESH_LIST = "{ contacts(first: 5, cache: {policy: FRESH_ONLY}) { totalCount } }"
SPARK_ONLY = "{ contacts(provider: SPARK, first: 5) { totalCount } }"
AUTODNS_ONLY = "{ contacts(provider: AUTODNS, first: 5) { nodes { id } } }"
MERGED = "{ contacts(first: 10) { nodes { provider } } }"
HEALTH = "{ providers { health { status lastErrorCode circuitState } } }"
CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } }
}"""
NEW_CONTACT = {
    "provider": "SPARK",
    "displayName": "Ada Lovelace",
    "emails": [{"address": "ada.lovelace@example.org"}],
}


def _code(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    return str(error["extensions"]["code"])


async def _health(gateway: Gateway) -> dict[str, Any]:
    health: dict[str, Any] = (await gateway.data(HEALTH))["providers"][0]["health"]
    return health


async def _max_in_flight(sandbox: Sandbox) -> int:
    async with sandbox.http.get(f"{sandbox.base_url}/_sandbox/requests") as resp:
        return int((await resp.json())["max_in_flight"])


# --- retries: reads only ------------------------------------------------------------------


async def test_a_read_recovers_after_two_server_errors(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(fail_next=2, error_status=503)
    data = await gateway.data(FRESH_LIST)
    assert data["contacts"]["totalCount"] > 0
    assert [r["status"] for r in await sandbox.requests()] == [503, 503, 200]


async def test_a_read_gives_up_after_three_attempts(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(fail_next=10, error_status=503)
    assert _code(await gateway.gql(FRESH_LIST)) == "PROVIDER_UNAVAILABLE"
    assert await sandbox.count() == 3  # the read and at most 2 retries
    assert (await _health(gateway))["circuitState"] == "CLOSED"


async def test_a_write_is_never_retried(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(fail_next=1, error_status=503)
    body = await gateway.gql(CREATE, input=NEW_CONTACT)
    assert _code(body) == "PROVIDER_UNAVAILABLE"
    assert [(r["method"], r["status"]) for r in await sandbox.requests()] == [("POST", 503)]


async def test_each_attempt_counts_for_the_breaker(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(fail_next=5, error_status=503)
    for _ in range(2):  # 3 failed attempts, then 2 more: 5 in a row open the breaker
        assert _code(await gateway.gql(FRESH_LIST)) == "PROVIDER_UNAVAILABLE"
    assert await sandbox.count() == 5
    assert (await _health(gateway))["circuitState"] == "OPEN"
    await sandbox.forget()
    assert "circuit open" in (await gateway.gql(FRESH_LIST))["errors"][0]["message"]
    assert await sandbox.count() == 0


# --- Retry-After --------------------------------------------------------------------------


async def test_retry_after_is_slept_when_it_fits(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(rate_limit_next=1, retry_after_s=1)  # Spark says at least 1 s
    started = time.perf_counter()
    data = await gateway.data(FRESH_LIST)
    assert time.perf_counter() - started >= 1.0
    assert data["contacts"]["totalCount"] > 0
    assert [r["status"] for r in await sandbox.requests()] == [429, 200]
    health = await _health(gateway)
    assert (health["lastErrorCode"], health["circuitState"]) == (None, "CLOSED")


async def test_a_retry_after_beyond_the_deadline_fails_fast(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.faults(rate_limit_next=1, retry_after_s=30)
    started = time.perf_counter()
    body = await gateway.gql(FRESH_LIST)
    assert time.perf_counter() - started < 1.0
    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["retryAfter"]) == ("RATE_LIMITED", 30)
    assert await sandbox.count() == 1


# --- the retry budget ---------------------------------------------------------------------


async def test_the_retry_budget_caps_extra_load() -> None:
    calls = 40
    # A breaker that never opens here, so what limits the retries is the budget alone.
    lenient = {"circuit_consecutive_failures": 1000, "circuit_failure_rate": 1.0}
    async with spark_stack(**lenient) as (sandbox, gateway):
        await sandbox.faults(error_rate=0.5, error_status=503)  # unbudgeted: ~1.75 per call
        for _ in range(calls):
            await gateway.gql(FRESH_LIST)
        sent = await sandbox.count()
        assert (await _health(gateway))["circuitState"] == "CLOSED"
    assert calls < sent <= 1.2 * calls + 3  # retries happened, within 20 % (+ a floor of 3)


# --- the circuit breaker ------------------------------------------------------------------


async def test_an_open_circuit_lets_only_probes_through() -> None:
    async with spark_stack(circuit_open_seconds=0.3) as (sandbox, gateway):
        await sandbox.faults(fail_next=5, error_status=503)
        for _ in range(2):  # 3 + 2 failed attempts open it
            await gateway.gql(FRESH_LIST)
        await sandbox.forget()
        assert "circuit open" in (await gateway.gql(FRESH_LIST))["errors"][0]["message"]
        assert await sandbox.count() == 0
        await asyncio.sleep(0.35)  # half-open: 3 probes, then closed again
        await sandbox.faults(latency_ms=300)  # the probes are still out when the rest arrive
        bodies = await asyncio.gather(*(gateway.gql(FRESH_LIST) for _ in range(6)))
        assert await sandbox.count() == 3
        assert sum("errors" not in body for body in bodies) == 3
        assert (await _health(gateway))["circuitState"] == "CLOSED"
        assert (await gateway.data(FRESH_LIST))["contacts"]["totalCount"] > 0


# --- a hanging provider -------------------------------------------------------------------


@asynccontextmanager
async def _two_providers(**top: Any) -> AsyncIterator[tuple[Gateway, Sandbox, Sandbox]]:
    """Spark and AutoDNS behind one gateway; `top` are gateway-level settings."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as spark,
        ServedApp(autodns_sandbox.create_autodns_sandbox().app) as autodns,
    ):
        autodns_account = AutoDnsSettings(
            base_url=f"{autodns.base_url}/v1",
            user=autodns_sandbox.USER,
            password=SecretStr(autodns_sandbox.PASSWORD),
            context=autodns_sandbox.CONTEXT,
        )
        settings = spark_settings(spark.base_url).model_copy(
            update={"autodns": autodns_account, **top}
        )
        async with ServedApp(create_app(settings)) as served:
            yield Gateway(served, http), Sandbox(spark, http), Sandbox(autodns, http)


async def _timed(gateway: Gateway, query: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    body = await gateway.gql(query)
    return time.perf_counter() - started, body


async def test_a_hanging_provider_times_out_and_leaves_the_others_alone() -> None:
    async with _two_providers(request_deadline=1.5) as (gateway, spark, _autodns):
        baseline = min([(await _timed(gateway, AUTODNS_ONLY))[0] for _ in range(3)])
        await spark.faults(blackhole=True)
        hanging = [asyncio.create_task(_timed(gateway, SPARK_ONLY)) for _ in range(5)]
        await asyncio.sleep(0.1)
        during = [await _timed(gateway, AUTODNS_ONLY) for _ in range(5)]
        merged_seconds, merged = await _timed(gateway, MERGED)
        stuck = await asyncio.gather(*hanging)
    assert all(body["data"]["contacts"]["nodes"] for _, body in during)
    assert max(seconds for seconds, _ in during) < baseline + 0.25
    assert {n["provider"] for n in merged["data"]["contacts"]["nodes"]} == {"AUTODNS"}
    assert _code(merged) == "PROVIDER_TIMEOUT"
    assert 1.3 < merged_seconds < 2.2  # the request deadline, not aiohttp's 300 s
    assert all(_code(body) == "PROVIDER_TIMEOUT" for _, body in stuck)
    assert all(seconds < 2.2 for seconds, _ in stuck)


# --- concurrency bound and rate limit -----------------------------------------------------


async def _concurrently(gateway: Gateway, query: str, n: int) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    bodies = await asyncio.gather(*(gateway.data(query) for _ in range(n)))
    return time.perf_counter() - started, bodies


async def test_at_most_max_concurrent_requests_are_in_flight() -> None:
    async with spark_stack(max_concurrent=2) as (sandbox, gateway):
        await sandbox.faults(latency_ms=150)
        seconds, bodies = await _concurrently(gateway, FRESH_LIST, 6)
        assert all(b["contacts"]["totalCount"] > 0 for b in bodies)
        assert await _max_in_flight(sandbox) == 2
        assert await sandbox.count() == 6
        assert seconds >= 3 * 0.15  # three waves of two


async def test_the_rate_limit_spaces_requests() -> None:
    async with spark_stack(rate_limit_per_second=10, rate_limit_burst=1) as (sandbox, gateway):
        seconds, bodies = await _concurrently(gateway, FRESH_LIST, 5)
        assert all(b["contacts"]["totalCount"] > 0 for b in bodies)
        assert await sandbox.count() == 5
        assert seconds >= 0.35  # one at once, then one per 100 ms


async def test_waiting_for_the_rate_limit_ends_with_the_deadline() -> None:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as served,
    ):
        settings = spark_settings(
            served.base_url, rate_limit_per_second=1, rate_limit_burst=1
        ).model_copy(update={"request_deadline": 0.5})
        async with ServedApp(create_app(settings)) as gateway_served:
            gateway, sandbox = Gateway(gateway_served, http), Sandbox(served, http)
            results = await asyncio.gather(*(_timed(gateway, FRESH_LIST) for _ in range(3)))
            assert await sandbox.count() == 1  # the others never left the gateway
    codes = sorted("ok" if "errors" not in body else _code(body) for _, body in results)
    assert codes == ["PROVIDER_TIMEOUT", "PROVIDER_TIMEOUT", "ok"]
    assert all(seconds < 1.0 for seconds, _ in results)
