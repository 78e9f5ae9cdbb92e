"""Several gateway processes: real `contact-gateway serve` subprocesses on 127.0.0.1.

- Two gateways on one store and one sandbox: a write through one is never served stale
  by the other (SQLite: a shared data_dir on one machine; Redis: nothing shared but
  Redis, as on two machines).
- `serve --workers 2`: both workers answer, and they share the sandboxes the parent serves.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import providers.spark.sandbox as spark_sandbox
from providers.sandboxing import ServedApp
from tests.processes import ServeProcess, serve

READ = """query($id: ID!) { contact(id: $id) { displayName freshness { servedFrom } } }"""
FIRST = "{ contacts(provider: SPARK, first: 1) { totalCount nodes { id } } }"
RENAME = """mutation($id: ID!, $name: String!) { updateContact(id: $id, input: {displayName: $name})
  { contact { displayName } userErrors { code } } }"""
CREATE = """mutation { createContact(input: {provider: SPARK, displayName: "Made Through A",
  emails: [{address: "made.through.a@example.org"}]}) { contact { id } userErrors { code } } }"""


async def gql(
    http: aiohttp.ClientSession, gateway: ServeProcess, query: str, **variables: Any
) -> Any:
    async with http.post(
        gateway.graphql_url, json={"query": query, "variables": variables}
    ) as resp:
        body = await resp.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that opens a new connection per request (so requests spread over workers)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        yield session


def _config(directory: Path, spark_url: str, cache_url: str | None) -> Path:
    lines = ['[auth]\nmode = "open"\n', "[sandbox]\nenabled = false\n"]
    lines.append(
        f'[spark]\nbase_url = "{spark_url}"\naccess_token = "{spark_sandbox.PRIVATE_TOKEN}"\n'
    )
    text = (f'cache_url = "{cache_url}"\n' if cache_url else "") + "\n".join(lines)
    path = directory / "gateway.toml"
    path.write_text(text)
    return path


async def test_a_write_through_one_gateway_is_never_served_stale_by_another(
    cache_url: str | None, http: aiohttp.ClientSession
) -> None:
    with tempfile.TemporaryDirectory(prefix="contact-gateway-two-") as name:
        directory = Path(name)
        async with ServedApp(spark_sandbox.create_spark_sandbox().app) as sandbox:
            config = str(_config(directory, sandbox.base_url, cache_url))
            # SQLite is shared through the file; with Redis each process has its own data_dir.
            data_b = directory / ("data" if cache_url is None else "data-b")
            with (
                serve(["--config", config], directory, {"CONTACT_GATEWAY_DATA_DIR": "data"}) as a,
                serve(
                    ["--config", config], directory, {"CONTACT_GATEWAY_DATA_DIR": str(data_b)}
                ) as b,
            ):
                await a.wait_ready(http)
                await b.wait_ready(http)
                await _read_write_read(http, a, b)


async def _read_write_read(http: aiohttp.ClientSession, a: ServeProcess, b: ServeProcess) -> None:
    listing = await gql(http, b, FIRST)
    contact_id = listing["contacts"]["nodes"][0]["id"]
    await gql(http, b, READ, id=contact_id)
    cached = (await gql(http, b, READ, id=contact_id))["contact"]
    assert cached["freshness"]["servedFrom"] == "CACHE", "B serves its reads from the cache"
    renamed = await gql(http, a, RENAME, id=contact_id, name="Renamed Through A")
    assert renamed["updateContact"]["userErrors"] == []
    after = (await gql(http, b, READ, id=contact_id))["contact"]
    assert after["displayName"] == "Renamed Through A"
    assert (await gql(http, b, FIRST))["contacts"]["totalCount"] == listing["contacts"][
        "totalCount"
    ]
    created = await gql(http, a, CREATE)
    assert created["createContact"]["userErrors"] == []
    total = (await gql(http, b, FIRST))["contacts"]["totalCount"]
    assert total == listing["contacts"]["totalCount"] + 1, "B's cached list was dropped too"


async def test_two_workers_both_serve_the_same_sandboxes(http: aiohttp.ClientSession) -> None:
    with tempfile.TemporaryDirectory(prefix="contact-gateway-workers-") as name:
        directory = Path(name)
        with serve(["--workers", "2"], directory, {"CONTACT_GATEWAY_DATA_DIR": "data"}) as parent:
            await parent.wait_ready(http)
            pids = await _worker_pids(http, parent)
            assert len(pids) == 2 and parent.process.pid not in pids
            created = await gql(http, parent, CREATE)
            contact_id = created["createContact"]["contact"]["id"]
            fresh = """query($id: ID!) { contact(id: $id, cache: {policy: FRESH_ONLY})
              { displayName } providers { baseUrl } }"""
            answers = [await gql(http, parent, fresh, id=contact_id) for _ in range(8)]
            assert all(a["contact"]["displayName"] == "Made Through A" for a in answers)
            assert len({repr(a["providers"]) for a in answers}) == 1, "one set of sandboxes"
            assert parent.stop() == 0
        assert "Finished server process" in parent.output()


async def _worker_pids(http: aiohttp.ClientSession, parent: ServeProcess) -> set[int]:
    """Pids answering /healthz over new connections, until two are seen (the second worker
    may still be starting when the first answers) or 20 s have passed."""
    pids: set[int] = set()
    deadline = time.monotonic() + 20
    while len(pids) < 2 and time.monotonic() < deadline:
        async with http.get(f"{parent.base_url}/healthz") as resp:
            pids.add((await resp.json())["pid"])
        await asyncio.sleep(0.01)
    return pids
