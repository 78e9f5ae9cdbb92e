"""Build the configured providers (real accounts or the embedded sandboxes)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr

from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import AutoDnsSettings, Settings, SparkSettings
from providers.autodns.adapter import AutoDnsProvider
from providers.autodns.client import AutoDnsClient, AutoDnsClientConfig
from providers.model import ProviderName
from providers.registry import ProviderEntry, ProviderSet, credential_scope
from providers.spark.adapter import SparkProvider
from providers.spark.client import SparkClient, SparkClientConfig
from providers.spark.types import SparkRole
from providers.telemetry import UpstreamObserver


def spark_entry(
    settings: SparkSettings, *, sandbox: bool, observers: Sequence[UpstreamObserver] = ()
) -> ProviderEntry:
    config = SparkClientConfig(
        base_url=settings.base_url,
        access_token=settings.access_token.get_secret_value(),
        role=settings.role,
        replication=settings.replication,
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.total_timeout,
        pool_limit=settings.pool_limit,
    )
    client = SparkClient(config, observers=observers)
    provider = SparkProvider(client, default_region=settings.default_region)
    scope = credential_scope(
        ProviderName.SPARK, settings.base_url, config.access_token, settings.role.value
    )
    return ProviderEntry(provider, settings.base_url, sandbox, cache_scope=scope)


def autodns_entry(
    settings: AutoDnsSettings, *, sandbox: bool, observers: Sequence[UpstreamObserver] = ()
) -> ProviderEntry:
    config = AutoDnsClientConfig(
        base_url=settings.base_url,
        user=settings.user,
        password=settings.password.get_secret_value(),
        context=settings.context,
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.total_timeout,
        pool_limit=settings.pool_limit,
    )
    provider = AutoDnsProvider(AutoDnsClient(config, observers=observers))
    scope = credential_scope(ProviderName.AUTODNS, settings.base_url, config.user, config.context)
    return ProviderEntry(provider, settings.base_url, sandbox, cache_scope=scope)


def build_providers(
    settings: Settings,
    sandboxes: EmbeddedSandboxes,
    observers: Sequence[UpstreamObserver] = (),
) -> ProviderSet:
    """Entries for every configured provider; `observers` watch their upstream calls."""
    entries: dict[ProviderName, ProviderEntry] = {}
    if settings.spark is not None:
        entries[ProviderName.SPARK] = spark_entry(
            settings.spark, sandbox=False, observers=observers
        )
    elif "spark" in sandboxes.running:
        running = sandboxes.running["spark"]
        sandbox_settings = SparkSettings(
            base_url=running.base_url,
            access_token=SecretStr(running.credentials["access_token"]),
            role=SparkRole(running.credentials["role"]),
        )
        entries[ProviderName.SPARK] = spark_entry(
            sandbox_settings, sandbox=True, observers=observers
        )
    if settings.autodns is not None:
        entries[ProviderName.AUTODNS] = autodns_entry(
            settings.autodns, sandbox=False, observers=observers
        )
    elif "autodns" in sandboxes.running:
        running = sandboxes.running["autodns"]
        sandbox_settings_autodns = AutoDnsSettings(
            base_url=f"{running.base_url}/v1",
            user=running.credentials["user"],
            password=SecretStr(running.credentials["password"]),
            context=running.credentials["context"],
        )
        entries[ProviderName.AUTODNS] = autodns_entry(
            sandbox_settings_autodns, sandbox=True, observers=observers
        )
    return ProviderSet(entries)
