"""Browsers: CORS for exact origins only; no state change from a cross-site simple request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from gateway.auth_settings import CorsSettings
from tests.gateway.auth_support import AuthedGateway, authed_gateway

APP = "https://app.example"
MUTATION = (
    'mutation { createContact(input: {provider: SPARK, displayName: "CSRF"}) { contact { id } } }'
)
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-api-key",
}


@pytest.fixture
async def gateway() -> AsyncIterator[AuthedGateway]:
    """Embedded sandboxes, auth open (the riskiest case for CSRF), one allowed origin."""
    cors = CorsSettings(allow_origins=(APP,), max_age=300)
    async with authed_gateway(cors=cors) as running:
        await running.sandbox("spark").forget()
        yield running


async def _preflight(gateway: AuthedGateway, origin: str) -> aiohttp.ClientResponse:
    headers = {"Origin": origin, **PREFLIGHT}
    async with gateway.http.options(gateway.url, headers=headers) as resp:
        await resp.read()
        return resp


async def test_preflight_from_the_configured_origin_is_allowed(gateway: AuthedGateway) -> None:
    resp = await _preflight(gateway, APP)
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == APP
    assert resp.headers["Access-Control-Max-Age"] == "300"
    assert "x-api-key" in resp.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://app.example", "https://app.example.evil.example", "null"],
)
async def test_preflight_from_any_other_origin_is_denied(
    gateway: AuthedGateway, origin: str
) -> None:
    resp = await _preflight(gateway, origin)
    assert resp.status == 400
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_answers_name_only_the_allowed_origin(gateway: AuthedGateway) -> None:
    query = {"query": "{ contacts(first: 0) { totalCount } }"}
    for origin, allowed in ((APP, True), ("https://evil.example", False)):
        headers = {"Origin": origin}
        async with gateway.http.post(gateway.url, json=query, headers=headers) as resp:
            assert resp.status == 200
            assert (resp.headers.get("Access-Control-Allow-Origin") == APP) is allowed


async def test_without_cors_settings_no_origin_is_allowed() -> None:
    async with authed_gateway() as gateway:
        resp = await _preflight(gateway, APP)
        assert "Access-Control-Allow-Origin" not in resp.headers
        assert resp.status >= 400


async def test_the_credentials_flag_is_passed_on() -> None:
    cors = CorsSettings(allow_origins=(APP,), allow_credentials=True)
    async with authed_gateway(cors=cors) as gateway:
        resp = await _preflight(gateway, APP)
        assert resp.headers["Access-Control-Allow-Credentials"] == "true"


def _bodies() -> list[tuple[str, bytes | aiohttp.FormData, str | None]]:
    payload = json.dumps({"query": MUTATION})
    multipart = aiohttp.FormData()
    multipart.add_field("operations", payload)
    multipart.add_field("map", "{}")
    return [
        ("text/plain", payload.encode(), "text/plain;charset=UTF-8"),
        ("form", f"query={MUTATION}".encode(), "application/x-www-form-urlencoded"),
        ("multipart", multipart, None),
        ("no content type", payload.encode(), None),
    ]


@pytest.mark.parametrize(("label", "body", "content_type"), _bodies(), ids=lambda v: str(v)[:20])
async def test_simple_posts_are_refused_without_a_provider_call(
    gateway: AuthedGateway, label: str, body: bytes | aiohttp.FormData, content_type: str | None
) -> None:
    headers = {"Origin": "https://evil.example"}
    skip: list[str] = []
    if content_type:
        headers["Content-Type"] = content_type
    elif label == "no content type":
        skip = ["Content-Type"]
    async with gateway.http.post(
        gateway.url, data=body, headers=headers, skip_auto_headers=skip
    ) as resp:
        assert resp.status == 415, label
        answer = await resp.json()
    assert answer["errors"][0]["extensions"]["code"] == "CSRF_REFUSED"
    assert await gateway.sandbox("spark").count() == 0


async def test_a_mutation_over_get_is_refused_without_a_provider_call(
    gateway: AuthedGateway,
) -> None:
    async with gateway.http.get(gateway.url, params={"query": MUTATION}) as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == "POST"
    assert await gateway.sandbox("spark").count() == 0


async def test_a_json_post_still_writes(gateway: AuthedGateway) -> None:
    create = MUTATION.replace('"CSRF"', '"Json Post", emails: [{address: "json.post@example.org"}]')
    data = await gateway.anonymous().data(create)
    assert data["createContact"]["contact"]["id"]
