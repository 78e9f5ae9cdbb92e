"""Provider failures become typed GraphQL errors on the failing field, never a 500."""

from __future__ import annotations

import socket

import aiohttp

from gateway.app import create_app
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, spark_settings, spark_stack

LIST = "{ contacts(provider: SPARK, first: 5) { totalCount nodes { id } } }"


async def _error(gateway: Gateway) -> dict[str, object]:
    body = await gateway.gql(LIST)
    assert body["data"] == {"contacts": None}
    (error,) = body["errors"]
    assert error["path"] == ["contacts"]
    assert "Traceback" not in str(error)
    extensions: dict[str, object] = error["extensions"]
    return extensions


async def test_server_error_is_provider_unavailable(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(fail_next=3, error_status=503)  # the read and its 2 retries
    extensions = await _error(gateway)
    assert extensions["code"] == "PROVIDER_UNAVAILABLE"
    assert extensions["provider"] == "SPARK"
    assert extensions["providerCode"] == "1510"
    assert (await gateway.data(LIST))["contacts"]["totalCount"] > 0


async def test_rate_limit_carries_retry_after(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(rate_limit_next=1, retry_after_s=30)  # longer than the deadline
    extensions = await _error(gateway)
    assert extensions["code"] == "RATE_LIMITED"
    assert extensions["retryAfter"] == 30
    assert extensions["providerCode"] == "1550"


async def test_malformed_and_truncated_bodies_are_provider_errors(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    for fault in ("malformed_next", "truncate_next", "wrong_content_type_next"):
        await sandbox.faults(**{fault: 1})
        extensions = await _error(gateway)
        assert extensions["code"] == "PROVIDER_ERROR", fault


async def test_a_hanging_provider_times_out() -> None:
    async with spark_stack(total_timeout=0.3) as (slow_sandbox, gateway):
        await slow_sandbox.faults(blackhole=True)
        extensions = await _error(gateway)
        assert extensions["code"] == "PROVIDER_TIMEOUT"
        await slow_sandbox.faults(blackhole=False)
        health = await gateway.data("{ providers { health { status lastErrorCode } } }")
        assert health["providers"][0]["health"]["lastErrorCode"] == "PROVIDER_TIMEOUT"


async def test_unreachable_provider_is_unavailable() -> None:
    async with aiohttp.ClientSession() as http:
        settings = spark_settings(f"http://127.0.0.1:{_closed_port()}")
        async with ServedApp(create_app(settings)) as served:
            extensions = await _error(Gateway(served, http))
    assert extensions["code"] == "PROVIDER_UNAVAILABLE"


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_the_breaker_opens_and_the_provider_then_sees_nothing(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    query = "{ contacts(first: 5, cache: {policy: FRESH_ONLY}) { totalCount } }"
    await sandbox.faults(fail_next=5)
    for _ in range(5):
        body = await gateway.gql(query)
        assert body["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    await sandbox.forget()
    body = await gateway.gql(query)
    assert "circuit open" in body["errors"][0]["message"]
    assert await sandbox.count() == 0
    health = await gateway.data("{ providers { health { circuitState status } } }")
    assert health["providers"][0]["health"]["circuitState"] == "OPEN"
    async with gateway.http.get(f"{gateway.served.base_url}/metrics") as resp:
        assert 'contact_gateway_circuit_open{provider="SPARK"} 1.0' in await resp.text()


async def test_rate_limits_do_not_open_the_breaker(gateway: Gateway, sandbox: Sandbox) -> None:
    query = "{ contacts(first: 5, cache: {policy: FRESH_ONLY}) { totalCount } }"
    await sandbox.faults(rate_limit_next=6, retry_after_s=30)  # each fails fast, unretried
    for _ in range(6):
        body = await gateway.gql(query)
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert (await gateway.data(query))["contacts"]["totalCount"] > 0
