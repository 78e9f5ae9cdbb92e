"""Fixtures for the AutoDNS sandbox tests: a served sandbox and a small AutoDNS client."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from yarl import URL

from providers.autodns.envelope import Envelope, parse_envelope
from providers.autodns.sandbox import (
    CONTEXT,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    USER,
    AutoDnsSandbox,
    create_autodns_sandbox,
)
from providers.sandboxing import ServedApp

_UNSET: Any = object()


def basic(user: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def valid_contact(**overrides: Any) -> dict[str, Any]:
    """A contact that passes every rule; keyword arguments replace (None removes) fields."""
    contact: dict[str, Any] = {
        "alias": "jdoe-test",
        "type": "PERSON",
        "fname": "Jane",
        "lname": "Doe",
        "address": ["Lindenstraße 5"],
        "pcode": "93047",
        "city": "Regensburg",
        "country": "DE",
        "email": "jane.doe@example.de",
        "phone": "+49-941-1234567",
    }
    contact.update(overrides)
    return {k: v for k, v in contact.items() if v is not None}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def envelope(self) -> Envelope:
        return parse_envelope(self.body)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.envelope.message_codes

    def objects(self, code: str) -> list[tuple[str, str]]:
        """The (type, value) objects of the messages with this code."""
        msgs = [m for m in self.envelope.messages if m.code == code]
        return [(o.type, o.value) for m in msgs for o in m.objects]


@dataclass
class AutoDnsClient:
    """Talks to the served sandbox as an AutoDNS JSON client would."""

    http: aiohttp.ClientSession
    base_url: str
    user: str = USER
    password: str = PASSWORD
    context: str | None = CONTEXT
    extra_headers: dict[str, str] = field(default_factory=dict)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = _UNSET,
        data: bytes | None = None,
        params: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        raw_path: bool = False,
    ) -> Reply:
        sent = {"Authorization": basic(self.user, self.password), **self.extra_headers}
        if self.context is not None:
            sent["X-Domainrobot-Context"] = self.context
        sent.update(headers or {})
        url: str | URL = (
            URL(self.base_url + path, encoded=True) if raw_path else self.base_url + path
        )
        kwargs: dict[str, Any] = {"headers": sent, "params": params, "data": data}
        if json is not _UNSET:
            kwargs["json"] = json
        async with self.http.request(method, url, **kwargs) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.read())

    async def create(self, contact: dict[str, Any], *, force: bool = False) -> Reply:
        params = [("keys[]", "force_handle_create")] if force else None
        return await self.call("POST", "/v1/contact", json=contact, params=params)

    async def info(self, contact_id: int | str) -> Reply:
        return await self.call("GET", f"/v1/contact/{contact_id}")

    async def update(self, contact_id: int | str, changes: dict[str, Any]) -> Reply:
        return await self.call("PUT", f"/v1/contact/{contact_id}", json=changes)

    async def delete(self, contact_id: int | str) -> Reply:
        return await self.call("DELETE", f"/v1/contact/{contact_id}")

    async def search(self, body: Any = _UNSET) -> Reply:
        return await self.call("POST", "/v1/contact/_search", json={} if body is _UNSET else body)

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.base_url}/_sandbox/{path}", json=body) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    def as_user(self, user: str, password: str, context: str | None = CONTEXT) -> AutoDnsClient:
        return AutoDnsClient(self.http, self.base_url, user, password, context)


@pytest.fixture
def sandbox() -> AutoDnsSandbox:
    return create_autodns_sandbox()


@pytest.fixture
async def served(sandbox: AutoDnsSandbox) -> AsyncIterator[ServedApp]:
    async with ServedApp(sandbox.app) as served_app:
        yield served_app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(http: aiohttp.ClientSession, served: ServedApp) -> AutoDnsClient:
    return AutoDnsClient(http, served.base_url)


@pytest.fixture
def other_client(client: AutoDnsClient) -> AutoDnsClient:
    return client.as_user(OTHER_USER, OTHER_PASSWORD)
