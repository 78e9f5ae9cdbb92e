"""Tenants: each has its own provider credentials, and never sees another's cached reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

import providers.spark.sandbox as spark_sandbox
from gateway.auth_settings import AuthSettings
from gateway.settings import SandboxSettings, SparkSettings, TenantSandbox, TenantSettings
from providers.sandboxing import ServedApp
from resolvers.access import Role
from tests.gateway.auth_support import AuthedGateway, authed_gateway, code_of, issue
from tests.harness import Sandbox

A = issue("agent-a-app", Role.PRIVATE)  # the default tenant
B = issue("agent-b-app", Role.PRIVATE, tenant="b")
C = issue("same-token-app", Role.PRIVATE, tenant="c")
LIST = "{ contacts(provider: SPARK, first: 10) { totalCount nodes { id } } }"
ONE = "query($id: ID!) { contact(id: $id) { id displayName } }"


def _spark(sandbox: Sandbox, token: str) -> SparkSettings:
    return SparkSettings(base_url=sandbox.base_url, access_token=SecretStr(token))


@pytest.fixture
async def spark() -> AsyncIterator[Sandbox]:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as served,
    ):
        yield Sandbox(served, http)


@pytest.fixture
async def gateway(spark: Sandbox) -> AsyncIterator[AuthedGateway]:
    """Spark agent A for `default`, agent B for `b`, agent A's token again for `c`."""
    tenants = {
        "b": TenantSettings(spark=_spark(spark, spark_sandbox.OTHER_AGENT_TOKEN)),
        "c": TenantSettings(spark=_spark(spark, spark_sandbox.PRIVATE_TOKEN)),
        "empty": TenantSettings(),
    }
    empty = issue("nothing-app", Role.PRIVATE, tenant="empty")
    async with authed_gateway(
        spark=_spark(spark, spark_sandbox.PRIVATE_TOKEN),
        tenants=tenants,
        sandbox=SandboxSettings(enabled=False),
        auth=AuthSettings(api_keys=(A.client, B.client, C.client, empty.client)),
    ) as running:
        running.app.state.test_empty_key = empty.key
        yield running


async def _ids(client_body: dict[str, object]) -> set[str]:
    contacts = client_body["contacts"]
    assert isinstance(contacts, dict)
    return {node["id"] for node in contacts["nodes"]}


async def test_interleaved_tenants_see_only_their_own_lists(
    gateway: AuthedGateway, spark: Sandbox
) -> None:
    a, b = gateway.as_key(A.key), gateway.as_key(B.key)
    first_a = await _ids(await a.data(LIST))
    first_b = await _ids(await b.data(LIST))
    assert first_a and first_b and not first_a & first_b
    await spark.forget()
    for _ in range(3):  # now cached for both: each still gets its own
        assert await _ids(await a.data(LIST)) == first_a
        assert await _ids(await b.data(LIST)) == first_b
    assert await spark.count() == 0, "both answered from their own cache entries"


async def test_a_record_cached_for_one_tenant_never_answers_another(
    gateway: AuthedGateway, spark: Sandbox
) -> None:
    a, b = gateway.as_key(A.key), gateway.as_key(B.key)
    (contact_id, *_) = await _ids(await a.data(LIST))
    assert (await a.data(ONE, id=contact_id))["contact"]["id"] == contact_id  # now cached
    await spark.forget()
    assert (await b.data(ONE, id=contact_id))["contact"] is None  # agent B may not see it
    assert await spark.count() == 1, "tenant b asked Spark itself"
    assert (await a.data(ONE, id=contact_id))["contact"]["id"] == contact_id
    assert await spark.count() == 1, "tenant a still has its cached copy"


async def test_tenants_sharing_a_credential_still_have_separate_caches(
    gateway: AuthedGateway, spark: Sandbox
) -> None:
    a, c = gateway.as_key(A.key), gateway.as_key(C.key)
    await spark.forget()
    await a.data(LIST)
    per_read = await spark.count()
    assert per_read > 0
    await c.data(LIST)  # same token, same query: still not a's cache entry
    assert await spark.count() == 2 * per_read
    await a.data(LIST)
    await c.data(LIST)
    assert await spark.count() == 2 * per_read, "each tenant's own entry answers it now"


async def test_a_tenant_without_credentials_has_no_providers(gateway: AuthedGateway) -> None:
    client = gateway.as_key(gateway.app.state.test_empty_key)
    assert code_of(await client.gql(LIST)) == "PROVIDER_NOT_CONFIGURED"
    assert (await client.data("{ providers { name } }"))["providers"] == []


async def test_sandbox_tenants_use_their_own_sandbox_identities() -> None:
    """Embedded sandboxes: tenant b is Spark agent B and the other IS24 realtor."""
    identity = TenantSandbox(spark="agent-b", is24="other")
    async with authed_gateway(
        tenants={"b": TenantSettings(sandbox=identity)}, auth=AuthSettings(api_keys=(B.client,))
    ) as gateway:
        default, b = gateway.anonymous(), gateway.as_key(B.key)
        for provider in ("SPARK", "IS24"):
            query = f"{{ contacts(provider: {provider}, first: 20) {{ nodes {{ id }} }} }}"
            mine, theirs = await _ids(await default.data(query)), await _ids(await b.data(query))
            assert mine and theirs and not mine & theirs, provider
        sandboxes = (await b.data("{ providers { name sandbox } }"))["providers"]
        assert all(p["sandbox"] for p in sandboxes)
