"""Typed settings, built once at start-up from a TOML file and the environment.

Precedence: environment (`CONTACT_GATEWAY_…`, nested with `__`) over the config
file over the defaults. Unknown keys and bad values fail start-up with a clear
message (pydantic-settings does the parsing; we only declare).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from gateway.auth_settings import NAME, AuthSettings, CorsSettings, check_auth
from gateway.cache_url import check_cache_url
from gateway.subscription_settings import SubscriptionSettings
from providers.http import require_https
from providers.spark.types import SparkRole

ENV_PREFIX = "CONTACT_GATEWAY_"


class UpstreamSettings(BaseModel):
    """Per-provider HTTP limits (RELIABILITY.md: aiohttp's own defaults are unsafe)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _https_unless_loopback(cls, url: str) -> str:
        """Checked at start-up so a bad URL stops `serve` with exit code 2."""
        require_https(url, "a provider base_url")
        return url

    connect_timeout: float = Field(2.0, gt=0, description="seconds to open a connection")
    total_timeout: float = Field(4.0, gt=0, description="seconds for one whole attempt")
    pool_limit: int = Field(20, ge=1, le=500, description="connections to this provider")
    max_concurrent: int = Field(
        20, ge=1, le=500, description="requests in flight to this provider (a bulkhead)"
    )
    rate_limit_per_second: float | None = Field(
        None, gt=0, description="the account's rate limit, kept client-side (None: off)"
    )
    rate_limit_burst: int = Field(10, ge=1, description="requests the rate limit lets out at once")
    max_retries: int = Field(2, ge=0, le=5, description="retries of a failed read (never writes)")
    retry_backoff_initial: float = Field(0.1, gt=0, description="first backoff window, seconds")
    retry_backoff_max: float = Field(1.0, gt=0, description="backoff cap, seconds (full jitter)")
    retry_budget: float = Field(
        0.2, ge=0, le=1, description="retries may add at most this share to the calls"
    )
    circuit_consecutive_failures: int = Field(
        5, ge=1, description="failed attempts in a row that open the circuit breaker"
    )
    circuit_failure_rate: float = Field(
        0.5, gt=0, le=1, description="share of the last 20 attempts (min 10) that opens it"
    )
    circuit_open_seconds: float = Field(30.0, gt=0, description="how long it stays open")


class SparkSettings(UpstreamSettings):
    """A real Spark Platform account (omit the section to use the sandbox)."""

    base_url: str = Field("https://sparkapi.com", description="API root, without /v1")
    access_token: SecretStr = Field(description="OAuth 2 or MLS-issued access token")
    role: SparkRole = Field(SparkRole.PRIVATE, description="the token's Spark role")
    replication: bool = Field(False, description="replication key: pages of up to 1000")
    default_region: str = Field(
        "US", min_length=2, max_length=2, description="country for numbers without +CC"
    )


class Is24Settings(UpstreamSettings):
    """A real ImmobilienScout24 account (OAuth 1.0a: system key + authorised user)."""

    base_url: str = Field(
        "https://rest.immobilienscout24.de/restapi/api", description="REST API root"
    )
    consumer_key: str = Field(description="system key")
    consumer_secret: SecretStr = Field(description="system key secret")
    access_token: str = Field(description="the authorised user's token")
    token_secret: SecretStr = Field(description="the authorised user's token secret")
    username: str = Field("me", description="IS24 login name, or 'me' (three-legged OAuth)")
    media_type: Literal["json", "xml"] = Field("json", description="wire format")


class AutoDnsSettings(UpstreamSettings):
    """A real InterNetX AutoDNS account (HTTP Basic + context header)."""

    base_url: str = Field("https://api.autodns.com/v1", description="JSON API root")
    user: str
    password: SecretStr
    context: str = Field("4", pattern=r"^[0-9]+$", description="X-Domainrobot-Context")


class SandboxSettings(BaseModel):
    """The embedded provider sandboxes, used when no real provider is configured."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool | None = Field(None, description="None: on when no provider is configured")
    host: str = "127.0.0.1"
    spark_port: int = Field(0, ge=0, le=65535, description="0 picks a free port")
    spark_role: SparkRole = Field(SparkRole.PRIVATE, description="which sandbox token to use")
    is24_port: int = Field(0, ge=0, le=65535, description="0 picks a free port")
    autodns_port: int = Field(0, ge=0, le=65535, description="0 picks a free port")

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            raise ValueError("sandboxes listen on loopback only")
        return host


SparkSandboxIdentity = Literal[
    "private", "idx", "public", "vow", "portal", "replication", "agent-b"
]


class TenantSandbox(BaseModel):
    """Which sandbox identity a tenant uses where a sandbox stands in for a provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spark: SparkSandboxIdentity | None = Field(
        None, description="a Spark sandbox token (None: the one of sandbox.spark_role)"
    )
    is24: Literal["default", "other"] = Field("default", description="an IS24 sandbox realtor")


class TenantSettings(BaseModel):
    """One tenant's own provider credentials (the top-level sections are `default`'s)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spark: SparkSettings | None = None
    is24: Is24Settings | None = None
    autodns: AutoDnsSettings | None = None
    sandbox: TenantSandbox = TenantSandbox()


class ProviderTtl(BaseModel):
    """How long one provider's reads stay fresh in the cache (RELIABILITY.md: 60 to 300 s)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    records: float = Field(120.0, ge=0, le=3600, description="seconds a record stays fresh")
    lists: float = Field(60.0, ge=0, le=3600, description="seconds a list page stays fresh")
    stale_if_error: float = Field(
        86_400.0, ge=0, le=86_400, description="seconds a stale copy may stand in on failure"
    )


class CacheSettings(BaseModel):
    """The read cache in the gateway's SQLite file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    max_entries: int = Field(50_000, ge=100, description="least recently used beyond this go")
    responses: int = Field(
        256,
        ge=0,
        le=10_000,
        description="answers of repeated read queries kept in each process and replayed while "
        "the cache entries they came from are unchanged (gateway/response_cache.py); 0: off",
    )
    spark: ProviderTtl = ProviderTtl()
    is24: ProviderTtl = ProviderTtl(records=300.0, lists=120.0)
    autodns: ProviderTtl = ProviderTtl(records=300.0, lists=120.0)


class IdempotencySettings(BaseModel):
    """The idempotency-key ledger in the SQLite file (RELIABILITY.md: keys kept 24 h)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttl: float = Field(
        86_400.0, ge=1, le=7 * 86_400, description="seconds a key and its result are kept"
    )
    in_flight_lease: float = Field(
        60.0,
        gt=0,
        description="seconds after which a write still marked in flight is taken for lost "
        "(its gateway stopped): longer than any request deadline",
    )


class PersistedQuerySettings(BaseModel):
    """Automatic persisted queries (APQ) and the optional allow-list mode."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(True, description="accept APQ hashes and registrations")
    allow_list: Path | None = Field(
        None, description="manifest file: when set, ONLY its documents may run"
    )

    get_cache_control: str | None = Field(
        None,
        description="Cache-Control for successful GET persisted queries without "
        "Authorization, e.g. 'public, max-age=60' so a CDN may cache them. Off by default: "
        "contact data is personal.",
    )

    @field_validator("allow_list")
    @classmethod
    def _exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"allow-list file not found: {path}")
        return path


class LimitSettings(BaseModel):
    """Document limits (gateway/limits): abusive requests are refused before any provider
    is called. Defaults from RELIABILITY.md (graphql-armor, Apollo, GitHub)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(262_144, ge=1024, le=16_777_216, description="request body")
    max_length: int = Field(15_000, ge=100, description="characters in a GraphQL document")
    max_tokens: int = Field(1_000, ge=50, description="lexical tokens in a document")
    max_depth: int = Field(8, ge=1, description="field nesting (introspection exempt)")
    max_aliases: int = Field(15, ge=0, description="aliases in an operation")
    max_directives: int = Field(50, ge=0, description="directives in an operation")
    max_root_fields: int = Field(10, ge=1, description="top-level fields in an operation")
    max_first: int = Field(
        100, ge=1, le=100, description="largest `first`, and most `ids` read at once"
    )
    max_list_items: int = Field(  # Shopify caps input lists at 250; Spark's filters take 200
        250, ge=1, le=1000, description="items in any other list argument or variable"
    )
    max_upstream_calls: int = Field(
        25, ge=1, le=1000, description="provider calls per operation: estimated, then enforced"
    )
    introspection: bool = Field(True, description="false: __schema/__type are refused")
    hide_suggestions: bool | None = Field(
        None, description="no 'Did you mean' in errors; None: hidden unless on the sandboxes"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    host: str = Field("127.0.0.1", description="address the gateway listens on")
    request_deadline: float = Field(
        10.0, gt=0, le=300, description="seconds a GraphQL request may spend on providers"
    )
    port: int = Field(8000, ge=0, le=65535)
    log_level: str = Field("info", pattern="^(debug|info|warning|error)$")
    graphiql: bool = Field(True, description="serve GraphiQL on GET /graphql")
    federation: bool = Field(
        False, description="serve /graphql as an Apollo Federation v2 subgraph (README)"
    )
    planned_completion: bool = Field(
        True,
        description="complete plain-data selections by a plan instead of field by field "
        "(resolvers/planned_completion.py); false runs graphql-core's completion everywhere",
    )
    data_dir: Path = Field(
        Path(".contact-gateway"), description="where the gateway's SQLite file lives"
    )
    cache_url: SecretStr | None = Field(
        None,
        description="None: cache, APQ and idempotency ledger in the SQLite file in data_dir; "
        "redis://host:port/db (or rediss://, unix://): all of them in that Redis, shared by "
        "every gateway process, with the change bus on its pub/sub (checked by load_settings)",
    )
    persisted_queries: PersistedQuerySettings = PersistedQuerySettings()
    cache: CacheSettings = CacheSettings()
    idempotency: IdempotencySettings = IdempotencySettings()
    limits: LimitSettings = LimitSettings()
    subscriptions: SubscriptionSettings = SubscriptionSettings()
    tracing: Literal["off", "console", "otlp"] = Field(
        "off", description="OpenTelemetry span export (otlp needs the [otlp] extra)"
    )
    spark: SparkSettings | None = None
    is24: Is24Settings | None = None
    autodns: AutoDnsSettings | None = None
    sandbox: SandboxSettings = SandboxSettings()
    auth: AuthSettings = AuthSettings()
    cors: CorsSettings = CorsSettings()
    tenants: dict[str, TenantSettings] = Field(
        default_factory=dict, description="more tenants, each with its own provider credentials"
    )

    @field_validator("tenants")
    @classmethod
    def _tenant_names(cls, tenants: dict[str, TenantSettings]) -> dict[str, TenantSettings]:
        for name in tenants:
            if name == "default" or not re.fullmatch(NAME, name):
                raise ValueError(f"tenants: bad name {name!r} (the top level is 'default')")
        return tenants

    @model_validator(mode="after")
    def _who_may_call(self) -> Settings:
        """Real providers are never open to unauthenticated callers (gateway/auth_settings)."""
        check_auth(self)
        return self

    @property
    def database_path(self) -> Path:
        return self.data_dir / "gateway.sqlite3"

    @property
    def use_sandboxes(self) -> bool:
        if self.sandbox.enabled is not None:
            return self.sandbox.enabled
        return self.spark is None and self.is24 is None and self.autodns is None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment wins over constructor values (which carry the config file)."""
        return env_settings, init_settings


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from an optional TOML file and the environment; `overrides` (CLI flags) win."""
    data: dict[str, Any] = {}
    if config_file is not None:
        if not config_file.is_file():
            raise FileNotFoundError(f"config file not found: {config_file}")
        with config_file.open("rb") as handle:
            data = tomllib.load(handle)
    _refuse_unknown_environment()
    settings = Settings(**data)
    check_cache_url(settings.cache_url)
    return settings.model_copy(update=overrides) if overrides else settings


def _refuse_unknown_environment() -> None:
    """A mistyped CONTACT_GATEWAY_… variable would otherwise be silently ignored."""
    known = set(Settings.model_fields)
    for name in os.environ:
        if name.startswith(ENV_PREFIX):
            field_name = name[len(ENV_PREFIX) :].split("__", 1)[0].lower()
            if field_name not in known:
                raise ValueError(f"unknown setting in the environment: {name}")
