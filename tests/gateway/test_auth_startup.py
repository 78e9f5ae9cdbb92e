"""Start-up policy: real providers are never served open; open sandboxes say so loudly."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr, ValidationError
from starlette.datastructures import Headers

from gateway.app import create_app
from gateway.auth import Authenticator
from gateway.auth_settings import AuthSettings, CorsSettings, JwtSettings, auth_mode
from gateway.cli import main
from gateway.settings import Settings, SparkSettings, TenantSettings, load_settings
from providers.sandboxing import ServedApp
from resolvers.access import Role
from tests.gateway.auth_support import issue
from tests.harness import fresh_data_dir

REAL_SPARK = SparkSettings(access_token=SecretStr("a-real-token"))
KEY = issue("web", Role.IDX)


def _settings(**fields: Any) -> Settings:
    return Settings(data_dir=fresh_data_dir(), **fields)


def test_nothing_but_sandboxes_runs_open() -> None:
    assert auth_mode(_settings()) == "open"


def test_a_real_provider_requires_auth() -> None:
    with pytest.raises(ValidationError, match="no client can authenticate"):
        _settings(spark=REAL_SPARK)
    assert auth_mode(_settings(spark=REAL_SPARK, auth=AuthSettings(api_keys=(KEY.client,)))) == (
        "required"
    )


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"spark": REAL_SPARK}, id="default tenant"),
        pytest.param({"tenants": {"acme": TenantSettings(spark=REAL_SPARK)}}, id="other tenant"),
    ],
)
def test_open_with_a_real_provider_is_refused(fields: dict[str, Any]) -> None:
    auth = AuthSettings(mode="open", api_keys=(KEY.client,))
    with pytest.raises(ValidationError, match="'open' refused: spark of tenant"):
        _settings(auth=auth, **fields)


def test_serve_refuses_open_with_a_real_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[auth]\nmode = "open"\n[spark]\naccess_token = "t"\n')
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "'open' refused" in err and "auth.api_keys or auth.jwt" in err


def test_tenants_come_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        "[[auth.api_keys]]\n"
        f'id = "acme-web"\nsha256 = "{KEY.client.sha256}"\ntenant = "acme"\nrole = "public"\n'
        '[tenants.acme.spark]\naccess_token = "acme-token"\nrole = "IDX"\n'
        '[tenants.beta.sandbox]\nspark = "agent-b"\n'
    )
    settings = load_settings(config)
    assert settings.tenants["acme"].spark is not None
    assert settings.tenants["beta"].sandbox.spark == "agent-b"
    assert auth_mode(settings) == "required"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"auth": AuthSettings(api_keys=(issue("x", Role.IDX, "nobody").client,))}, "tenant"),
        ({"tenants": {"default": TenantSettings()}}, "bad name"),
        ({"tenants": {"no spaces": TenantSettings()}}, "bad name"),
    ],
)
def test_bad_tenant_settings_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(**fields)


def _pem(private: bool) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if private:
        raw = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        raw = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return raw.decode()


@pytest.mark.parametrize(
    ("key", "algorithms", "message"),
    [
        ("x" * 40, ["none"], "literal_error|Input should be"),
        ("x" * 40, [], "at least 1"),
        ("short", ["HS256"], "at least 32"),
        ("x" * 40, ["HS256", "RS256"], "mixes"),
        ("x" * 40, ["RS256"], "PEM public key"),
        (_pem(private=True), ["RS256"], "PEM public key"),
    ],
)
def test_unsafe_jwt_settings_are_refused(key: str, algorithms: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        JwtSettings.model_validate({"key": key, "algorithms": algorithms})


def test_a_key_that_does_not_suit_the_algorithm_stops_start_up() -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    jwt = JwtSettings(key=SecretStr(ec_pem), algorithms=("RS256",))
    with pytest.raises(ValueError, match="does not suit RS256"):
        create_app(_settings(auth=AuthSettings(jwt=jwt)))


@pytest.mark.parametrize(
    "origin", ["*", "https://app.example/", "https://app.example/path", "app.example"]
)
def test_cors_origins_must_be_exact(origin: str) -> None:
    with pytest.raises(ValidationError, match="exact origin"):
        CorsSettings(allow_origins=(origin,))


async def test_open_sandboxes_warn_loudly(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with ServedApp(create_app(_settings(), announce=True)):
        pass
    assert "AUTHENTICATION IS OFF" in capsys.readouterr().out
    assert any("AUTHENTICATION IS OFF" in r.getMessage() for r in caplog.records)


async def test_required_auth_does_not_warn(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    auth = AuthSettings(mode="required", api_keys=(KEY.client,))
    async with ServedApp(create_app(_settings(auth=auth), announce=True)):
        pass
    assert "AUTHENTICATION IS OFF" not in capsys.readouterr().out
    assert not any("AUTHENTICATION IS OFF" in r.getMessage() for r in caplog.records)


def test_new_key_prints_a_key_and_the_config_that_admits_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["auth", "new-key", "--id", "web", "--role", "idx"]) == 0
    out = capsys.readouterr().out
    key = next(line.strip() for line in out.splitlines() if line.strip().startswith("cgw_"))
    snippet = out[out.index("[[auth.api_keys]]") :]
    assert key not in snippet and hashlib.sha256(key.encode()).hexdigest() in snippet
    config = tmp_path / "gateway.toml"
    config.write_text(f'{snippet}[spark]\naccess_token = "t"\n')
    authenticator = Authenticator(load_settings(config))
    principal = authenticator.principal(Headers({"X-API-Key": key}))
    assert (principal.client_id, principal.tenant, principal.role) == ("web", "default", Role.IDX)
    assert main(["auth", "new-key", "--id", "not a name"]) == 2
