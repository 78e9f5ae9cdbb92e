"""One benchmark operation: stages of HTTP requests, each stage sent concurrently, and the
checks that say whether the operation succeeded.

The load generator and the planner both send operations through `perform`, so what is
measured is exactly what was checked once before measuring. A failed check is an error
of the operation (counted, never timed); the reason names the request and what was wrong.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
from yarl import URL

from bench.upstream import Call, headers_for, with_unique

CODE = re.compile(rb'"(?:code|Code|errorCode)" ?: ?"?([A-Za-z0-9_]{2,40})')
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request; `call` is set for provider requests (they are signed and checked per call)."""

    method: str
    url: str
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    call: Call | None = None
    expect: tuple[int, ...] = (200,)
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["call"] = self.call.as_dict() if self.call else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HttpRequest:
        call = Call.from_dict(data["call"]) if data.get("call") else None
        return cls(
            method=data["method"],
            url=data["url"],
            body=data.get("body"),
            headers=dict(data.get("headers") or {}),
            call=call,
            expect=tuple(data.get("expect") or (200,)),
            must=tuple(data.get("must") or ()),
            must_not=tuple(data.get("must_not") or ()),
        )


Stage = tuple[HttpRequest, ...]


@dataclass(frozen=True, slots=True)
class Operation:
    """Stages run one after another; the requests of one stage run concurrently."""

    stages: tuple[Stage, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"stages": [[r.as_dict() for r in stage] for stage in self.stages]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Operation:
        stages = data["stages"]
        return cls(tuple(tuple(HttpRequest.from_dict(r) for r in stage) for stage in stages))


def graphql_request(
    url: str, payload: Mapping[str, Any], *, must: Sequence[str] = (), must_not: Sequence[str] = ()
) -> HttpRequest:
    """A POST of a GraphQL payload (`UNIQUE` inside it is replaced per operation)."""
    return HttpRequest(
        "POST", url, json.dumps(payload), JSON_HEADERS, must=tuple(must), must_not=tuple(must_not)
    )


def provider_request(call: Call, roots: Mapping[str, str]) -> HttpRequest:
    """The floor's version of a recorded provider call: straight to the sandbox."""
    expect = (200, 201) if call.method == "POST" else (200,)
    return HttpRequest(call.method, call.url(roots), call.body, call=call, expect=expect)


async def perform(session: aiohttp.ClientSession, op: Operation, token: str) -> str | None:
    """Send the operation; None when every response passed its checks, else the first reason."""
    for stage in op.stages:
        reasons = await asyncio.gather(*(_send(session, r, token) for r in stage))
        failed = next((r for r in reasons if r is not None), None)
        if failed is not None:
            return failed
    return None


async def _send(session: aiohttp.ClientSession, request: HttpRequest, token: str) -> str | None:
    body = with_unique(request.body, token) if request.body is not None else None
    headers = dict(request.headers)
    if request.call is not None:
        headers.update(headers_for(request.call, request.url))
    try:
        async with session.request(
            request.method, URL(request.url, encoded=True), data=body, headers=headers
        ) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return f"{request.method} {_short(request.url)}: {type(exc).__name__}"
    return _check(request, status, raw)


def _check(request: HttpRequest, status: int, raw: bytes) -> str | None:
    """Why the answer is wrong, naming error codes but never quoting data (it is personal)."""
    where = f"{request.method} {_short(request.url)}"
    if status not in request.expect:
        return f"{where}: HTTP {status}{_codes(raw)}"
    for text in request.must:
        if text.encode() not in raw:
            return f"{where}: answer lacks {text!r}{_codes(raw)}"
    for text in request.must_not:
        if text.encode() in raw:
            return f"{where}: answer has {text!r}{_codes(raw)}"
    return None


def _codes(raw: bytes) -> str:
    codes = sorted(set(CODE.findall(raw)))[:3]
    return f" (codes {b', '.join(codes).decode()})" if codes else ""


def _short(url: str) -> str:
    return url.split("?", 1)[0]
