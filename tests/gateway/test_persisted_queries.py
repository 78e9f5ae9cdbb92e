"""Automatic persisted queries (Apollo's protocol) and the allow-list mode."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import PersistedQuerySettings
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, spark_settings


def _extensions(query: str) -> dict[str, Any]:
    digest = hashlib.sha256(query.encode()).hexdigest()
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def _post(gateway: Gateway, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with gateway.http.post(gateway.url, json=payload) as resp:
        return resp.status, await resp.json()


async def test_hash_only_then_register_then_hit(gateway: Gateway, sandbox: Sandbox) -> None:
    query = f"query Apq{uuid.uuid4().hex[:8]} {{ contacts(first: 2) {{ totalCount }} }}"
    extensions = _extensions(query)
    status, body = await _post(gateway, {"extensions": extensions})
    assert status == 200
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    status, body = await _post(gateway, {"query": query, "extensions": extensions})
    assert body["data"]["contacts"]["totalCount"] > 0
    status, body = await _post(gateway, {"extensions": extensions})
    assert body["data"]["contacts"]["totalCount"] > 0
    params = {"extensions": json.dumps(extensions)}
    async with gateway.http.get(gateway.url, params=params) as resp:
        assert resp.status == 200
        assert (await resp.json())["data"]["contacts"]["totalCount"] > 0


async def test_a_wrong_hash_is_refused(gateway: Gateway) -> None:
    extensions = _extensions("{ something else }")
    status, body = await _post(gateway, {"query": "{ __typename }", "extensions": extensions})
    assert status == 400
    assert "does not match" in body["errors"][0]["message"]


async def test_bad_persisted_query_extensions(gateway: Gateway) -> None:
    for persisted in ({"version": 2, "sha256Hash": "0" * 64}, {"version": 1, "sha256Hash": "x"}):
        status, _ = await _post(gateway, {"extensions": {"persistedQuery": persisted}})
        assert status == 400


async def test_allow_list_runs_only_listed_documents(tmp_path: Path) -> None:
    allowed = "query Allowed { contacts(first: 1) { totalCount } }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "x", "name": "Allowed", "type": "query", "body": allowed}],
            }
        )
    )
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
    ):
        settings = spark_settings(sandbox_served.base_url).model_copy(
            update={
                "data_dir": tmp_path,
                "persisted_queries": PersistedQuerySettings(allow_list=manifest),
            }
        )
        async with ServedApp(create_app(settings)) as served:
            gateway = Gateway(served, http)
            status, body = await _post(gateway, {"extensions": _extensions(allowed)})
            assert body["data"]["contacts"]["totalCount"] > 0
            status, body = await _post(gateway, {"query": allowed})
            assert body["data"]["contacts"]["totalCount"] > 0
            other = "{ contacts(first: 2) { totalCount } }"
            status, body = await _post(gateway, {"query": other})
            assert status == 400
            assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
            status, body = await _post(gateway, {"query": other, "extensions": _extensions(other)})
            assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_get_persisted_queries_may_be_made_cdn_cacheable(tmp_path: Path) -> None:
    query = "query Cdn { contacts(first: 1) { totalCount } }"
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox_served,
    ):
        config = PersistedQuerySettings(get_cache_control="public, max-age=60")
        settings = spark_settings(sandbox_served.base_url).model_copy(
            update={"data_dir": tmp_path, "persisted_queries": config}
        )
        async with ServedApp(create_app(settings)) as served:
            gateway = Gateway(served, http)
            await _post(gateway, {"query": query, "extensions": _extensions(query)})
            params = {"extensions": json.dumps(_extensions(query))}
            async with http.get(gateway.url, params=params) as resp:
                assert resp.headers["Cache-Control"] == "public, max-age=60"
            async with http.get(
                gateway.url, params=params, headers={"Authorization": "Bearer x"}
            ) as resp:
                assert resp.headers["Cache-Control"] == "private, no-store"
            async with http.post(gateway.url, json={"query": query}) as resp:
                assert resp.headers["Cache-Control"] == "private, no-store"


async def test_by_default_nothing_is_cacheable(gateway: Gateway) -> None:
    query = "query NoCdn { contacts(first: 1) { totalCount } }"
    await _post(gateway, {"query": query, "extensions": _extensions(query)})
    params = {"extensions": json.dumps(_extensions(query))}
    async with gateway.http.get(gateway.url, params=params) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "private, no-store"
