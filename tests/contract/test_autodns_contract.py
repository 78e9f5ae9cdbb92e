"""AutoDNS fills the provider contract."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

import providers.autodns.sandbox as autodns_sandbox
from providers.autodns.adapter import AutoDnsProvider
from providers.autodns.client import AutoDnsClient, AutoDnsClientConfig
from providers.autodns.types import AutoDnsContactInput, ContactType
from providers.model import Address, ContactInput, Email, FieldPath, PhoneInput, PhoneKind
from providers.sandboxing import ServedApp
from tests.contract.suite import Bench, ProviderContract


class TestAutoDnsContract(ProviderContract):
    path_prefix = "/v1/contact"

    @pytest.fixture
    async def bench(self) -> AsyncIterator[Bench]:
        app = autodns_sandbox.create_autodns_sandbox(contact_count=90).app
        async with ServedApp(app) as served, aiohttp.ClientSession() as http:
            config = AutoDnsClientConfig(
                f"{served.base_url}/v1",
                autodns_sandbox.USER,
                autodns_sandbox.PASSWORD,
                autodns_sandbox.CONTEXT,
            )
            provider = AutoDnsProvider(AutoDnsClient(config))
            try:
                yield Bench(provider, served.base_url, http)
            finally:
                await provider.aclose()

    def valid_input(self, n: int) -> ContactInput:
        return ContactInput(
            given_name="Contract",
            family_name=f"Person{'abcdefghij'[n % 10]}",
            emails=(Email(f"contract{n}@example.org"),),
            phones=(PhoneInput(PhoneKind.PRIMARY, "+499411234567"),),
            addresses=(
                Address(
                    street_lines=("Lindenstraße 5",),
                    postal_code="93047",
                    locality="Regensburg",
                    country="DE",
                ),
            ),
            extras=AutoDnsContactInput(alias=f"contract-{n}", type=ContactType.PERSON),
        )

    def change(self) -> tuple[ContactInput, str, object]:
        return ContactInput(organization="Acme Hosting GmbH"), "organization", "Acme Hosting GmbH"

    def invalid_input(self) -> tuple[ContactInput, FieldPath]:
        base = self.valid_input(9)
        return (
            ContactInput(
                given_name="4711",
                family_name=base.family_name,
                emails=base.emails,
                addresses=base.addresses,
                extras=base.extras,
            ),
            ("givenName",),
        )

    async def test_capabilities_state_search_batches_and_no_expansions(self, bench: Bench) -> None:
        capabilities = bench.provider.capabilities
        assert capabilities.batch_read is True
        assert capabilities.expansions == frozenset()
        assert "tags" not in capabilities.filterable_fields
