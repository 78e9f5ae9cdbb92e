"""IS24 failures through GraphQL: OAuth refusals, injected faults, and hostile answers
(XML bombs, external entities, redirects, oversized bodies) served by a tiny local app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.app import create_app
from providers.is24.sandbox import OTHER_USERNAME, USERNAME
from providers.is24.xml_codec import NS_COMMON
from providers.sandboxing import ServedApp
from tests.gateway.is24_support import API_PREFIX, CREATE, READ, gid, upstream, valid_input
from tests.harness import Gateway, Sandbox, is24_settings, is24_stack

LIST = "{ contacts(provider: IS24, first: 5) { totalCount nodes { nativeId } } }"


def _error(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


# --- OAuth --------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", ["token_secret", "consumer_secret", "access_token"])
async def test_a_wrong_credential_is_provider_auth_failed(wrong: str) -> None:
    async with is24_stack(**{wrong: "not-the-secret"}) as (sandbox, gateway):
        listed = _error(await gateway.gql(LIST))
        assert listed["code"] == "PROVIDER_AUTH_FAILED"
        assert listed["providerCode"] == "ERROR_COMMON_ACCESS_DENIED"
        written = await gateway.gql(CREATE, input=valid_input())
        assert _error(written)["code"] == "PROVIDER_AUTH_FAILED"  # not the caller's fault
        assert {r["status"] for r in await sandbox.requests()} == {401}


async def test_another_users_name_is_refused() -> None:
    async with is24_stack(username=OTHER_USERNAME) as (sandbox, gateway):
        assert _error(await gateway.gql(LIST))["code"] == "PROVIDER_AUTH_FAILED"
        assert [r["status"] for r in await sandbox.requests()] == [403]


async def test_the_users_own_name_works_like_me() -> None:
    async with is24_stack(username=USERNAME) as (sandbox, gateway):
        assert (await gateway.data(LIST))["contacts"]["totalCount"] == 60
        (_, path), *_ = await upstream(sandbox)
        assert path == f"{API_PREFIX}{USERNAME}/contact"


# --- injected faults ----------------------------------------------------------------------


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with is24_stack(total_timeout=0.5) as pair:
        yield pair


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"fail_next": 3, "error_status": 503}, "PROVIDER_UNAVAILABLE"),  # read + 2 retries
        ({"fail_next": 3, "error_status": 500}, "PROVIDER_UNAVAILABLE"),
        ({"malformed_next": 1}, "PROVIDER_ERROR"),
        ({"truncate_next": 1}, "PROVIDER_ERROR"),
        ({"wrong_content_type_next": 1}, "PROVIDER_ERROR"),
        ({"blackhole": True}, "PROVIDER_TIMEOUT"),
    ],
)
async def test_faults_become_typed_errors(
    gateway: Gateway, sandbox: Sandbox, fault: dict[str, Any], code: str
) -> None:
    await sandbox.faults(**fault)
    assert _error(await gateway.gql(LIST))["code"] == code


async def test_rate_limits_carry_retry_after(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.faults(rate_limit_next=1, retry_after_s=30)  # longer than the deadline
    error = _error(await gateway.gql(LIST))
    assert (error["code"], error["retryAfter"]) == ("RATE_LIMITED", 30.0)


async def test_a_failing_write_is_an_error_not_a_user_error(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.faults(fail_next=1, error_status=503)
    body = await gateway.gql(CREATE, input=valid_input())
    assert _error(body)["code"] == "PROVIDER_UNAVAILABLE"
    assert await sandbox.count() == 1  # the list call failed: nothing was written


# --- hostile answers ----------------------------------------------------------------------


class Attacker:
    """A server that must never be contacted: counts every request it gets."""

    def __init__(self) -> None:
        self.hits = 0

    async def __call__(self, request: Request) -> Response:
        self.hits += 1
        return Response("<!ENTITY x 'stolen'>", media_type="application/xml-dtd")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{rest:path}", self, methods=["GET", "POST"])])


def _list_with(inner: str) -> str:
    return (
        f'<common:realtorContactDetailsList xmlns:common="{NS_COMMON}">'
        f"<realtorContactDetails id='124308575'>{inner}</realtorContactDetails>"
        "</common:realtorContactDetailsList>"
    )


def _hostile_bodies(attacker: str) -> dict[str, str]:
    laughs = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    return {
        "billion laughs": f"<?xml version='1.0'?><!DOCTYPE r [{laughs}]>"
        + _list_with("<lastname>&lol9;</lastname><email>a@b.c</email>"),
        "external entity": f'<!DOCTYPE r [<!ENTITY x SYSTEM "{attacker}/entity">]>'
        + _list_with("<lastname>&x;</lastname><email>a@b.c</email>"),
        "external dtd": f'<!DOCTYPE r SYSTEM "{attacker}/dtd">'
        + _list_with("<lastname>x</lastname><email>a@b.c</email>"),
        "parameter entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{attacker}/param"> %p;]>'
        + _list_with("<lastname>x</lastname><email>a@b.c</email>"),
    }


def _serving(body: bytes | str, status: int = 200, **headers: str) -> Starlette:
    media = headers.pop("content_type", "application/xml;charset=UTF-8")

    async def endpoint(request: Request) -> Response:
        return Response(body, status, headers or None, media_type=media)

    return Starlette(routes=[Route("/restapi/{rest:path}", endpoint, methods=["GET", "POST"])])


@asynccontextmanager
async def _gateway_against(app: Starlette, **extra: Any) -> AsyncIterator[Gateway]:
    async with aiohttp.ClientSession() as http, ServedApp(app) as upstream_served:
        settings = is24_settings(f"{upstream_served.base_url}/restapi/api", **extra)
        async with ServedApp(create_app(settings)) as served:
            yield Gateway(served, http)


@pytest.mark.parametrize("media", ["xml", "json"])
@pytest.mark.parametrize("kind", ["billion laughs", "external entity", "external dtd",
                                  "parameter entity"])  # fmt: skip
async def test_hostile_xml_answers_are_refused_unfetched(kind: str, media: str) -> None:
    attacker = Attacker()
    async with ServedApp(attacker.app()) as attacker_served:
        body = _hostile_bodies(attacker_served.base_url)[kind]
        async with _gateway_against(_serving(body), media_type=media) as gateway:
            listed = _error(await gateway.gql(LIST))
            read = _error(await gateway.gql(READ, id=gid("124308575")))
    assert listed["code"] == read["code"] == "PROVIDER_ERROR"
    assert attacker.hits == 0


async def test_redirects_are_not_followed() -> None:
    attacker = Attacker()
    async with ServedApp(attacker.app()) as attacker_served:
        app = _serving("", 302, location=f"{attacker_served.base_url}/steal")
        async with _gateway_against(app) as gateway:
            assert _error(await gateway.gql(LIST))["code"] == "PROVIDER_ERROR"
    assert attacker.hits == 0


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (
            _serving("<html>bad gateway</html>", 502, content_type="text/html"),
            "PROVIDER_UNAVAILABLE",
        ),
        (_serving(b"<x/>" * (3 * 1024 * 1024)), "PROVIDER_ERROR"),  # 12 MiB: over the cap
        (_serving('{"common.messages": []}', content_type="application/json"), "PROVIDER_ERROR"),
        (_serving("<html>hi</html>", content_type="text/html"), "PROVIDER_ERROR"),
        (_serving("", 418), "PROVIDER_ERROR"),
    ],
    ids=["html 502", "oversized", "wrong document", "wrong content type", "unknown status"],
)
async def test_unreadable_answers(app: Starlette, code: str) -> None:
    async with _gateway_against(app) as gateway:
        assert _error(await gateway.gql(LIST))["code"] == code
