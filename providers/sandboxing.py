"""What every provider sandbox shares: fault injection, a request log, the control API,
and a way to serve an ASGI app on loopback.

A sandbox is a Starlette app speaking one provider's API. Wrapping it with
`SandboxKit.wrap(...)` adds, beside the provider's own paths:

    GET    /_sandbox/requests   {"count": n, "requests": [{method, path, query, status, ms}],
                                 "max_in_flight": most provider requests served at once}
    DELETE /_sandbox/requests   forget the log (count back to 0)
    GET    /_sandbox/faults     the fault settings in force
    POST   /_sandbox/faults     change some fault settings (JSON object, partial)
    POST   /_sandbox/reset      re-seed the data, clear faults and the log

Faults apply only to provider paths, never to `/_sandbox/*`, and the log records
only provider requests, so tests can count exactly the upstream calls the gateway made.

Connection resets (`reset_before_next`: drop the connection without processing the
request; `reset_after_next`: process it, then drop the connection without answering —
the "write applied, answer lost" case) need the app served by `ServedApp`, which
hands the kit the uvicorn connection; the log marks such requests `dropped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"
LOG_LIMIT = 10_000


@dataclass(slots=True)
class FaultSettings:
    """Faults a sandbox injects into provider requests; every count is 'next N requests'."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    fail_next: int = 0
    rate_limit_next: int = 0
    retry_after_s: float = 1.0
    malformed_next: int = 0
    truncate_next: int = 0
    wrong_content_type_next: int = 0
    blackhole: bool = False
    reset_before_next: int = 0
    reset_after_next: int = 0
    reset_rate: float = 0.0
    """Share of requests reset at random, half of them before and half after processing."""
    reset_writes_only: bool = False
    """Resets skip GET and HEAD requests (aim them at the writes)."""

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update, rejecting unknown names and wrong types."""
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault setting {name!r}")
            current = getattr(self, name)
            if isinstance(current, bool) != isinstance(value, bool):
                raise ValueError(f"fault setting {name!r} takes a {type(current).__name__}")
            if not isinstance(value, int | float):
                raise ValueError(f"fault setting {name!r} takes a number")
            setattr(self, name, type(current)(value))


class FaultResponder(Protocol):
    """Builds provider-shaped error bodies for injected faults."""

    def error_response(self, status: int) -> Response: ...

    def rate_limited_response(self, retry_after_s: float) -> Response: ...


@dataclass(slots=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    ms: float
    dropped: bool = False
    """The connection was reset instead of answered (`status` is what the app produced)."""


class SandboxKit:
    """Fault injection, request log and control routes around one provider app."""

    def __init__(self, responder: FaultResponder, reseed: Callable[[], None], seed: int = 0):
        self.faults = FaultSettings()
        self.count = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.log: deque[LoggedRequest] = deque(maxlen=LOG_LIMIT)
        self._responder = responder
        self._reseed = reseed
        self._random = random.Random(seed)  # noqa: S311  # jitter, not cryptography

    def wrap(self, provider_app: ASGIApp) -> Starlette:
        """The provider app mounted under `/`, with the control API beside it."""
        control = [
            Route(f"{CONTROL_PREFIX}/requests", self._requests, methods=["GET", "DELETE"]),
            Route(f"{CONTROL_PREFIX}/faults", self._faults, methods=["GET", "POST"]),
            Route(f"{CONTROL_PREFIX}/reset", self._reset, methods=["POST"]),
        ]
        return Starlette(routes=[*control, Mount("/", app=self._faulty(provider_app))])

    def reset(self) -> None:
        self._reseed()
        self.faults = FaultSettings()
        self.count = 0
        self.max_in_flight = self.in_flight
        self.log.clear()

    async def _requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.count = 0
            self.max_in_flight = self.in_flight
            self.log.clear()
        log = [asdict(r) for r in self.log]
        return JSONResponse(
            {"count": self.count, "requests": log, "max_in_flight": self.max_in_flight}
        )

    async def _faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise ValueError("expected a JSON object")
                self.faults.update(changes)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(asdict(self.faults))

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"reset": True})

    def _faulty(self, app: ASGIApp) -> ASGIApp:
        async def faulty_app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            await self._serve_with_faults(app, scope, receive, send)

        return faulty_app

    async def _serve_with_faults(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send
    ) -> None:
        started = time.perf_counter()
        self.count += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        status_box = [0]
        dropped = False

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            await self._delay()
            reset = self._armed_reset(scope["method"])
            injected = None if reset else self._injected_response()
            if reset:
                dropped = True
                if reset == "reset_after_next":
                    await app(scope, receive, _discarding(status_box))
                await _drop_connection(scope)
            elif injected is not None:
                await injected(scope, receive, recording_send)
            else:
                await app(scope, receive, self._mangling_send(recording_send))
        finally:
            self.in_flight -= 1
            self.log.append(
                LoggedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status_box[0],
                    ms=round((time.perf_counter() - started) * 1000, 3),
                    dropped=dropped,
                )
            )

    async def _delay(self) -> None:
        f = self.faults
        if f.blackhole:
            await asyncio.Event().wait()  # never answers; the client's timeout ends it
        delay = f.latency_ms + (
            self._random.uniform(-f.jitter_ms, f.jitter_ms) if f.jitter_ms else 0
        )
        if delay > 0:
            await asyncio.sleep(delay / 1000)

    def _armed_reset(self, method: str) -> str:
        """The reset fault this request triggers ('' for none), counted down."""
        f = self.faults
        if f.reset_writes_only and method in ("GET", "HEAD"):
            return ""
        for name in ("reset_before_next", "reset_after_next"):
            if getattr(f, name) > 0:
                setattr(f, name, getattr(f, name) - 1)
                return name
        if f.reset_rate > 0 and self._random.random() < f.reset_rate:
            return "reset_after_next" if self._random.random() < 0.5 else "reset_before_next"
        return ""

    def _injected_response(self) -> Response | None:
        f = self.faults
        if f.rate_limit_next > 0:
            f.rate_limit_next -= 1
            return self._responder.rate_limited_response(f.retry_after_s)
        if f.fail_next > 0:
            f.fail_next -= 1
            return self._responder.error_response(f.error_status)
        if f.error_rate > 0 and self._random.random() < f.error_rate:
            return self._responder.error_response(f.error_status)
        return None

    def _mangling_send(self, send: Send) -> Send:
        """Corrupt the body of this response if a body fault is armed."""
        f = self.faults
        mode = ""
        for name in ("malformed_next", "truncate_next", "wrong_content_type_next"):
            if getattr(f, name) > 0:
                setattr(f, name, getattr(f, name) - 1)
                mode = name
                break
        if not mode:
            return send
        return _body_mangler(send, mode)


CONNECTION_KEY = "sandbox.connection"
"""Scope key under which `ServedApp` leaves uvicorn's connection (for resets)."""


