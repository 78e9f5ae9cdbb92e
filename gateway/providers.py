"""Build the configured providers (real accounts or the embedded sandboxes)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr

from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import Settings, SparkSettings
from providers.model import ProviderName
from providers.registry import ProviderEntry, ProviderSet
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
    return ProviderEntry(provider, settings.base_url, sandbox)


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
    return ProviderSet(entries)
