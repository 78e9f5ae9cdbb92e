"""Provider requests as data: what the gateway sent upstream, replayable without the gateway.

The floor (the load generator calling a sandbox directly) and the ceiling (the bare
passthrough app) both send `Call`s recorded from the sandboxes' request logs, so they
fetch exactly the data the gateway fetched. Each call carries the sandbox credentials
the gateway uses; IS24 calls are signed per request (OAuth 1.0a nonces are single-use).
A body may hold `UNIQUE`, replaced per operation so repeated creates stay distinct.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from providers.is24.oauth import OAuthCredentials, authorization_header

SPARK: Final = "SPARK"
IS24: Final = "IS24"
AUTODNS: Final = "AUTODNS"
PROVIDERS: Final = (SPARK, IS24, AUTODNS)
UNIQUE: Final = "__N__"
"""Replaced by a fresh token in every operation (creates need distinct emails)."""
POOL_LIMIT: Final = 20
"""Connections per provider, the gateway's default `pool_limit`: floor and ceiling match it."""

API_ROOTS: Final[Mapping[str, str]] = {SPARK: "", IS24: "/restapi/api", AUTODNS: "/v1"}
"""Where each provider's API lives under its sandbox's root (the control API is at the root)."""

IS24_CREDENTIALS: Final = OAuthCredentials(
    is24_sandbox.CONSUMER_KEY,
    is24_sandbox.CONSUMER_SECRET,
    is24_sandbox.ACCESS_TOKEN,
    is24_sandbox.TOKEN_SECRET,
)
_AUTODNS_BASIC: Final = base64.b64encode(
    f"{autodns_sandbox.USER}:{autodns_sandbox.PASSWORD}".encode()
).decode("ascii")
STATIC_HEADERS: Final[Mapping[str, Mapping[str, str]]] = {
    SPARK: {"Authorization": f"Bearer {spark_sandbox.PRIVATE_TOKEN}", "Accept": "application/json"},
    IS24: {"Accept": "application/json"},
    AUTODNS: {
        "Authorization": f"Basic {_AUTODNS_BASIC}",
        "X-Domainrobot-Context": autodns_sandbox.CONTEXT,
        "Accept": "application/json",
    },
}


@dataclass(frozen=True, slots=True)
class Call:
    """One provider request: `target` is the path and query exactly as on the wire."""

    provider: str
    method: str
    target: str
    body: str | None = None

    def url(self, roots: Mapping[str, str]) -> str:
        return roots[self.provider] + self.target

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Call:
        return cls(data["provider"], data["method"], data["target"], data.get("body"))


def headers_for(call: Call, url: str) -> dict[str, str]:
    """The headers the gateway would send with this call to this exact URL string."""
    headers = dict(STATIC_HEADERS[call.provider])
    if call.body is not None:
        headers["Content-Type"] = "application/json"
    if call.provider == IS24:
        headers["Authorization"] = authorization_header(call.method, url, IS24_CREDENTIALS)
    return headers


def with_unique(text: str, token: str) -> str:
    return text.replace(UNIQUE, token)
