"""Real servers on 127.0.0.1 for tests: a provider sandbox and the gateway in front of it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.auth_settings import AuthSettings
from gateway.settings import (
    AutoDnsSettings,
    Is24Settings,
    SandboxSettings,
    Settings,
    SparkSettings,
)
from providers.sandboxing import ServedApp
from providers.spark.types import SparkRole

SPARK_TOKENS = {
    SparkRole.PRIVATE: spark_sandbox.PRIVATE_TOKEN,
    SparkRole.IDX: spark_sandbox.IDX_TOKEN,
    SparkRole.PUBLIC: spark_sandbox.PUBLIC_TOKEN,
    SparkRole.VOW: spark_sandbox.VOW_TOKEN,
    SparkRole.PORTAL: spark_sandbox.PORTAL_TOKEN,
}


@dataclass
class Sandbox:
    """A started sandbox and its control API."""

    served: ServedApp
    http: aiohttp.ClientSession

    @property
    def base_url(self) -> str:
        return self.served.base_url

    async def requests(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.base_url}/_sandbox/requests") as resp:
            body: dict[str, Any] = await resp.json()
        return list(body["requests"])

    async def count(self) -> int:
        async with self.http.get(f"{self.base_url}/_sandbox/requests") as resp:
            return int((await resp.json())["count"])

    async def forget(self) -> None:
        async with self.http.delete(f"{self.base_url}/_sandbox/requests"):
            pass

    async def faults(self, **settings: Any) -> None:
        async with self.http.post(f"{self.base_url}/_sandbox/faults", json=settings) as resp:
            assert resp.status == 200, await resp.text()


@dataclass
class Gateway:
    """The gateway app served on loopback, and a GraphQL client for it."""

    served: ServedApp
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"{self.served.base_url}/graphql"

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        payload = {"query": query, "variables": variables}
        async with self.http.post(self.url, json=payload) as resp:
            assert resp.status < 500, await resp.text()
            body: dict[str, Any] = await resp.json()
        return body

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """`data` of a response that must have no errors."""
        body = await self.gql(query, **variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


OPEN = AuthSettings(mode="open")
"""Auth off: these stacks talk to sandboxes on loopback only (never to a real provider)."""

TEST_DATA_ROOT = Path(tempfile.mkdtemp(prefix="contact-gateway-tests-"))
atexit.register(shutil.rmtree, TEST_DATA_ROOT, True)


def fresh_data_dir() -> Path:
    """A new SQLite directory per gateway: sandbox ports get reused, caches must not be."""
    return Path(tempfile.mkdtemp(dir=TEST_DATA_ROOT))


def spark_settings(
    base_url: str, role: SparkRole = SparkRole.PRIVATE, token: str | None = None, **extra: Any
) -> Settings:
    secret = SecretStr(token or SPARK_TOKENS[role])
    spark = SparkSettings(base_url=base_url, access_token=secret, role=role, **extra)
    return Settings(
        spark=spark, sandbox=SandboxSettings(enabled=False), data_dir=fresh_data_dir(), auth=OPEN
    )


@asynccontextmanager
async def spark_stack(
    role: SparkRole = SparkRole.PRIVATE, **spark_extra: Any
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """A fresh Spark sandbox and a gateway configured against it."""
    sandbox_app = spark_sandbox.create_spark_sandbox().app
    async with aiohttp.ClientSession() as http, ServedApp(sandbox_app) as sandbox_served:
        settings = spark_settings(sandbox_served.base_url, role, **spark_extra)
        async with ServedApp(create_app(settings)) as gateway_served:
            yield Sandbox(sandbox_served, http), Gateway(gateway_served, http)


def all_providers_settings(
    spark: str, is24: str, autodns: str, *, upstream: Mapping[str, Any] | None = None, **extra: Any
) -> Settings:
    """Settings with all three providers against sandboxes at these base URLs (their roots,
    as `ServedApp.base_url` gives them); `extra` are further Settings fields (auth runs
    open unless `auth` is among them); `upstream` are UpstreamSettings fields for all three."""
    upstream = upstream or {}
    if "data_dir" not in extra:
        extra["data_dir"] = fresh_data_dir()
    return Settings(
        spark=SparkSettings(
            base_url=spark, access_token=SecretStr(spark_sandbox.PRIVATE_TOKEN), **upstream
        ),
        is24=Is24Settings(
            base_url=f"{is24}/restapi/api",
            consumer_key=is24_sandbox.CONSUMER_KEY,
            consumer_secret=SecretStr(is24_sandbox.CONSUMER_SECRET),
            access_token=is24_sandbox.ACCESS_TOKEN,
            token_secret=SecretStr(is24_sandbox.TOKEN_SECRET),
            **upstream,
        ),
        autodns=AutoDnsSettings(
            base_url=f"{autodns}/v1",
            user=autodns_sandbox.USER,
            password=SecretStr(autodns_sandbox.PASSWORD),
            context=autodns_sandbox.CONTEXT,
            **upstream,
        ),
        sandbox=SandboxSettings(enabled=False),
        **{"auth": OPEN, **extra},
    )


def autodns_settings(base_url: str, data_dir: Path, **extra: Any) -> Settings:
    """Settings with only AutoDNS configured, against `base_url` (the API root, `.../v1`)."""
    autodns = AutoDnsSettings(
        base_url=base_url,
        user=extra.pop("user", autodns_sandbox.USER),
        password=SecretStr(extra.pop("password", autodns_sandbox.PASSWORD)),
        context=extra.pop("context", autodns_sandbox.CONTEXT),
        **extra,
    )
    return Settings(
        autodns=autodns, sandbox=SandboxSettings(enabled=False), data_dir=data_dir, auth=OPEN
    )


@asynccontextmanager
async def autodns_stack(
    sandbox: autodns_sandbox.AutoDnsSandbox | None = None, **autodns_extra: Any
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """An AutoDNS sandbox (fresh unless given) and a gateway configured against it."""
    sandbox_app = (sandbox or autodns_sandbox.create_autodns_sandbox()).app
    async with aiohttp.ClientSession() as http, ServedApp(sandbox_app) as sandbox_served:
        with tempfile.TemporaryDirectory(prefix="contact-gateway-autodns-") as data_dir:
            settings = autodns_settings(
                f"{sandbox_served.base_url}/v1", Path(data_dir), **autodns_extra
            )
            async with ServedApp(create_app(settings)) as gateway_served:
                yield Sandbox(sandbox_served, http), Gateway(gateway_served, http)


def is24_settings(base_url: str, **extra: Any) -> Settings:
    """Settings with only IS24 configured, against `base_url` (the API root, `.../restapi/api`)."""
    is24 = Is24Settings(
        base_url=base_url,
        consumer_key=extra.pop("consumer_key", is24_sandbox.CONSUMER_KEY),
        consumer_secret=SecretStr(extra.pop("consumer_secret", is24_sandbox.CONSUMER_SECRET)),
        access_token=extra.pop("access_token", is24_sandbox.ACCESS_TOKEN),
        token_secret=SecretStr(extra.pop("token_secret", is24_sandbox.TOKEN_SECRET)),
        **extra,
    )
    return Settings(
        is24=is24, sandbox=SandboxSettings(enabled=False), data_dir=fresh_data_dir(), auth=OPEN
    )


@asynccontextmanager
async def is24_stack(
    sandbox: is24_sandbox.Is24Sandbox | None = None, **is24_extra: Any
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    """An IS24 sandbox (fresh unless given) and a gateway configured against it;
    `is24_extra` are Is24Settings fields (media_type="xml", username=..., secrets)."""
    sandbox_app = (sandbox or is24_sandbox.create_is24_sandbox()).app
    async with aiohttp.ClientSession() as http, ServedApp(sandbox_app) as sandbox_served:
        settings = is24_settings(f"{sandbox_served.base_url}/restapi/api", **is24_extra)
        async with ServedApp(create_app(settings)) as gateway_served:
            yield Sandbox(sandbox_served, http), Gateway(gateway_served, http)
