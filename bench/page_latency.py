"""A first, single-process latency probe (the full suite is issue 9's work).

p50 of 200 sequential requests for one page of 25 Spark contacts with 3 fields: the
sandbox directly, the gateway uncached (FRESH_ONLY) and the gateway from its cache.
Run: `python -m bench.page_latency` (loopback only, about 5 seconds).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from pydantic import SecretStr

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import SandboxSettings, Settings, SparkSettings
from providers.sandboxing import ServedApp

QUERY = (
    "{ contacts(first: 25, cache: {policy: %s}) { nodes { id displayName emails { address } } } }"
)
DIRECT = "/v1/contacts?_limit=25&_pagination=1&_orderby=-ModificationTimestamp,%2BId"
REQUESTS = 200


async def p50_ms(call: Callable[[], Awaitable[None]]) -> float:
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def main() -> None:
    sandbox_app = spark_sandbox.create_spark_sandbox().app
    with tempfile.TemporaryDirectory() as data_dir:
        async with aiohttp.ClientSession() as http, ServedApp(sandbox_app) as sandbox:
            token = spark_sandbox.PRIVATE_TOKEN
            settings = Settings(
                spark=SparkSettings(base_url=sandbox.base_url, access_token=SecretStr(token)),
                sandbox=SandboxSettings(enabled=False),
                data_dir=Path(data_dir),
            )
            async with ServedApp(create_app(settings)) as gateway:

                async def direct() -> None:
                    headers = {"Authorization": f"Bearer {token}"}
                    async with http.get(sandbox.base_url + DIRECT, headers=headers) as resp:
                        await resp.read()

                async def graphql(policy: str) -> None:
                    url = f"{gateway.base_url}/graphql"
                    async with http.post(url, json={"query": QUERY % policy}) as resp:
                        await resp.read()

                await graphql("CACHE_OK")
                floor = await p50_ms(direct)
                uncached = await p50_ms(lambda: graphql("FRESH_ONLY"))
                cached = await p50_ms(lambda: graphql("CACHE_OK"))
    print(
        f"p50 ms over {REQUESTS} requests: sandbox direct {floor:.2f}; gateway uncached "
        f"{uncached:.2f} ({uncached / floor:.1f}x); gateway cached {cached:.2f} "
        f"({cached / uncached:.2f}x of uncached)"
    )


if __name__ == "__main__":
    asyncio.run(main())
