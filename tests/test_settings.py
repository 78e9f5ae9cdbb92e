"""Settings: file, environment, precedence and failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import load_settings
from providers.spark.types import SparkRole


def test_defaults_use_the_sandboxes(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.spark is None
    assert settings.use_sandboxes
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_file_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        'port = 9000\n[spark]\nbase_url = "https://sparkapi.com"\naccess_token = "file-token"\n'
        'role = "IDX"\n[[auth.api_keys]]\nid = "web"\nsha256 = "' + "ab" * 32 + '"\nrole = "idx"\n'
    )
    monkeypatch.setenv("CONTACT_GATEWAY_SPARK__ROLE", "Public")
    settings = load_settings(config, host="0.0.0.0")
    assert settings.spark is not None
    assert settings.spark.role is SparkRole.PUBLIC
    assert settings.spark.access_token.get_secret_value() == "file-token"
    assert "file-token" not in repr(settings)
    assert settings.port == 9000
    assert settings.host == "0.0.0.0"
    assert not settings.use_sandboxes


def test_unknown_keys_fail(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text("prot = 9000\n")
    with pytest.raises(ValidationError):
        load_settings(config)


def test_sandboxes_bind_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_SANDBOX__HOST", "0.0.0.0")
    with pytest.raises(ValidationError):
        load_settings()


def test_real_spark_requires_https() -> None:
    from providers.spark.client import SparkClientConfig

    with pytest.raises(ValueError, match="HTTPS"):
        SparkClientConfig(base_url="http://sparkapi.com", access_token="t")
    SparkClientConfig(base_url="http://127.0.0.1:9999", access_token="t")


def test_real_providers_need_https_at_load_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_SPARK__ACCESS_TOKEN", "t")
    monkeypatch.setenv("CONTACT_GATEWAY_SPARK__BASE_URL", "http://sparkapi.com")
    with pytest.raises(ValidationError, match="requires HTTPS"):
        load_settings()


def test_a_mistyped_environment_variable_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_PROT", "9000")
    with pytest.raises(ValueError, match="CONTACT_GATEWAY_PROT"):
        load_settings()


def test_a_missing_allow_list_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_PERSISTED_QUERIES__ALLOW_LIST", "/nonexistent.json")
    with pytest.raises(ValidationError, match="allow-list"):
        load_settings()
