"""OAuth 1.0a HMAC-SHA1 for IS24: signing for the adapter, verification for the sandbox.

Built on oauthlib's RFC 5849 functions; nothing here computes a signature by hand.
Both sides work on the exact URL string on the wire, query included: the client
signs the string it then sends unchanged (give it to aiohttp as an already encoded
`yarl.URL(..., encoded=True)`, because yarl re-quotes plain strings), and the
server rebuilds that string from the raw path and raw query of the ASGI scope
(`request_url`), never from a decoded and re-quoted path. XML and JSON bodies are
not signed; only a form-encoded body would be (`form_body`).

The verifier also refuses replays: a timestamp more than `MAX_SKEW_S` away from the
server clock, or a nonce already seen for the same consumer key and token while
its timestamp is still inside that window (`ReplayGuard`).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature
from starlette.types import Scope

HMAC_SHA1 = "HMAC-SHA1"
MAX_SKEW_S = 300.0
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REQUIRED_PARAMS = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
)


class OAuthError(Exception):
    """The request's OAuth 1.0a signature is missing, wrong, stale or replayed."""


@dataclass(frozen=True, slots=True)
class OAuthCredentials:
    """A system key (consumer) plus an authorised user's access token."""

    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str

    def client(self, *, nonce: str | None = None, timestamp: int | None = None) -> Client:
        """An oauthlib client for these credentials (nonce/timestamp fixed only in tests)."""
        return Client(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
            signature_method=HMAC_SHA1,
            nonce=nonce,
            timestamp=None if timestamp is None else str(timestamp),
        )


@dataclass(frozen=True, slots=True)
class VerifiedRequest:
    """Who signed a request that passed verification."""

    consumer_key: str
    token: str
    nonce: str
    timestamp: int


# ---------------------------------------------------------------- signing


def authorization_header(
    method: str,
    url: str,
    credentials: OAuthCredentials,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    form_body: str | None = None,
) -> str:
    """The `Authorization: OAuth …` value for exactly this method and URL string.

    Send `url` unchanged. Only a form-encoded body is signed; leave `form_body` None
    for XML and JSON bodies (oauthlib would otherwise add an `oauth_body_hash`).
    """
    headers = {"Content-Type": FORM_CONTENT_TYPE} if form_body is not None else {}
    client = credentials.client(nonce=nonce, timestamp=timestamp)
    _, signed, _ = client.sign(url, http_method=method.upper(), body=form_body, headers=headers)
    value: str = signed["Authorization"]
    return value


def signature_base_string(
    method: str, url: str, oauth_params: Mapping[str, str], *, form_body: str | None = None
) -> str:
    """RFC 5849 §3.4.1: the base string of this URL string plus these protocol parameters."""
    params = signature.collect_parameters(uri_query=urlsplit(url).query, body=form_body)
    params += [(k, v) for k, v in oauth_params.items() if k not in ("oauth_signature", "realm")]
    normalized = signature.normalize_parameters(params)
    base: str = signature.signature_base_string(
        method.upper(), signature.base_string_uri(url), normalized
    )
    return base


def sign_base_string(base_string: str, consumer_secret: str, token_secret: str) -> str:
    """The HMAC-SHA1 signature of a base string (RFC 5849 §3.4.2), base64."""
    client = Client("", client_secret=consumer_secret, resource_owner_secret=token_secret)
    sig: str = signature.sign_hmac_sha1_with_client(base_string, client)
    return sig


# ---------------------------------------------------------------- verification


