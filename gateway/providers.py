"""Build the configured providers (real accounts or the embedded sandboxes)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr

from gateway.record_codec import register_extras
from gateway.sandboxes import EmbeddedSandboxes, RunningSandbox
from gateway.settings import AutoDnsSettings, Is24Settings, Settings, SparkSettings
from providers.autodns.adapter import AutoDnsProvider
from providers.autodns.client import AutoDnsClient, AutoDnsClientConfig
from providers.base import ContactProvider
from providers.breaker import BreakerSettings, CircuitBreaker
from providers.is24.adapter import Is24Provider
from providers.is24.client import Is24Client, Is24ClientConfig
from providers.is24.types import Is24Extras
from providers.is24.xml_codec import MediaType
from providers.limits import LimitSettings, UpstreamLimits
from providers.model import ProviderName
from providers.registry import ProviderEntry, ProviderSet, credential_scope
from providers.retry import RetryPolicy
from providers.spark.adapter import SparkProvider
from providers.spark.client import SparkClient, SparkClientConfig
from providers.spark.types import SparkRole
from providers.telemetry import UpstreamObserver

register_extras(Is24Extras)  # cached IS24 records keep their IS24 fields


def _entry(
    provider: ContactProvider,
    settings: SparkSettings | Is24Settings | AutoDnsSettings,
    *,
    sandbox: bool,
    scope: str,
) -> ProviderEntry:
    """The entry with this provider's bulkhead, rate limit, retry policy and circuit
    breaker (sandboxes get the same defaults as real accounts)."""
    limits = LimitSettings(
        settings.max_concurrent, settings.rate_limit_per_second, settings.rate_limit_burst
    )
    retry = RetryPolicy(
        max_retries=settings.max_retries,
        backoff_initial=settings.retry_backoff_initial,
        backoff_max=settings.retry_backoff_max,
        budget_ratio=settings.retry_budget,
    )
    breaker = BreakerSettings(
        consecutive_failures=settings.circuit_consecutive_failures,
        failure_rate=settings.circuit_failure_rate,
        open_seconds=settings.circuit_open_seconds,
    )
    return ProviderEntry(
        provider,
        settings.base_url,
        sandbox,
        cache_scope=scope,
        breaker=CircuitBreaker(breaker),
        limits=UpstreamLimits(limits),
        retry=retry,
    )


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
    return _entry(provider, settings, sandbox=sandbox, scope=scope)


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
    return _entry(provider, settings, sandbox=sandbox, scope=scope)


def is24_entry(
    settings: Is24Settings, *, sandbox: bool, observers: Sequence[UpstreamObserver] = ()
) -> ProviderEntry:
    config = Is24ClientConfig(
        base_url=settings.base_url,
        consumer_key=settings.consumer_key,
        consumer_secret=settings.consumer_secret.get_secret_value(),
        access_token=settings.access_token,
        token_secret=settings.token_secret.get_secret_value(),
        username=settings.username,
        media_type=MediaType.XML if settings.media_type == "xml" else MediaType.JSON,
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.total_timeout,
        pool_limit=settings.pool_limit,
    )
    provider = Is24Provider(Is24Client(config, observers=observers))
    scope = credential_scope(
        ProviderName.IS24,
        settings.base_url,
        settings.consumer_key,
        settings.access_token,
        settings.username,
    )
    return _entry(provider, settings, sandbox=sandbox, scope=scope)


def _sandbox_is24_settings(running: RunningSandbox) -> Is24Settings:
    """The embedded IS24 sandbox as an account: its API root, keys, and `me`."""
    credentials = running.credentials
    return Is24Settings(
        base_url=f"{running.base_url}/restapi/api",
        consumer_key=credentials["consumer_key"],
        consumer_secret=SecretStr(credentials["consumer_secret"]),
        access_token=credentials["access_token"],
        token_secret=SecretStr(credentials["token_secret"]),
        username="me",
    )


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
    if settings.is24 is not None:
        entries[ProviderName.IS24] = is24_entry(settings.is24, sandbox=False, observers=observers)
    elif "is24" in sandboxes.running:
        entries[ProviderName.IS24] = is24_entry(
            _sandbox_is24_settings(sandboxes.running["is24"]), sandbox=True, observers=observers
        )
    return ProviderSet(entries)
