"""HTTP to the AutoDNS JSON API: one aiohttp session, Basic auth + context, the envelope.

Every answer is parsed with `envelope.parse_envelope`; everything aiohttp, JSON or
the envelope can raise is translated here into `providers.errors` (`raise ... from
exc`), so nothing above this module knows about HTTP. Every error built from an
envelope carries its `stid` as `trace_id`, and every success returns the envelope
with its `stid`, so support can trace each call.

    HTTP 429 / EF00429              RateLimited (Retry-After)
    HTTP 401 / EF00000              ProviderAuthFailed (the gateway's credential)
    EF03013, EF03014                ProviderError, code PROVIDER_ERROR (AutoDNS internal)
    EF03016                         Forbidden
    EF03021, HTTP 404               NotFound
    EF03020                         DuplicateContact (existing_id from the message object)
    EF03022                         ValidationFailed, CONFLICT (still used by a domain)
    EF0301x, EF03023, EF03024       ValidationFailed, one issue per message
    EF00001                         ProviderProtocolError (unknown resource: wrong base URL)
    other 5xx / EF00500             ProviderUnavailable
    unreadable, truncated, not JSON ProviderProtocolError (ProviderUnavailable if 5xx)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from providers.autodns.envelope import Envelope, EnvelopeError, Message, parse_envelope
from providers.autodns.rules import ErrorCode
from providers.autodns.validation import INPUT_CODES, check_contact_id, issue_code
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
    ProviderUnavailable,
    RateLimited,
    ValidationFailed,
)
from providers.http import DEFAULT_MAX_BODY, exchange, require_https
from providers.model import ProviderName
from providers.telemetry import UpstreamObserver, new_session

MAX_BODY_BYTES: Final = DEFAULT_MAX_BODY
CONTACT_PATH: Final = "/contact"
FORCE_HANDLE_CREATE: Final = "force_handle_create"
_PROVIDER: Final = ProviderName.AUTODNS
_INTERNAL: Final = frozenset({ErrorCode.INTERNAL_NIC_MEMBER, ErrorCode.INTERNAL_INVALID_CONTACT})


@dataclass(frozen=True, slots=True)
class AutoDnsClientConfig:
    """Where and how to reach AutoDNS; timeouts in seconds (RELIABILITY.md defaults)."""

    base_url: str
    user: str
    password: str
    context: str
    connect_timeout: float = 2.0
    total_timeout: float = 4.0
    pool_limit: int = 20

    def __post_init__(self) -> None:
        require_https(self.base_url, "AutoDNS")
        if not self.context.isascii() or not self.context.isdigit():
            raise ValueError("the AutoDNS context is a number")


def basic_authorization(user: str, password: str) -> str:
    """The HTTP Basic `Authorization` value (aiohttp.BasicAuth is deprecated)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class AutoDnsClient:
    """Sends one task request to AutoDNS and returns its success envelope, or raises."""

    def __init__(
        self,
        config: AutoDnsClientConfig,
        session: aiohttp.ClientSession | None = None,
        observers: Sequence[UpstreamObserver] = (),
    ) -> None:
        self.config = config
        self._owns_session = session is None
        self._session = session or new_session(
            _PROVIDER,
            pool_limit=config.pool_limit,
            connect_timeout=config.connect_timeout,
            total_timeout=config.total_timeout,
            headers={
                "Authorization": basic_authorization(config.user, config.password),
                "X-Domainrobot-Context": config.context,
                "Accept": "application/json",
            },
            observers=observers,
        )
        self._base = URL(config.base_url.rstrip("/"))

    async def aclose(self) -> None:
        if self._owns_session:
            await self._session.close()

    def contact_path(self, native_id: str) -> str:
        """The path of one contact; ids are checked first, so nothing reaches another path."""
        return f"{CONTACT_PATH}/{quote(check_contact_id(native_id), safe='')}"

    def _url(self, path: str, params: Mapping[str, str] | None) -> URL:
        prefix = self._base.path.rstrip("/") + CONTACT_PATH
        url = self._base.with_path(self._base.path.rstrip("/") + path, encoded=True)
        if url.path != prefix and not url.path.startswith(prefix + "/"):
            raise NotFound("path escapes the AutoDNS contact tasks", provider=_PROVIDER)
        return url.with_query(params) if params else url

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Envelope:
        url = self._url(path, params)
        payload = None if body is None else json.dumps(body).encode()
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
        return decode(raw.status, raw.headers, raw.body)


