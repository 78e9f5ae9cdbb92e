"""`contact-gateway serve`: one process, or `--workers N` processes on one listening socket.

One process: the socket listens before the app starts and before the banner is
printed, so a client that has read the banner can connect at once, and `--port 0`
shows the real port.

uvicorn starts each worker as a new process that imports the app by name, so workers
get theirs from a factory (`worker_app`) that builds the settings again from what the
parent had: the same config file, command-line overrides and environment (handed over
in one environment variable, `SPEC_ENV`; no secret goes into it).

Workers share nothing in memory. What they must share lives in the storage (the
SQLite file in data_dir, or Redis with cache_url): the cache and its invalidations,
persisted queries and the idempotency ledger. The embedded sandboxes are served ONCE,
by the parent, on a thread with its own event loop; the workers attach to them by URL,
so every worker reads and writes the same fake data.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import uvicorn
from starlette.applications import Starlette

from gateway.app import banner, create_app
from gateway.auth import Authenticator
from gateway.logs import configure_logging
from gateway.sandboxes import EmbeddedSandboxes
from gateway.settings import Settings, load_settings

BACKLOG: Final = 2048
SPEC_ENV: Final = "_CONTACT_GATEWAY_WORKER"
"""Outside the CONTACT_GATEWAY_ prefix on purpose: it is not a setting."""
SANDBOX_START_SECONDS: Final = 30.0


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening (workers inherit it); a port in use stops start-up clearly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(
            f"contact-gateway: cannot listen on {host}:{port}: {exc.strerror}"
        ) from exc
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def stream_options(settings: Settings) -> dict[str, Any]:
    """For subscriptions: WebSockets on wsproto (a dependency) with messages no larger
    than a body, and a bounded shutdown: requests in flight get their deadline, then what
    is left is cancelled (uvicorn would otherwise wait forever for a stream that never
    ends; subscriptions themselves end at once, gateway/live/stopping.py)."""
    return {
        "ws": "wsproto",
        "ws_max_size": settings.limits.max_body_bytes,
        "timeout_graceful_shutdown": math.ceil(settings.request_deadline) + 2,
    }


def serve(settings: Settings) -> None:
    """One process: the app with its sandboxes and storage, until a signal stops it."""
    configure_logging(settings.log_level)
    sock = listening_socket(settings.host, settings.port)
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    app = create_app(settings, announce=True)
    config = uvicorn.Config(
        app,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,  # keep our JSON logging (configure_logging)
        **stream_options(settings),
    )
    uvicorn.Server(config).run(sockets=[sock])


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """What a worker needs to build the parent's settings and find its sandboxes."""

    config: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    sandboxes: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, text: str) -> WorkerSpec:
        data = json.loads(text)
        return cls(data.get("config"), dict(data["overrides"]), dict(data["sandboxes"]))


def worker_app() -> Starlette:
    """The app of one worker (uvicorn calls this in each worker process)."""
    spec = WorkerSpec.load(os.environ[SPEC_ENV])
    config = Path(spec.config) if spec.config else None
    settings = load_settings(config, **spec.overrides)
    configure_logging(settings.log_level)
    return create_app(settings, sandbox_urls=spec.sandboxes)


class SandboxThread:
    """The embedded sandboxes, served by the parent on a thread of their own."""

    def __init__(self) -> None:
        self.sandboxes = EmbeddedSandboxes()
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None

    def start(self, settings: Settings) -> dict[str, str]:
        """Serve them; their base URLs once they listen."""
        self._thread = threading.Thread(
            target=self._run, args=(settings,), name="sandboxes", daemon=True
        )
        self._thread.start()
        if not self._started.wait(SANDBOX_START_SECONDS):
            raise TimeoutError("the sandboxes did not start")
        if self._failure is not None:
            raise self._failure
        return self.sandboxes.urls()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(SANDBOX_START_SECONDS)

    def _run(self, settings: Settings) -> None:
        try:
            self._loop.run_until_complete(self.sandboxes.start(settings))
        except Exception as exc:  # handed to start()'s caller
            self._failure = exc
        self._started.set()
        if self._failure is None:
            self._loop.run_forever()
            self._loop.run_until_complete(self.sandboxes.stop())
        self._loop.close()


def serve_workers(
    settings: Settings, config: Path | None, overrides: dict[str, Any], workers: int
) -> None:
    """`workers` processes behind one socket, until a signal stops them (uvicorn's
    supervisor stops the workers, and replaces one that dies). uvicorn binds the socket
    itself here, just after the banner."""
    configure_logging(settings.log_level)
    thread = SandboxThread()
    try:
        urls = thread.start(settings) if settings.use_sandboxes else {}
        spec = WorkerSpec(str(config.resolve()) if config else None, overrides, urls)
        os.environ[SPEC_ENV] = spec.dump()
        open_auth = Authenticator(settings).open
        print(banner(settings, thread.sandboxes, open_auth=open_auth), flush=True)
        uvicorn.run(
            "gateway.serving:worker_app",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
            log_config=None,  # keep our JSON logging (configure_logging)
            **stream_options(settings),
        )
    finally:
        thread.stop()
