"""Bearer tokens (JWT) from an identity provider, verified with PyJWT.

The key is prepared once at start-up for every allowed algorithm, so a wrong key
type stops start-up instead of failing each request. Verification pins the
configured algorithms (never "none": it is not in the settings' vocabulary), and
requires `exp` — plus `aud`/`iss` when configured — with a small leeway for clock
skew. Client, tenant and role come from configurable claims.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any, Final

import jwt

from gateway.auth_settings import JwtSettings
from resolvers.access import Principal, Role

MAX_TOKEN_LENGTH: Final = 8192


class TokenRejected(Exception):
    """The bearer token cannot be used; the message is safe to show (no token in it)."""


class JwtVerifier:
    def __init__(self, settings: JwtSettings, tenants: Set[str]) -> None:
        self._settings = settings
        self._tenants = frozenset(tenants)
        self._algorithms = list(settings.algorithms)
        self._key = _prepared_key(settings)
        required = ["exp"]
        required += ["aud"] if settings.audience else []
        required += ["iss"] if settings.issuer else []
        self._options: Any = {"require": required}

    def principal(self, token: str) -> Principal:
        claims = self._verified_claims(token)
        client = _text_claim(claims, self._settings.client_claim)
        tenant = _text_claim(claims, self._settings.tenant_claim)
        role = _text_claim(claims, self._settings.role_claim).lower()
        if tenant not in self._tenants:
            raise TokenRejected("the token names a tenant this gateway does not serve")
        if role not in Role.__members__.values():
            raise TokenRejected("the token names an unknown role")
        return Principal(client, tenant, Role(role))

    def _verified_claims(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("the token is too long")
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway,
                options=self._options,
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"the token is not valid ({type(exc).__name__})") from exc


def _prepared_key(settings: JwtSettings) -> Any:
    """The verification key as PyJWT's key object, checked against every algorithm."""
    material = settings.key_material()
    prepared: Any = None
    for name in settings.algorithms:
        try:
            prepared = jwt.get_algorithm_by_name(name).prepare_key(material)
        except (jwt.InvalidKeyError, ValueError, TypeError) as exc:
            raise ValueError(f"auth.jwt: the key does not suit {name}") from exc
    return prepared


def _text_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value or len(value) > 256:
        raise TokenRejected(f"the token lacks the {name!r} claim")
    return value
