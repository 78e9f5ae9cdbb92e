"""One provider set per tenant, built at start-up; a request uses its caller's tenant's.

The top-level provider sections are the `default` tenant's; `[tenants.<name>]` give
other tenants their own credentials. Where the embedded sandboxes run, a tenant
without a section gets the sandbox, as its own sandbox identity (Spark has several
tokens, IS24 two realtors), so tenant isolation can be exercised for real.
Every entry's cache scope names its tenant: one tenant's cached reads never answer
another's, even when both use the same credential.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

from pydantic import SecretStr

import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.providers import autodns_entry, is24_entry, spark_entry
from gateway.sandboxes import EmbeddedSandboxes, RunningSandbox
from gateway.settings import (
    AutoDnsSettings,
    Is24Settings,
    Settings,
    SparkSandboxIdentity,
    SparkSettings,
    TenantSandbox,
    TenantSettings,
)
from providers.model import ProviderName
from providers.registry import ProviderEntry, ProviderSet, credential_scope
from providers.spark.types import SparkRole
from providers.telemetry import UpstreamObserver
from resolvers.access import DEFAULT_TENANT

SPARK_IDENTITIES: Final[dict[SparkSandboxIdentity, str]] = {
    "private": spark_sandbox.PRIVATE_TOKEN,
    "idx": spark_sandbox.IDX_TOKEN,
    "public": spark_sandbox.PUBLIC_TOKEN,
    "vow": spark_sandbox.VOW_TOKEN,
    "portal": spark_sandbox.PORTAL_TOKEN,
    "replication": spark_sandbox.REPLICATION_TOKEN,
    "agent-b": spark_sandbox.OTHER_AGENT_TOKEN,
}
IS24_IDENTITIES: Final = {
    "default": (is24_sandbox.ACCESS_TOKEN, is24_sandbox.TOKEN_SECRET),
    "other": (is24_sandbox.OTHER_ACCESS_TOKEN, is24_sandbox.OTHER_TOKEN_SECRET),
}


class Tenants(Mapping[str, ProviderSet]):
    """Tenant name → its providers; `default` always exists."""

    def __init__(self, sets: dict[str, ProviderSet]) -> None:
        self._sets = sets

    def __getitem__(self, tenant: str) -> ProviderSet:
        return self._sets[tenant]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sets)

    def __len__(self) -> int:
        return len(self._sets)

    async def aclose(self) -> None:
        for providers in self._sets.values():
            await providers.aclose()


def build_tenants(
    settings: Settings, sandboxes: EmbeddedSandboxes, observers: Sequence[UpstreamObserver] = ()
) -> Tenants:
    default = TenantSettings(spark=settings.spark, is24=settings.is24, autodns=settings.autodns)
    groups = {DEFAULT_TENANT: default, **settings.tenants}
    return Tenants(
        {
            name: tenant_providers(name, group, sandboxes, observers)
            for name, group in groups.items()
        }
    )


def tenant_providers(
    tenant: str,
    group: TenantSettings,
    sandboxes: EmbeddedSandboxes,
    observers: Sequence[UpstreamObserver] = (),
) -> ProviderSet:
    running = sandboxes.running
    entries: dict[ProviderName, ProviderEntry] = {}
    spark = group.spark or _sandbox_spark(running.get("spark"), group.sandbox)
    if spark is not None:
        entries[ProviderName.SPARK] = spark_entry(
            spark, sandbox=group.spark is None, observers=observers
        )
    is24 = group.is24 or _sandbox_is24(running.get("is24"), group.sandbox)
    if is24 is not None:
        entries[ProviderName.IS24] = is24_entry(
            is24, sandbox=group.is24 is None, observers=observers
        )
    autodns = group.autodns or _sandbox_autodns(running.get("autodns"))
    if autodns is not None:
        entries[ProviderName.AUTODNS] = autodns_entry(
            autodns, sandbox=group.autodns is None, observers=observers
        )
    for entry in entries.values():
        entry.cache_scope = tenant_scope(tenant, entry)
    return ProviderSet(entries)


def tenant_scope(tenant: str, entry: ProviderEntry) -> str:
    """The entry's credential scope (provider, base URL, credential id, role), per tenant."""
    return credential_scope(entry.provider.name, "tenant", tenant, entry.cache_scope)


def _sandbox_spark(running: RunningSandbox | None, identity: TenantSandbox) -> SparkSettings | None:
    if running is None:
        return None
    name = identity.spark
    token = SPARK_IDENTITIES[name] if name else running.credentials["access_token"]
    return SparkSettings(
        base_url=running.base_url,
        access_token=SecretStr(token),
        role=SparkRole(spark_sandbox.SPARK_SANDBOX_TOKENS[token]),
        replication=name == "replication",
    )


def _sandbox_is24(running: RunningSandbox | None, identity: TenantSandbox) -> Is24Settings | None:
    if running is None:
        return None
    access_token, token_secret = IS24_IDENTITIES[identity.is24]
    return Is24Settings(
        base_url=f"{running.base_url}/restapi/api",
        consumer_key=running.credentials["consumer_key"],
        consumer_secret=SecretStr(running.credentials["consumer_secret"]),
        access_token=access_token,
        token_secret=SecretStr(token_secret),
        username="me",
    )


def _sandbox_autodns(running: RunningSandbox | None) -> AutoDnsSettings | None:
    if running is None:
        return None
    return AutoDnsSettings(
        base_url=f"{running.base_url}/v1",
        user=running.credentials["user"],
        password=SecretStr(running.credentials["password"]),
        context=running.credentials["context"],
    )
