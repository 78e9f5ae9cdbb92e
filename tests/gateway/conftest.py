from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

import providers.autodns.sandbox as autodns_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import AutoDnsSettings, SandboxSettings, Settings, SparkSettings
from providers.sandboxing import ServedApp
from providers.spark.types import SparkRole
from tests.harness import OPEN, Gateway, Sandbox, fresh_data_dir, spark_stack


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with spark_stack(SparkRole.PRIVATE) as pair:
        yield pair


@pytest.fixture
def sandbox(stack: tuple[Sandbox, Gateway]) -> Sandbox:
    return stack[0]


@pytest.fixture
def gateway(stack: tuple[Sandbox, Gateway]) -> Gateway:
    return stack[1]


@pytest.fixture
async def graph() -> AsyncIterator[tuple[Gateway, dict[str, Sandbox]]]:
    """Spark and AutoDNS sandboxes behind one gateway."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=80).app) as spark,
        ServedApp(autodns_sandbox.create_autodns_sandbox(contact_count=60).app) as autodns,
    ):
        settings = Settings(
            spark=SparkSettings(
                base_url=spark.base_url, access_token=SecretStr(spark_sandbox.PRIVATE_TOKEN)
            ),
            autodns=AutoDnsSettings(
                base_url=f"{autodns.base_url}/v1",
                user=autodns_sandbox.USER,
                password=SecretStr(autodns_sandbox.PASSWORD),
                context=autodns_sandbox.CONTEXT,
            ),
            sandbox=SandboxSettings(enabled=False),
            data_dir=fresh_data_dir(),
            auth=OPEN,
        )
        async with ServedApp(create_app(settings)) as served:
            yield (
                Gateway(served, http),
                {"SPARK": Sandbox(spark, http), "AUTODNS": Sandbox(autodns, http)},
            )
