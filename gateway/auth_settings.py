"""Settings of who may call: the `auth` and `cors` sections, and the start-up policy.

Policy (checked when settings load, so a bad setup never starts serving):
- `auth.mode` unset → `open` only when no provider section is configured at all (the
  embedded sandboxes), else `required`.
- `open` is refused when any configured provider (top level or a tenant's) is real, i.e.
  not on loopback: real credentials are never reachable without authentication.
- `required` needs a way in: API keys or a JWT key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from yarl import URL

from providers.http import LOOPBACK_HOSTS
from resolvers.access import DEFAULT_TENANT, Role

if TYPE_CHECKING:
    from gateway.settings import Settings

AuthMode = Literal["open", "required"]
HMAC_ALGORITHMS: Final = frozenset({"HS256", "HS384", "HS512"})
PUBLIC_KEY_ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
JwtAlgorithm = Literal[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA",
]  # fmt: skip
"""The allow-list vocabulary: "none" is not in it, so it can never be configured."""
MIN_HMAC_SECRET: Final = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash
NAME: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class ApiKeyClient(BaseModel):
    """One API-key client. Only the key's SHA-256 is configured (see gateway/api_keys.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=NAME, description="the client's name (logs, never the key)")
    sha256: str = Field(description="hex SHA-256 of the key (contact-gateway auth new-key)")
    tenant: str = Field(DEFAULT_TENANT, pattern=NAME, description="whose providers it uses")
    role: Role = Field(description="what it may do: private, idx, public, vow, portal")

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError("sha256 must be 64 hex digits (contact-gateway auth new-key)")
        return value.lower()


class JwtSettings(BaseModel):
    """Bearer tokens signed by an identity provider: verified with `key`, never minted here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SecretStr | None = Field(None, description="HS* shared secret, or a PEM public key")
    key_file: Path | None = Field(None, description="a file holding the PEM public key")
    algorithms: tuple[JwtAlgorithm, ...] = Field(
        min_length=1, description="accepted algorithms, one family (HS* or public-key)"
    )
    audience: str | None = Field(None, description="required `aud` when set")
    issuer: str | None = Field(None, description="required `iss` when set")
    leeway: float = Field(30.0, ge=0, le=300, description="clock skew allowed, seconds")
    client_claim: str = Field("sub", description="claim naming the client")
    tenant_claim: str = Field("tenant", description="claim naming the tenant")
    role_claim: str = Field("role", description="claim naming the role")

    @model_validator(mode="after")
    def _one_key_one_family(self) -> JwtSettings:
        if (self.key is None) == (self.key_file is None):
            raise ValueError("auth.jwt needs exactly one of key and key_file")
        if self.key_file is not None and not self.key_file.is_file():
            raise ValueError(f"auth.jwt.key_file not found: {self.key_file}")
        hmac = set(self.algorithms) <= HMAC_ALGORITHMS
        if not hmac and not set(self.algorithms) <= PUBLIC_KEY_ALGORITHMS:
            raise ValueError("auth.jwt.algorithms mixes HS* with public-key algorithms")
        pem = "-----BEGIN" in self.key_material()
        if hmac and (pem or len(self.key_material()) < MIN_HMAC_SECRET):
            raise ValueError(f"an HS* secret is at least {MIN_HMAC_SECRET} characters, not a PEM")
        if not hmac and "PUBLIC KEY-----" not in self.key_material():
            raise ValueError("public-key algorithms need a PEM public key (never a private key)")
        return self

    def key_material(self) -> str:
        if self.key_file is not None:
            return self.key_file.read_text(encoding="utf-8")
        assert self.key is not None
        return self.key.get_secret_value()


class AuthSettings(BaseModel):
    """How gateway clients authenticate (API keys and/or JWTs) and whether they must."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: AuthMode | None = Field(
        None, description="open | required; unset: open only with nothing but sandboxes"
    )
    open_role: Role = Field(Role.PRIVATE, description="role of unauthenticated calls when open")
    api_keys: tuple[ApiKeyClient, ...] = ()
    jwt: JwtSettings | None = None

    @field_validator("api_keys")
    @classmethod
    def _unique(cls, clients: tuple[ApiKeyClient, ...]) -> tuple[ApiKeyClient, ...]:
        if len({c.id for c in clients}) != len(clients):
            raise ValueError("auth.api_keys: client ids must be unique")
        if len({c.sha256 for c in clients}) != len(clients):
            raise ValueError("auth.api_keys: two clients have the same key")
        return clients


class CorsSettings(BaseModel):
    """Cross-origin browser access: none unless origins are listed, each one exactly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_origins: tuple[str, ...] = Field((), description="exact origins, e.g. https://app.x")
    allow_credentials: bool = Field(False, description="let browsers send cookies/auth")
    max_age: int = Field(600, ge=0, le=86_400, description="seconds a preflight is cached")

    @field_validator("allow_origins")
    @classmethod
    def _exact(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            url = URL(origin)
            exact = url.scheme in ("http", "https") and url.host and str(url.origin()) == origin
            if not exact:
                raise ValueError(f"cors.allow_origins: {origin!r} is not an exact origin")
        return origins


def provider_sections(settings: Settings) -> Iterator[tuple[str, str, str]]:
    """(tenant, provider, base_url) of every configured provider section."""
    groups = [(DEFAULT_TENANT, settings), *settings.tenants.items()]
    for tenant, group in groups:
        for provider in ("spark", "is24", "autodns"):
            section = getattr(group, provider)
            if section is not None:
                yield tenant, provider, section.base_url


def auth_mode(settings: Settings) -> AuthMode:
    if settings.auth.mode is not None:
        return settings.auth.mode
    return "required" if any(provider_sections(settings)) else "open"


def check_auth(settings: Settings) -> None:
    """The start-up policy in the module docstring; raises ValueError with the remedy."""
    known = {DEFAULT_TENANT, *settings.tenants}
    for client in settings.auth.api_keys:
        if client.tenant not in known:
            raise ValueError(f"auth.api_keys {client.id!r}: unknown tenant {client.tenant!r}")
    if auth_mode(settings) == "open":
        for tenant, provider, base_url in provider_sections(settings):
            if URL(base_url).host not in LOOPBACK_HOSTS:
                raise ValueError(
                    f"auth.mode 'open' refused: {provider} of tenant {tenant!r} is a real "
                    "provider; configure auth.api_keys or auth.jwt (auth.mode 'required')"
                )
    elif not settings.auth.api_keys and settings.auth.jwt is None:
        raise ValueError(
            "authentication is required (a provider is configured) but no client can "
            "authenticate: add [[auth.api_keys]] (contact-gateway auth new-key) or [auth.jwt]"
        )
