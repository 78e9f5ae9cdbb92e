"""IS24 fills the provider contract, once per media type (JSON and XML on the wire)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

import providers.is24.sandbox as is24_sandbox
from providers.is24.adapter import Is24Provider
from providers.is24.client import Is24Client, Is24ClientConfig
from providers.is24.xml_codec import MediaType
from providers.model import (
    Address,
    ContactInput,
    Email,
    FieldPath,
    PhoneInput,
    PhoneKind,
)
from providers.sandboxing import ServedApp
from tests.contract.suite import Bench, ProviderContract


def is24_config(
    base_url: str, media: MediaType = MediaType.JSON, *, token_secret: str | None = None
) -> Is24ClientConfig:
    """A client config for the sandbox user (the sandbox base URL, without /restapi/api)."""
    return Is24ClientConfig(
        f"{base_url}/restapi/api",
        is24_sandbox.CONSUMER_KEY,
        is24_sandbox.CONSUMER_SECRET,
        is24_sandbox.ACCESS_TOKEN,
        token_secret or is24_sandbox.TOKEN_SECRET,
        media_type=media,
    )


class TestIs24Contract(ProviderContract):
    path_prefix = "/restapi/api/offer/v1.0/user/me/contact"

    @pytest.fixture(params=[MediaType.JSON, MediaType.XML], ids=["json", "xml"])
    async def bench(self, request: pytest.FixtureRequest) -> AsyncIterator[Bench]:
        app = is24_sandbox.create_is24_sandbox(contact_count=90).app
        async with ServedApp(app) as served, aiohttp.ClientSession() as http:
            provider = Is24Provider(Is24Client(is24_config(served.base_url, request.param)))
            try:
                yield Bench(provider, served.base_url, http)
            finally:
                await provider.aclose()

    def valid_input(self, n: int) -> ContactInput:
        return ContactInput(
            given_name="Contract",
            family_name=f"Person {n}",
            emails=(Email(f"contract{n}@example.org"),),
            phones=(
                PhoneInput(PhoneKind.WORK, country_code="+49", area_code="30", subscriber="5550"),
            ),
            addresses=(
                Address(
                    street_lines=("Invalidenstraße",),
                    house_number="65",
                    postal_code="10557",
                    locality="Berlin",
                    country="DEU",
                ),
            ),
        )

    def change(self) -> tuple[ContactInput, str, object]:
        return ContactInput(position="Teamleitung Vermietung"), "position", "Teamleitung Vermietung"

    def invalid_input(self) -> tuple[ContactInput, FieldPath]:
        base = self.valid_input(9)
        phone = PhoneInput(PhoneKind.WORK, country_code="0049", area_code="30", subscriber="5550")
        return (
            ContactInput(family_name=base.family_name, emails=base.emails, phones=(phone,)),
            ("phones", "0", "countryCode"),
        )

    async def test_capabilities_state_no_batch_read_and_local_filtering(self, bench: Bench) -> None:
        capabilities = bench.provider.capabilities
        assert capabilities.batch_read is False
        assert capabilities.expansions == frozenset()
        assert "locally" in capabilities.notes["filtering"]
