"""Gateways with client authentication for tests: keys per role, JWT keys, tenants.

`authed_gateway` serves a gateway on loopback that talks to sandboxes (embedded, or
given as provider sections); `Client` sends GraphQL as one credential.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from gateway.api_keys import key_digest, new_key
from gateway.app import create_app
from gateway.auth_settings import ApiKeyClient
from gateway.settings import Settings
from providers.sandboxing import ServedApp
from resolvers.access import Role
from tests.harness import Sandbox, fresh_data_dir


@dataclass(frozen=True)
class IssuedKey:
    key: str
    client: ApiKeyClient


def issue(client_id: str, role: Role, tenant: str = "default") -> IssuedKey:
    key = new_key()
    return IssuedKey(
        key, ApiKeyClient(id=client_id, sha256=key_digest(key), tenant=tenant, role=role)
    )


ROLE_KEYS = {role: issue(f"key-{role.value}", role) for role in Role}
"""One API key per role, all for the default tenant."""


@dataclass
class Client:
    """Sends GraphQL to the gateway with fixed headers (one credential, or none)."""

    url: str
    http: aiohttp.ClientSession
    headers: dict[str, str] = field(default_factory=dict)

    async def post(self, query: str, **variables: Any) -> tuple[int, dict[str, str], Any]:
        payload = {"query": query, "variables": variables}
        async with self.http.post(self.url, json=payload, headers=self.headers) as resp:
            assert resp.status < 500, await resp.text()
            return resp.status, dict(resp.headers), await resp.json()

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        status, _, body = await self.post(query, **variables)
        assert status == 200, body
        result: dict[str, Any] = body
        return result

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.gql(query, **variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@dataclass
class AuthedGateway:
    served: ServedApp
    http: aiohttp.ClientSession
    app: Any

    @property
    def url(self) -> str:
        return f"{self.served.base_url}/graphql"

    def as_key(self, key: str) -> Client:
        return Client(self.url, self.http, {"X-API-Key": key})

    def as_token(self, token: str) -> Client:
        return Client(self.url, self.http, {"Authorization": f"Bearer {token}"})

    def anonymous(self) -> Client:
        return Client(self.url, self.http)

    def sandbox(self, name: str) -> Sandbox:
        """An embedded sandbox of this gateway (spark, is24, autodns)."""
        return Sandbox(self.app.state.sandboxes.running[name].served, self.http)


@asynccontextmanager
async def authed_gateway(**settings: Any) -> AsyncIterator[AuthedGateway]:
    """A gateway built from these Settings fields (plus a fresh data_dir), on loopback."""
    app = create_app(Settings(data_dir=fresh_data_dir(), **settings))
    async with aiohttp.ClientSession() as http, ServedApp(app) as served:
        yield AuthedGateway(served, http, app)


def first_error(body: dict[str, Any]) -> dict[str, Any]:
    errors = body["errors"]
    assert isinstance(errors, list) and errors, body
    error: dict[str, Any] = errors[0]
    return error


def code_of(body: dict[str, Any]) -> str:
    return str(first_error(body)["extensions"]["code"])
