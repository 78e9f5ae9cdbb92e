"""Canary personal data and canary credentials through reads, writes, validation failures
and provider faults: every log record the gateway, the providers and the libraries below
them emit (all loggers, every level down to DEBUG, formatted by the gateway's JSON
formatter) must be free of them, and so must every GraphQL error's message and extensions."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any, Final

import aiohttp
import pytest
from pydantic import SecretStr

from gateway.auth_settings import ApiKeyClient, AuthSettings
from gateway.logs import PAYLOAD_LOGGERS, configure_logging
from providers.model import ProviderName
from tests.security.log_sweep import Hit, captured, sweep
from tests.security.support import (
    CREATE,
    DELETE,
    LIST,
    PROVIDERS,
    READ,
    UPDATE,
    World,
    valid_input,
    world,
)

GIVEN: Final = "Quintessa"
FAMILY: Final = "Canaryfeld"
EMAIL: Final = "quintessa.canaryfeld@canary-mail.example"
STREET: Final = "Kanarienweg"
PHONE_DIGITS: Final = {ProviderName.SPARK: "3125550147", ProviderName.IS24: "3055504711"}
PHONES: Final = {
    ProviderName.SPARK: "+1 312 555 0147",
    ProviderName.IS24: "+49 30 55504711",
    ProviderName.AUTODNS: "+49 30 55504711",
}
API_KEY: Final = "cgk-canary-client-key-5b1e0f"
PROVIDER_SECRETS: Final = {
    "spark": "canary-spark-token-8d2c",
    "is24": "canary-is24-secret-41aa",
    "is24_token": "canary-is24-token-0c9e",
    "autodns": "canary-autodns-password-77f3",
}
CANARIES: Final = frozenset(
    {GIVEN, FAMILY, EMAIL, STREET, "canary-mail", API_KEY, *PROVIDER_SECRETS.values()}
    | set(PHONE_DIGITS.values())
)


def canary_input(provider: ProviderName, n: int) -> dict[str, Any]:
    data = valid_input(provider)
    data.update(givenName=GIVEN, familyName=f"{FAMILY}{n}", emails=[{"address": EMAIL}])
    data["phones"] = [{**data["phones"][0], "number": PHONES[provider]}]
    data["addresses"][0]["streetLines"] = [f"{STREET} {n}"]
    if provider is ProviderName.SPARK:
        data["displayName"] = f"{GIVEN} {FAMILY}{n}"
    if provider is ProviderName.AUTODNS:
        data["autodns"] = {**data["autodns"], "alias": f"canary-{n}"}
    if provider is ProviderName.IS24:
        data["is24"] = {"externalId": f"canary-{n}"}
    return data


@contextmanager
def everything_at_debug() -> Iterator[None]:
    """The gateway's `log_level = "debug"` for the block, and every other logger with a
    level of its own (uvicorn's…) at DEBUG too; only `PAYLOAD_LOGGERS` stay where
    `configure_logging` pins them (asserted here, so the exemption is the real config)."""
    root = logging.getLogger()
    loggers = [root, *map(logging.getLogger, logging.root.manager.loggerDict)]
    levels, handlers = [(logger, logger.level) for logger in loggers], root.handlers[:]
    configure_logging("debug")
    root.handlers[:] = handlers  # keep pytest's own capture; records are taken at the source
    for logger, level in levels:
        if level and logger.name not in PAYLOAD_LOGGERS:
            logger.setLevel(logging.DEBUG)
    assert {n: logging.getLogger(n).level for n in PAYLOAD_LOGGERS} == PAYLOAD_LOGGERS
    try:
        yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)
        for name in PAYLOAD_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)


class Client:
    """A GraphQL client that sends the canary API key, and keeps every response."""

    def __init__(self, w: World, http: aiohttp.ClientSession) -> None:
        self.url, self.http = w.gateway.url, http
        self.bodies: list[dict[str, Any]] = []

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"X-API-Key": API_KEY}
        payload = {"query": query, "variables": variables}
        async with self.http.post(self.url, json=payload, headers=headers) as resp:
            assert resp.status < 500
            body: dict[str, Any] = await resp.json()
        self.bodies.append(body)
        return body


def _auth() -> AuthSettings:
    digest = hashlib.sha256(API_KEY.encode()).hexdigest()
    return AuthSettings(
        mode="open", api_keys=(ApiKeyClient(id="canary-client", sha256=digest, role="private"),)
    )


async def _reads_writes_and_failures(w: World, client: Client) -> None:
    for n, provider in enumerate(PROVIDERS):
        created = (await client.gql(CREATE, input=canary_input(provider, n)))["data"]
        payload = created["createContact"]
        assert payload["userErrors"] == [], payload
        contact_id = payload["contact"]["id"]
        await client.gql(READ, id=contact_id)
        for flt in ({"familyName": f"{FAMILY}*"}, {"email": EMAIL}, {"givenName": GIVEN}):
            await client.gql(LIST, provider=provider.value, filter=flt, first=5)
        broken = canary_input(provider, n) | {"emails": [{"address": f"{GIVEN}@@{FAMILY}"}]}
        await client.gql(CREATE, input=broken)
        await client.gql(CREATE, input=canary_input(provider, n))  # a duplicate where refused
        await client.gql(UPDATE, id=contact_id, input={"familyName": f"{FAMILY}\x00"})
        sandbox = w.sandboxes[provider]
        for fault in ("fail_next", "malformed_next", "truncate_next", "rate_limit_next"):
            await sandbox.faults(**{fault: 5})
            await client.gql(CREATE, input=canary_input(provider, n + 10))
            await client.gql(LIST, provider=provider.value, filter={"familyName": FAMILY})
            await client.gql(UPDATE, id=contact_id, input={"givenName": f"{GIVEN}-x"})
            await w.reset()
        await client.gql(DELETE, id=contact_id)
    await client.gql(LIST, filter={"familyName": f"{FAMILY}*"}, first=10)  # all providers


async def _wrong_credentials(http: aiohttp.ClientSession) -> list[dict[str, Any]]:
    """A gateway whose provider credentials are canaries (the sandboxes refuse them)."""
    extra: dict[str, dict[str, Any]] = {
        "spark": {"access_token": SecretStr(PROVIDER_SECRETS["spark"])},
        "is24": {
            "token_secret": SecretStr(PROVIDER_SECRETS["is24"]),
            "access_token": PROVIDER_SECRETS["is24_token"],
        },
        "autodns": {"password": SecretStr(PROVIDER_SECRETS["autodns"])},
    }
    async with world(auth=_auth(), provider_overrides=extra) as w:
        client = Client(w, http)
        for n, provider in enumerate(PROVIDERS):
            await client.gql(CREATE, input=canary_input(provider, 20 + n))
            await client.gql(LIST, provider=provider.value, filter={"email": EMAIL})
        async with http.post(w.gateway.url, json={"query": "{ me { id } }"}) as resp:
            assert resp.status in (200, 401)
        wrong_key = {"X-API-Key": f"{API_KEY}-wrong"}
        async with http.post(w.gateway.url, json={"query": LIST}, headers=wrong_key) as resp:
            assert resp.status == 401
            client.bodies.append(await resp.json())
        return client.bodies


def _where(hit: Hit) -> tuple[str, str, str, str]:
    """A hit as (canary, logger, level, the start of the message): short enough to read."""
    record = json.loads(hit.line)
    return hit.needle, record["logger"], record["level"], record["msg"][:100]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_canaries_never_reach_logs_or_errors(http: aiohttp.ClientSession) -> None:
    lines: list[str] = []
    with everything_at_debug(), captured(lines.append):
        assert logging.getLogger("contact_gateway.providers").isEnabledFor(logging.DEBUG)
        async with world(auth=_auth()) as w:
            client = Client(w, http)
            await _reads_writes_and_failures(w, client)
        bodies = [*client.bodies, *await _wrong_credentials(http)]
    assert len(lines) > 100, "the capture saw the run"
    assert [_where(hit) for hit in sweep(lines, CANARIES)] == []
    errors = [e for body in bodies for e in body.get("errors", [])]
    assert errors, "failures were provoked"
    shown = [
        json.dumps({"message": e["message"], "extensions": e.get("extensions")}) for e in errors
    ]
    assert [(hit.needle, hit.line) for hit in sweep(shown, CANARIES)] == []
