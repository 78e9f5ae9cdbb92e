"""Who is calling: an API key (`X-API-Key`) or a bearer JWT becomes a `Principal`.

One credential per request. When auth is `required`, a request without one is 401
with `WWW-Authenticate`; when `open` (sandboxes only, see gateway/auth_settings.py)
it runs as `OPEN_PRINCIPAL` with `auth.open_role` — but a credential that is sent is
still checked, so tenants and roles can be tried against the sandboxes. Keys and
tokens are never logged nor echoed: messages say only what kind of problem it was.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from starlette.datastructures import Headers

from gateway.api_keys import match_key
from gateway.auth_settings import auth_mode
from gateway.jwt_auth import JwtVerifier, TokenRejected
from gateway.settings import Settings
from resolvers.access import DEFAULT_TENANT, OPEN_PRINCIPAL, Principal

__all__ = ["Authenticator", "Principal", "Unauthenticated"]

API_KEY_HEADER: Final = "x-api-key"
REALM: Final = 'realm="contact-gateway"'


class Unauthenticated(Exception):
    """No usable credential: answered 401 with `WWW-Authenticate` and UNAUTHENTICATED."""

    def __init__(self, message: str, *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.message = message
        bearer = f'Bearer {REALM}, error="invalid_token"' if invalid_token else f"Bearer {REALM}"
        self.headers = {"WWW-Authenticate": f'{bearer}, ApiKey {REALM}, header="X-API-Key"'}


class Authenticator:
    """Built once at start-up from the `auth` settings; `principal` runs per request."""

    def __init__(self, settings: Settings) -> None:
        self.open = auth_mode(settings) == "open"
        self._anonymous = replace(OPEN_PRINCIPAL, role=settings.auth.open_role)
        self._clients = settings.auth.api_keys
        tenants = {DEFAULT_TENANT, *settings.tenants}
        jwt = settings.auth.jwt
        self._jwt = JwtVerifier(jwt, tenants) if jwt is not None else None

    def principal(self, headers: Headers) -> Principal:
        key = headers.getlist(API_KEY_HEADER)
        authorization = headers.getlist("authorization")
        if len(key) + len(authorization) > 1:
            raise Unauthenticated("send one credential: X-API-Key or Authorization, once")
        if key:
            return self._by_key(key[0])
        if authorization:
            return self._by_token(authorization[0])
        if self.open:
            return self._anonymous
        raise Unauthenticated("authentication required: send X-API-Key or a bearer token")

    def _by_key(self, key: str) -> Principal:
        client = match_key(key.strip(), self._clients)
        if client is None:
            raise Unauthenticated("the API key is not valid")
        return Principal(client.id, client.tenant, client.role)

    def _by_token(self, authorization: str) -> Principal:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use the Bearer scheme", invalid_token=True)
        if self._jwt is None:
            raise Unauthenticated("bearer tokens are not accepted here", invalid_token=True)
        try:
            return self._jwt.principal(token.strip())
        except TokenRejected as exc:
            raise Unauthenticated(str(exc), invalid_token=True) from None
