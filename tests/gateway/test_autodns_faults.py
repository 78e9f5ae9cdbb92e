"""AutoDNS failures become typed GraphQL errors carrying the stid, never a crash."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from gateway.app import create_app
from providers.sandboxing import ServedApp
from tests.gateway.autodns_support import CREATE, valid_input
from tests.harness import Gateway, Sandbox, autodns_settings, autodns_stack

STID = re.compile(r"\d{8}-app1-sbx-\d{6}")
LIST = "{ contacts(provider: AUTODNS, first: 5) { totalCount nodes { id } } }"


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with autodns_stack() as pair:
        yield pair


async def _list_error(gateway: Gateway) -> dict[str, object]:
    body = await gateway.gql(LIST)
    assert body["data"] == {"contacts": None}
    (error,) = body["errors"]
    assert error["path"] == ["contacts"] and "Traceback" not in str(error)
    extensions: dict[str, object] = error["extensions"]
    assert extensions["provider"] == "AUTODNS"
    return extensions


async def _create_error(gateway: Gateway, **overrides: object) -> dict[str, object]:
    body = await gateway.gql(CREATE, input=valid_input(**overrides))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["path"] == ["createContact"] and "Traceback" not in str(error)
    extensions: dict[str, object] = error["extensions"]
    return extensions


@pytest.mark.parametrize(
    ("alias", "code"), [("__internal_error_13__", "EF03013"), ("__internal_error_14__", "EF03014")]
)
async def test_internal_errors_are_provider_errors_with_the_stid(
    gateway: Gateway, alias: str, code: str
) -> None:
    extensions = await _create_error(gateway, autodns={"alias": alias, "type": "PERSON"})
    assert (extensions["code"], extensions["providerCode"]) == ("PROVIDER_ERROR", code)
    assert STID.fullmatch(str(extensions["traceId"]))
    health = await gateway.data("{ providers { health { status lastErrorCode } } }")
    assert health["providers"][0]["health"] == {"status": "DOWN", "lastErrorCode": "PROVIDER_ERROR"}


@pytest.mark.parametrize("fault", ["malformed_next", "truncate_next", "wrong_content_type_next"])
async def test_unreadable_answers_are_provider_errors(
    gateway: Gateway, sandbox: Sandbox, fault: str
) -> None:
    await sandbox.faults(**{fault: 1})
    assert (await _list_error(gateway))["code"] == "PROVIDER_ERROR"
    await sandbox.faults(**{fault: 1})
    # AutoDNS did create it; only the answer was lost: the gateway says the outcome is
    # unknown (a retry with an idempotency key would reconcile). Retrying without one is
    # refused as the same contact (EF03020), naming it: no second handle by accident.
    assert (await _create_error(gateway))["code"] == "OUTCOME_UNKNOWN"
    assert (await gateway.data(LIST))["contacts"]["totalCount"] == 121
    retry = (await gateway.data(CREATE, input=valid_input()))["createContact"]
    assert [e["providerCode"] for e in retry["userErrors"]] == ["EF03020"]


async def test_server_errors_are_unavailable_with_the_stid(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.faults(fail_next=3, error_status=502)  # the read and its 2 retries
    extensions = await _list_error(gateway)
    assert (extensions["code"], extensions["providerCode"]) == ("PROVIDER_UNAVAILABLE", "EF00500")
    assert STID.fullmatch(str(extensions["traceId"]))


async def test_rate_limits_carry_retry_after_and_the_stid(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.faults(rate_limit_next=1, retry_after_s=29.5)  # longer than the deadline
    extensions = await _list_error(gateway)
    assert (extensions["code"], extensions["retryAfter"]) == ("RATE_LIMITED", 30)
    assert STID.fullmatch(str(extensions["traceId"]))


@pytest.mark.parametrize(
    "credentials", [{"password": "wrong"}, {"user": "nobody"}, {"context": "5"}]
)
async def test_a_bad_gateway_credential_is_provider_auth_failed(
    credentials: dict[str, str],
) -> None:
    async with autodns_stack(**credentials) as (_, gateway):
        extensions = await _list_error(gateway)
    assert (extensions["code"], extensions["providerCode"]) == ("PROVIDER_AUTH_FAILED", "EF00000")
    assert STID.fullmatch(str(extensions["traceId"]))


async def test_a_hanging_autodns_times_out() -> None:
    async with autodns_stack(total_timeout=0.3) as (sandbox, gateway):
        await sandbox.faults(blackhole=True)
        assert (await _list_error(gateway))["code"] == "PROVIDER_TIMEOUT"
        await sandbox.faults(blackhole=False)


async def test_unreachable_autodns_is_unavailable(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = autodns_settings(f"http://127.0.0.1:{port}/v1", tmp_path)
    async with aiohttp.ClientSession() as http, ServedApp(create_app(settings)) as served:
        extensions = await _list_error(Gateway(served, http))
    assert extensions["code"] == "PROVIDER_UNAVAILABLE"