def _discarding(status_box: list[int]) -> Send:
    """A `send` that keeps only the status: the app answers, the client never hears it."""

    async def discard(message: Message) -> None:
        if message["type"] == "http.response.start":
            status_box[0] = message["status"]

    return discard


async def _drop_connection(scope: Scope) -> None:
    """Reset the client's TCP connection (RST, no answer), then wait until uvicorn has
    seen it go, so it does not answer a 500 in our place."""
    connection = scope.get(CONNECTION_KEY)
    transport = getattr(connection, "transport", None)
    if transport is None:
        raise RuntimeError("connection resets need the sandbox served by ServedApp")
    with contextlib.suppress(OSError, AttributeError):
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()  # connection_lost runs on the next loop turns
    for turn in range(300):
        if getattr(connection, "disconnected", True):
            return
        await asyncio.sleep(0 if turn < 100 else 0.005)


def _exposing_connection(app: ASGIApp) -> ASGIApp:
    """Put uvicorn's connection (the object whose bound method `send` is) in the scope."""

    async def exposing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[CONNECTION_KEY] = getattr(send, "__self__", None)
        await app(scope, receive, send)

    return exposing


def _body_mangler(send: Send, mode: str) -> Send:
    chunks: list[bytes] = []
    start: dict[str, Any] = {}

    async def mangling_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if mode == "malformed_next":
            body = b"{<not json or xml" + body[:20]
        elif mode == "truncate_next":
            body = body[: max(1, len(body) // 2)]
        else:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-type"]
            headers.append((b"content-type", b"text/html; charset=utf-8"))
            body = b"<html><body>maintenance</body></html>"
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return mangling_send


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process hosting it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class ServedApp:
    """An ASGI app served by uvicorn on loopback inside the running event loop.

    `port=0` picks a free ephemeral port; `base_url` is known once started.
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def start(self) -> str:
        # IPPROTO_TCP explicitly: asyncio only turns Nagle off (TCP_NODELAY) on accepted
        # sockets whose listener says so; with proto 0 every response waits ~40 ms.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            _exposing_connection(self._app),
            lifespan="on",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        return self.base_url

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._server = None

    async def __aenter__(self) -> ServedApp:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
