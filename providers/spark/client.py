"""HTTP to the Spark API: one aiohttp session, bearer auth, the `D` envelope, error codes.

Everything aiohttp or JSON can raise is translated here into `providers.errors`
(`raise ... from exc`), so nothing above this module knows about HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from providers.errors import (
    DuplicateContact,
    ErrorContext,
    FieldIssue,
    Forbidden,
    IssueCode,
    NotFound,
    ProviderAuthFailed,
    ProviderError,
    ProviderProtocolError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Unsupported,
    ValidationFailed,
)
from providers.http import DEFAULT_MAX_BODY, exchange, require_https
from providers.json_values import json_value
from providers.model import ProviderName
from providers.spark.types import SparkRole
from providers.spark.validation import SPARK_ID
from providers.telemetry import UpstreamObserver, new_session

MAX_BODY_BYTES: Final = DEFAULT_MAX_BODY
_PROVIDER: Final = ProviderName.SPARK

ISSUE_CODES: Final[Mapping[int, IssueCode]] = {
    1050: IssueCode.REQUIRED,
    1053: IssueCode.INVALID,
    1040: IssueCode.INVALID,
    1041: IssueCode.LIMIT_EXCEEDED,
}


@dataclass(frozen=True, slots=True)
class SparkClientConfig:
    """Where and how to reach Spark; timeouts in seconds (RELIABILITY.md defaults)."""

    base_url: str
    access_token: str
    role: SparkRole = SparkRole.PRIVATE
    replication: bool = False
    connect_timeout: float = 2.0
    total_timeout: float = 4.0
    pool_limit: int = 20

    def __post_init__(self) -> None:
        require_https(self.base_url, "Spark")

    @property
    def page_cap(self) -> int:
        """Spark's `_limit` cap: 25 for a normal key, 1000 for a replication key."""
        return 1000 if self.replication else 25


@dataclass(frozen=True, slots=True)
class SparkResponse:
    status: int
    body: Mapping[str, Any]

    @property
    def results(self) -> list[dict[str, Any]]:
        results = self.body.get("Results")
        if results is None:
            return []
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise ProviderProtocolError(
                "Spark Results is not a list of objects", provider=_PROVIDER
            )
        return results

    @property
    def pagination(self) -> Mapping[str, Any]:
        value = self.body.get("Pagination")
        return value if isinstance(value, dict) else {}


class SparkClient:
    """Sends one request to Spark and returns the inner `D` object, or raises."""

    def __init__(
        self,
        config: SparkClientConfig,
        session: aiohttp.ClientSession | None = None,
        observers: Sequence[UpstreamObserver] = (),
    ):
        self.config = config
        self._owns_session = session is None
        self._session = session or new_session(
            _PROVIDER,
            pool_limit=config.pool_limit,
            connect_timeout=config.connect_timeout,
            total_timeout=config.total_timeout,
            headers={
                "Authorization": f"Bearer {config.access_token}",
                "Accept": "application/json",
            },
            observers=observers,
        )
        self._base = URL(config.base_url.rstrip("/"))

    async def aclose(self) -> None:
        if self._owns_session:
            await self._session.close()

    def contact_path(self, native_id: str) -> str:
        """The path of one contact; ids are digits only, so nothing can reach another path."""
        if not SPARK_ID.fullmatch(native_id):
            raise NotFound(f"no Spark contact {native_id!r}", provider=_PROVIDER)
        return f"/v1/contacts/{quote(native_id, safe='')}"

    def _url(self, path: str, params: Mapping[str, str] | None) -> URL:
        url = self._base.with_path(self._base.path.rstrip("/") + path, encoded=True)
        if not url.path.startswith(self._base.path.rstrip("/") + "/v1/"):
            raise NotFound("path escapes the Spark API", provider=_PROVIDER)
        return url.with_query(params) if params else url

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> SparkResponse:
        url = self._url(path, params)
        payload = None if body is None else json.dumps({"D": body}).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else None
        raw = await exchange(
            self._session,
            method,
            url,
            provider=_PROVIDER,
            data=payload,
            headers=headers,
            max_body=MAX_BODY_BYTES,
        )
        return _decode(raw.status, raw.headers, raw.body)


def _decode(status: int, headers: Mapping[str, str], raw: bytes) -> SparkResponse:
    inner = _envelope(status, headers, raw)
    if status >= 400 or inner.get("Success") is not True:
        raise error_from_envelope(status, headers, inner)
    return SparkResponse(status, inner)


def _envelope(status: int, headers: Mapping[str, str], raw: bytes) -> Mapping[str, Any]:
    content_type = headers.get("Content-Type", "")
    try:
        if "json" not in content_type:
            raise ValueError(f"content type {content_type!r}")
        document = _json(raw)
        inner = document["D"]
        if not isinstance(inner, dict):
            raise ValueError("D is not an object")
        return inner
    except (ValueError, KeyError, TypeError) as exc:
        if status >= 500:
            raise ProviderUnavailable(
                f"Spark answered HTTP {status}",
                retry_after=_retry_after(headers),
                provider=_PROVIDER,
            ) from exc
        raise ProviderProtocolError(
            f"unreadable Spark response (HTTP {status})", provider=_PROVIDER
        ) from exc


def _json(raw: bytes) -> Any:
    """The body as Python values, as `json.loads` reads it, at about half its cost."""
    return json_value(raw)


def error_from_envelope(
    status: int, headers: Mapping[str, str], inner: Mapping[str, Any]
) -> ProviderError:
    """The provider error for a Spark failure envelope; clients branch on Code, not Message."""
    code = inner.get("Code")
    code = code if isinstance(code, int) else status
    message = str(inner.get("Message") or f"Spark error {code}")
    ctx: ErrorContext = {"provider": _PROVIDER, "provider_code": str(code)}
    if code == 1550 or status == 429:
        return RateLimited(message, retry_after=_retry_after(headers), **ctx)
    if code in (1000, 1010, 1015, 1020, 1030):
        return ProviderAuthFailed(message, **ctx)
    if code in (1017, 1018, 1500, 1100):
        return Forbidden(message, **ctx)
    if code == 404 or status == 404:
        return NotFound(message, **ctx)
    if code == 405:
        return Unsupported(message, **ctx)
    if code == 1515:
        return ProviderTimeout(message, **ctx)
    if code == 1055 or code == 1110:
        return DuplicateContact(message, field=("emails",), **ctx)
    if code in ISSUE_CODES or 2000 <= code <= 2999 or status == 400:
        return ValidationFailed(_issues(inner, code), **ctx)
    if status >= 500 or code == 1510:
        return ProviderUnavailable(message, retry_after=_retry_after(headers), **ctx)
    return ProviderProtocolError(message, **ctx)


def _issues(inner: Mapping[str, Any], code: int) -> list[FieldIssue]:
    kind = ISSUE_CODES.get(code, IssueCode.INVALID)
    errors = inner.get("Errors")
    issues = [
        FieldIssue((str(e.get("Attribute") or ""),), kind, str(e.get("Message") or ""), str(code))
        for e in (errors if isinstance(errors, list) else [])
        if isinstance(e, dict) and e.get("Status", "Fatal") != "Warn"
    ]
    return issues or [FieldIssue((), kind, str(inner.get("Message") or "rejected"), str(code))]


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
