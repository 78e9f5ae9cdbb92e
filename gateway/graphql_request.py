"""Turn an HTTP request into a GraphQL request, by the GraphQL-over-HTTP rules.

Everything wrong with the HTTP request itself (not the GraphQL document) is a
`BadRequest` with the status the specification prescribes: 400 for malformed
parameters or bodies, 405 for unsupported methods, 406 for an Accept header we
cannot satisfy, 413 for an oversized body, 415 for an unsupported media type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from starlette.requests import Request

from providers.json_values import json_value

GRAPHQL_RESPONSE: Final = "application/graphql-response+json"
JSON: Final = "application/json"
MAX_BODY_BYTES: Final = 256 * 1024
REMEMBERED_ACCEPT_LENGTH: Final = 256
"""Clients send a few Accept values, again and again: those this short are remembered."""


class BadRequest(Exception):
    """The HTTP request is not a valid GraphQL-over-HTTP request."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        code: str = "BAD_REQUEST",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


def response_media_type(request: Request) -> str:
    """The media type to answer with, from Accept (spec: graphql-response+json preferred)."""
    accept = request.headers.get("accept", "")
    if len(accept) <= REMEMBERED_ACCEPT_LENGTH:
        return _remembered_media_type(accept)
    return _media_type(accept)


@lru_cache(maxsize=64)
def _remembered_media_type(accept: str) -> str:
    return _media_type(accept)  # a refusal (406) raises, and is not remembered


def _media_type(accept: str) -> str:
    if not accept.strip():
        return JSON
    ranges = [media_range(part) for part in accept.split(",")]
    accepted = [(q, media) for media, q in ranges if q > 0]
    for _, media in sorted(accepted, key=lambda item: -item[0]):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    raise BadRequest(406, f"cannot answer with any of: {accept[:200]}")


def media_range(part: str) -> tuple[str, float]:
    """One Accept entry: its media type (lower case) and its q (0 when unreadable)."""
    media, *params = (p.strip() for p in part.split(";"))
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
    return media.lower(), q


def wants_html(request: Request) -> bool:
    """A browser asking for a page (GraphiQL), not a GraphQL client."""
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept and not request.query_params


def from_get(request: Request) -> GraphQLRequest:
    params = request.query_params
    for name in ("query", "operationName", "variables", "extensions"):
        if len(params.getlist(name)) > 1:
            raise BadRequest(400, f"parameter {name!r} given more than once")
    return _validated(
        {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_param(params.get("variables"), "variables"),
            "extensions": _json_param(params.get("extensions"), "extensions"),
        }
    )


async def from_post(request: Request, max_body: int = MAX_BODY_BYTES) -> GraphQLRequest:
    media, _, params = request.headers.get("content-type", "").partition(";")
    if media.strip().lower() != JSON:
        raise BadRequest(415, "POST bodies must be application/json")
    charset = params.strip().lower().removeprefix("charset=").strip('"')
    if charset and charset not in ("utf-8", "utf8"):
        raise BadRequest(415, "only UTF-8 bodies are accepted")
    body = await _read_capped(request, max_body)
    try:
        payload = load_body(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(400, "the body is not valid UTF-8 JSON") from exc
    if isinstance(payload, list):
        raise BadRequest(
            400,
            "batched requests (a JSON array) are not supported: send one operation per request",
            code="BATCHING_NOT_SUPPORTED",
        )
    if not isinstance(payload, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return _validated(payload)


async def _read_capped(request: Request, cap: int) -> bytes:
    too_large = BadRequest(413, f"bodies are limited to {cap} bytes", code="REQUEST_TOO_LARGE")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return load_json(raw)
    except ValueError as exc:
        raise BadRequest(400, f"{name!r} is not valid JSON") from exc


_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def load_body(body: bytes) -> Any:
    """The body's JSON value, fast (providers/json_values.py); whatever msgspec refuses
    (NaN, a lone surrogate, too deep, not UTF-8...) `load_json` decides as before."""
    return json_value(body, lambda raw: load_json(raw.decode("utf-8")))


def load_json(text: str) -> Any:
    """`json.loads`, refusing (ValueError) two things JSON text allows but the gateway
    cannot use: nesting deep enough to exhaust the parser's recursion (a 500 otherwise),
    and an escaped lone surrogate (`"\\ud800"`), which no encoder downstream can write."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("a lone surrogate is not text") from exc
    return value


def _validated(payload: dict[str, Any]) -> GraphQLRequest:
    query = payload.get("query")
    name = payload.get("operationName")
    variables = payload.get("variables")
    extensions = payload.get("extensions")
    if query is not None and not isinstance(query, str):
        raise BadRequest(400, "'query' must be a string")
    if name is not None and not isinstance(name, str):
        raise BadRequest(400, "'operationName' must be a string")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest(400, "'variables' must be an object")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadRequest(400, "'extensions' must be an object")
    return GraphQLRequest(query, name, variables, extensions or {})