def decode(status: int, headers: Mapping[str, str], raw: bytes) -> Envelope:
    """The success envelope of a response, or the provider error it stands for."""
    content_type = headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        raise _unreadable(status, headers, f"content type {content_type!r}")
    try:
        envelope = parse_envelope(raw)
    except EnvelopeError as exc:
        raise _unreadable(status, headers, "malformed or truncated envelope") from exc
    if status < 400 and not envelope.is_error:
        return envelope
    raise error_from_envelope(status, headers, envelope)


def _unreadable(status: int, headers: Mapping[str, str], why: str) -> ProviderError:
    message = f"unreadable AutoDNS response (HTTP {status}): {why}"
    if status == 429:
        return RateLimited(message, retry_after=_retry_after(headers), provider=_PROVIDER)
    if status >= 500:
        return ProviderUnavailable(message, retry_after=_retry_after(headers), provider=_PROVIDER)
    return ProviderProtocolError(message, provider=_PROVIDER)


def error_from_envelope(
    status: int, headers: Mapping[str, str], envelope: Envelope
) -> ProviderError:
    """The provider error for an AutoDNS error envelope; branches on EF codes, not texts."""
    codes = set(envelope.message_codes)
    first = envelope.messages[0] if envelope.messages else None
    message = first.text if first and first.text else envelope.status.text
    ctx: ErrorContext = {
        "provider": _PROVIDER,
        "provider_code": first.code if first else envelope.status.code,
        "trace_id": envelope.stid,
    }
    if status == 429 or ErrorCode.RATE_LIMITED in codes:
        return RateLimited(message, retry_after=_retry_after(headers), **ctx)
    if status == 401 or ErrorCode.AUTH_FAILED in codes:
        return ProviderAuthFailed(message, **ctx)
    if codes & _INTERNAL:
        return ProviderError(message, **ctx)
    if ErrorCode.NOT_AUTHORISED in codes:
        return Forbidden(message, **ctx)
    if ErrorCode.NOT_FOUND in codes:
        return NotFound(message, **ctx)
    if ErrorCode.DUPLICATE in codes:
        existing = _object_values(envelope, ErrorCode.DUPLICATE, "Contact")
        return DuplicateContact(message, existing_id=existing[0] if existing else None, **ctx)
    error = _by_input_or_status(status, envelope, message, ctx)
    if isinstance(error, ProviderUnavailable):
        error.retry_after = _retry_after(headers)  # a 503 may say when to come back
    return error


def _by_input_or_status(
    status: int, envelope: Envelope, message: str, ctx: ErrorContext
) -> ProviderError:
    codes = set(envelope.message_codes)
    if ErrorCode.IN_USE in codes:
        domains = ", ".join(_object_values(envelope, ErrorCode.IN_USE, "domain"))
        text = f"{message} (domains: {domains})" if domains else message
        issue = FieldIssue((), IssueCode.CONFLICT, text, ErrorCode.IN_USE.value)
        return ValidationFailed([issue], **ctx)
    if codes & INPUT_CODES:
        return ValidationFailed(_issues(envelope.messages), **ctx)
    if ErrorCode.UNKNOWN_RESOURCE in codes:
        return ProviderProtocolError(f"AutoDNS does not know this resource: {message}", **ctx)
    if status >= 500 or ErrorCode.SERVER_ERROR in codes:
        return ProviderUnavailable(message, **ctx)
    if status == 404:
        return NotFound(message, **ctx)
    return ProviderProtocolError(message, **ctx)


def _issues(messages: Sequence[Message]) -> list[FieldIssue]:
    """One issue per input message; the field is the AutoDNS field its object names."""
    issues = []
    for m in messages:
        if m.code not in INPUT_CODES:
            continue
        obj = m.objects[0] if m.objects else None
        field = (obj.type,) if obj is not None else ()
        given = obj is None or bool(obj.value.strip()) or m.code == ErrorCode.BAD_REQUEST
        issues.append(FieldIssue(field, issue_code(m.code, given), m.text, m.code))
    return issues


def _object_values(envelope: Envelope, code: str, kind: str) -> list[str]:
    return [
        o.value for m in envelope.messages if m.code == code for o in m.objects if o.type == kind
    ]


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
