"""Spark fills the provider contract."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

import providers.spark.sandbox as spark_sandbox
from providers.model import ContactInput, Email, FieldPath
from providers.sandboxing import ServedApp
from providers.spark.adapter import SparkProvider
from providers.spark.client import SparkClient, SparkClientConfig
from tests.contract.suite import Bench, ProviderContract


class TestSparkContract(ProviderContract):
    path_prefix = "/v1/"

    @pytest.fixture
    async def bench(self) -> AsyncIterator[Bench]:
        app = spark_sandbox.create_spark_sandbox(contact_count=90).app
        async with ServedApp(app) as served, aiohttp.ClientSession() as http:
            config = SparkClientConfig(served.base_url, spark_sandbox.PRIVATE_TOKEN)
            provider = SparkProvider(SparkClient(config))
            try:
                yield Bench(provider, served.base_url, http)
            finally:
                await provider.aclose()

    def valid_input(self, n: int) -> ContactInput:
        return ContactInput(
            display_name=f"Contract Person {n}", emails=(Email(f"contract{n}@example.org"),)
        )

    def change(self) -> tuple[ContactInput, str, object]:
        return ContactInput(organization="Acme Realty"), "organization", "Acme Realty"

    def invalid_input(self) -> tuple[ContactInput, FieldPath]:
        return ContactInput(display_name="x" * 76, emails=(Email("a@example.org"),)), (
            "displayName",
        )

    async def test_capabilities_state_sparks_paging_cap_and_batch_read(self, bench: Bench) -> None:
        capabilities = bench.provider.capabilities
        assert capabilities.max_page_size == 25
        assert capabilities.batch_read is True
        assert "Activity" in capabilities.expansions
