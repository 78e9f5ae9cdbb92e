"""Fixtures for the Spark sandbox tests: a served sandbox and a small Spark-speaking client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from providers.sandboxing import ServedApp
from providers.spark.sandbox import PRIVATE_TOKEN, SparkSandbox, create_spark_sandbox

_UNSET: Any = object()


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def d(self) -> dict[str, Any]:
        inner: dict[str, Any] = self.body["D"]
        return inner

    @property
    def results(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.d["Results"]
        return rows

    @property
    def code(self) -> int:
        return int(self.d["Code"])

    def error_attributes(self) -> list[str]:
        return [item["Attribute"] for item in self.d.get("Errors", [])]


@dataclass
class SparkClient:
    """Talks to the served sandbox like a Spark client would."""

    http: aiohttp.ClientSession
    base_url: str
    sandbox: SparkSandbox

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = PRIVATE_TOKEN,
        params: dict[str, str] | None = None,
        d: Any = _UNSET,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        if d is not _UNSET:
            data = _json({"D": d})
            sent.setdefault("Content-Type", "application/json")
        url = f"{self.base_url}{path}"
        async with self.http.request(method, url, params=params, data=data, headers=sent) as resp:
            raw = await resp.read()
            body = await resp.json(content_type=None) if raw else None
            return Reply(resp.status, body, dict(resp.headers))

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def control(self, method: str, path: str, payload: Any = None) -> Any:
        url = f"{self.base_url}/_sandbox/{path}"
        async with self.http.request(method, url, json=payload) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def all_ids(self, path: str = "/v1/contacts", **params: str) -> list[str]:
        """Every id of a list, paged through with the largest normal page."""
        ids: list[str] = []
        page = 1
        while True:
            reply = await self.get(path, params={"_limit": "25", "_page": str(page), **params})
            assert reply.status == 200, reply.body
            ids += [row["Id"] for row in reply.results]
            if len(reply.results) < 25:
                return ids
            page += 1


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def sandbox() -> SparkSandbox:
    return create_spark_sandbox()


@pytest.fixture
async def spark_sandbox(sandbox: SparkSandbox) -> AsyncIterator[ServedApp]:
    """A started sandbox app on loopback (seed 7, 300 contacts for agent A)."""
    async with ServedApp(sandbox.app) as served:
        yield served


@pytest.fixture
async def spark(spark_sandbox: ServedApp, sandbox: SparkSandbox) -> AsyncIterator[SparkClient]:
    async with aiohttp.ClientSession() as http:
        yield SparkClient(http, spark_sandbox.base_url, sandbox)