def raw_path(scope: Scope) -> str:
    """The request path exactly as sent, still percent-encoded (not the decoded `path`)."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1") if raw else quote(scope["path"])


def request_url(scope: Scope) -> str:
    """The URL as the client sent it: scheme, Host header, raw path and raw query string."""
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    host = headers.get(b"host", b"").decode("latin-1")
    if not host and scope.get("server"):
        host = "{}:{}".format(*scope["server"])
    query: bytes = scope.get("query_string", b"")
    url = f"{scope['scheme']}://{host}{raw_path(scope)}"
    return f"{url}?{query.decode('latin-1')}" if query else url


def _protocol_params(
    url: str, authorization: str | None
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """All signed parameters, and the oauth_* ones by name (each allowed once)."""
    headers = {"Authorization": authorization} if authorization else None
    try:
        collected: list[tuple[str, str]] = signature.collect_parameters(
            uri_query=urlsplit(url).query, headers=headers, exclude_oauth_signature=False
        )
    except ValueError as exc:
        raise OAuthError("malformed OAuth parameters") from exc
    oauth = [(k, v) for k, v in collected if k.startswith("oauth_")]
    by_name = dict(oauth)
    if len(by_name) != len(oauth):
        raise OAuthError("an OAuth parameter is given more than once")
    missing = [name for name in REQUIRED_PARAMS if not by_name.get(name)]
    if missing:
        raise OAuthError(f"missing OAuth parameters: {', '.join(missing)}")
    return collected, by_name


def _check_protocol(by_name: Mapping[str, str]) -> int:
    if by_name["oauth_signature_method"] != HMAC_SHA1:
        raise OAuthError("only HMAC-SHA1 signatures are accepted")
    if by_name.get("oauth_version", "1.0") != "1.0":
        raise OAuthError("only OAuth version 1.0 is accepted")
    stamp = by_name["oauth_timestamp"]
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise OAuthError("oauth_timestamp must be whole seconds")
    return int(stamp)


def _signature_matches(
    method: str, url: str, collected: list[tuple[str, str]], secrets: tuple[str, str]
) -> bool:
    params = [(k, v) for k, v in collected if k != "oauth_signature"]
    request = OAuthRequest(url, http_method=method.upper())
    request.params = params
    request.signature = dict(collected)["oauth_signature"]
    matches: bool = signature.verify_hmac_sha1(request, *secrets)
    return matches


class ReplayGuard:
    """Refuses stale timestamps and nonces reused within the timestamp window."""

    def __init__(
        self,
        *,
        max_skew_s: float = MAX_SKEW_S,
        clock: Callable[[], float] = time.time,
        capacity: int = 200_000,
    ) -> None:
        self.max_skew_s = max_skew_s
        self._clock = clock
        self._capacity = capacity
        self._seen: set[tuple[str, str, str]] = set()
        self._expiry: list[tuple[int, tuple[str, str, str]]] = []

    def check(self, key: tuple[str, str, str], timestamp: int) -> None:
        """Record (consumer key, token, nonce) or raise OAuthError for a stale or used one."""
        now = self._clock()
        if abs(now - timestamp) > self.max_skew_s:
            raise OAuthError(f"oauth_timestamp is more than {self.max_skew_s:.0f} s off")
        self._forget_older_than(now - self.max_skew_s)
        if key in self._seen:
            raise OAuthError("oauth_nonce was already used")
        if len(self._seen) >= self._capacity:
            raise OAuthError("too many requests in the replay window")
        self._seen.add(key)
        heapq.heappush(self._expiry, (timestamp, key))

    def _forget_older_than(self, cutoff: float) -> None:
        """Nonces of timestamps outside the window cannot be replayed: the clock check fails."""
        while self._expiry and self._expiry[0][0] < cutoff:
            _, key = heapq.heappop(self._expiry)
            self._seen.discard(key)


class SignatureVerifier:
    """Verifies IS24-style two-legged-plus-token requests against known secrets."""

    def __init__(
        self,
        consumers: Mapping[str, str],
        tokens: Mapping[str, str],
        replay: ReplayGuard | None = None,
    ) -> None:
        self._consumers = dict(consumers)
        self._tokens = dict(tokens)
        self.replay = replay or ReplayGuard()

    def verify(self, method: str, url: str, authorization: str | None) -> VerifiedRequest:
        """Check signature, then timestamp and nonce; raise OAuthError on any failure."""
        collected, by_name = _protocol_params(url, authorization)
        stamp = _check_protocol(by_name)
        consumer_key, token = by_name["oauth_consumer_key"], by_name["oauth_token"]
        consumer_secret = self._consumers.get(consumer_key)
        token_secret = self._tokens.get(token)
        if consumer_secret is None or token_secret is None:
            raise OAuthError("unknown consumer key or access token")
        if not _signature_matches(method, url, collected, (consumer_secret, token_secret)):
            raise OAuthError("the OAuth signature does not match")
        nonce = by_name["oauth_nonce"]
        self.replay.check((consumer_key, token, nonce), stamp)
        return VerifiedRequest(consumer_key, token, nonce, stamp)
