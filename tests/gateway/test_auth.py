"""Client authentication: API keys and bearer JWTs in front of a (loopback) Spark account."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr

import providers.spark.sandbox as spark_sandbox
from gateway.auth_settings import AuthSettings, JwtSettings
from gateway.settings import SandboxSettings, SparkSettings
from providers.sandboxing import ServedApp
from resolvers.access import Role
from tests.gateway.auth_support import ROLE_KEYS, AuthedGateway, authed_gateway, code_of
from tests.harness import Sandbox

LIST = "{ contacts(first: 2) { totalCount } }"
ISSUER = "https://id.example"
AUDIENCE = "contact-gateway"
HS_SECRET = "an-hs256-test-secret-of-forty-characters!"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "mobile-app",
        "tenant": "default",
        "role": "idx",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": int(time.time()) + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def rs256(**overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), RSA_KEY, algorithm="RS256")


RS256_SETTINGS = JwtSettings(
    key=SecretStr(RSA_PUBLIC_PEM), algorithms=("RS256",), audience=AUDIENCE, issuer=ISSUER
)


@pytest.fixture
async def spark() -> AsyncIterator[Sandbox]:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as served,
    ):
        yield Sandbox(served, http)


def _spark_section(sandbox: Sandbox) -> SparkSettings:
    token = SecretStr(spark_sandbox.PRIVATE_TOKEN)
    return SparkSettings(base_url=sandbox.base_url, access_token=token)


@pytest.fixture
async def gateway(spark: Sandbox) -> AsyncIterator[AuthedGateway]:
    auth = AuthSettings(api_keys=tuple(k.client for k in ROLE_KEYS.values()), jwt=RS256_SETTINGS)
    async with authed_gateway(
        spark=_spark_section(spark), sandbox=SandboxSettings(enabled=False), auth=auth
    ) as running:
        yield running


async def _refused(
    client_post: Any, spark: Sandbox, *, invalid_token: bool = False
) -> dict[str, Any]:
    """A 401 with a challenge and UNAUTHENTICATED, and nothing sent to the provider."""
    await spark.forget()
    status, headers, body = await client_post(LIST)
    assert status == 401
    assert code_of(body) == "UNAUTHENTICATED"
    assert "data" not in body
    challenge = headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="contact-gateway"')
    assert ('error="invalid_token"' in challenge) is invalid_token
    assert await spark.count() == 0
    result: dict[str, Any] = body
    return result


async def test_a_configured_api_key_is_its_client(gateway: AuthedGateway) -> None:
    data = await gateway.as_key(ROLE_KEYS[Role.PUBLIC].key).data(LIST)
    assert data["contacts"]["totalCount"] > 0


async def test_a_wrong_api_key_is_refused_and_never_echoed(
    gateway: AuthedGateway, spark: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = ROLE_KEYS[Role.PRIVATE].key[:-4] + "AAAA"
    caplog.set_level(logging.DEBUG)
    body = await _refused(gateway.as_key(wrong).post, spark)
    assert wrong not in str(body)
    assert wrong not in caplog.text


async def test_no_credential_is_refused_when_auth_is_required(
    gateway: AuthedGateway, spark: Sandbox
) -> None:
    await _refused(gateway.anonymous().post, spark)


async def test_two_credentials_at_once_are_refused(gateway: AuthedGateway, spark: Sandbox) -> None:
    client = gateway.as_token(rs256())
    client.headers["X-API-Key"] = ROLE_KEYS[Role.PRIVATE].key
    await _refused(client.post, spark)


async def test_a_valid_token_carries_client_tenant_and_role(gateway: AuthedGateway) -> None:
    client = gateway.as_token(rs256(role="public"))
    assert (await client.data(LIST))["contacts"]["totalCount"] > 0
    create = (
        'mutation { createContact(input: {provider: SPARK, displayName: "X"}) { contact { id } } }'
    )
    assert code_of(await client.gql(create)) == "FORBIDDEN"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: rs256(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: rs256(aud="someone-else"), id="wrong-audience"),
        pytest.param(lambda: rs256(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda: rs256(exp=None), id="no-exp"),
        pytest.param(lambda: rs256(tenant="nobody"), id="unknown-tenant"),
        pytest.param(lambda: rs256(role="admin"), id="unknown-role"),
        pytest.param(lambda: rs256(sub=None), id="no-client"),
        pytest.param(
            lambda: jwt.encode(_claims(), rsa.generate_private_key(65537, 2048), "RS256"),
            id="bad-signature",
        ),
        pytest.param(lambda: jwt.encode(_claims(), None, algorithm="none"), id="alg-none"),
        pytest.param(
            lambda: jwt.encode(_claims(), ec.generate_private_key(ec.SECP256R1()), "ES256"),
            id="alg-not-allowed",
        ),
        pytest.param(lambda: rs256()[:-10], id="truncated"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
    ],
)
async def test_unusable_tokens_are_refused(
    gateway: AuthedGateway, spark: Sandbox, token: Any, caplog: pytest.LogCaptureFixture
) -> None:
    raw = token()
    caplog.set_level(logging.DEBUG)
    body = await _refused(gateway.as_token(raw).post, spark, invalid_token=True)
    assert raw not in str(body) and raw not in caplog.text


async def test_an_hs256_token_signed_with_the_public_key_is_refused(
    gateway: AuthedGateway, spark: Sandbox
) -> None:
    """Algorithm confusion: the RS256 public key (public!) used as an HMAC secret."""
    forged = _forge_hs256(_claims(), RSA_PUBLIC_PEM.encode())
    await _refused(gateway.as_token(forged).post, spark, invalid_token=True)


def _forge_hs256(claims: dict[str, Any], secret: bytes) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


async def test_other_schemes_are_refused(gateway: AuthedGateway, spark: Sandbox) -> None:
    client = gateway.anonymous()
    client.headers["Authorization"] = "Basic dXNlcjpwYXNz"
    await _refused(client.post, spark, invalid_token=True)


async def test_hs256_tokens_with_a_shared_secret(spark: Sandbox) -> None:
    settings = JwtSettings(key=SecretStr(HS_SECRET), algorithms=("HS256",), leeway=5)
    async with authed_gateway(
        spark=_spark_section(spark),
        sandbox=SandboxSettings(enabled=False),
        auth=AuthSettings(jwt=settings),
    ) as gateway:
        good = jwt.encode(_claims(iss=None, aud=None), HS_SECRET, algorithm="HS256")
        assert (await gateway.as_token(good).data(LIST))["contacts"]["totalCount"] > 0
        # within the leeway an expired token still passes; beyond it, not
        recent = jwt.encode(_claims(aud=None, exp=int(time.time()) - 2), HS_SECRET, "HS256")
        assert (await gateway.as_token(recent).data(LIST))["contacts"]
        stale = jwt.encode(_claims(aud=None, exp=int(time.time()) - 30), HS_SECRET, "HS256")
        await _refused(gateway.as_token(stale).post, spark, invalid_token=True)
        # a token with an audience where none is configured is not for us
        aimed = jwt.encode(_claims(), HS_SECRET, algorithm="HS256")
        await _refused(gateway.as_token(aimed).post, spark, invalid_token=True)


async def test_graphiql_page_and_health_need_no_credential(gateway: AuthedGateway) -> None:
    async with gateway.http.get(gateway.url, headers={"Accept": "text/html"}) as resp:
        assert resp.status == 200
    async with gateway.http.get(f"{gateway.served.base_url}/healthz") as resp:
        assert resp.status == 200


async def test_open_mode_still_checks_a_credential_that_is_sent() -> None:
    """Open (sandboxes only) means a missing credential is anonymous, not a wrong one."""
    async with authed_gateway(auth=AuthSettings(api_keys=(ROLE_KEYS[Role.IDX].client,))) as gw:
        spark = gw.sandbox("spark")
        assert (await gw.anonymous().data(LIST))["contacts"]["totalCount"] > 0
        await _refused(gw.as_key("cgw_not-a-key").post, spark)
        await _refused(gw.as_token("not.a.jwt").post, spark, invalid_token=True)
