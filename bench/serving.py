"""Serve ASGI apps under uvicorn in a process of their own, the way the bench starts servers.

One event loop (uvloop when installed) and uvicorn's httptools parser when installed,
as `uvicorn.run` picks them. Each app listens on a free 127.0.0.1 port; once all are
up, one JSON line on stdout says where (`{"ports": {...}, "pid": ..., "loop": ..., "http":
...}`) for the parent to read. The process stops on SIGTERM/SIGINT or when its stdin
closes, so a crashed parent never leaves servers behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Coroutine, Generator, Mapping
from importlib import import_module
from importlib.util import find_spec
from typing import Any

import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"


def implementations() -> dict[str, str]:
    """The event loop and HTTP parser this process uses (what `uvicorn.run` would pick)."""
    return {
        "loop": "uvloop" if find_spec("uvloop") else "asyncio",
        "http": "httptools" if find_spec("httptools") else "h11",
    }


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `main()` on uvloop when installed, else on asyncio's default loop.

    A failure ends the process at once: a half-started app may leave a non-daemon thread
    behind (an open aiosqlite connection), which would keep the process from exiting.
    """
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if implementations()["loop"] == "uvloop":
        factory = import_module("uvloop").new_event_loop
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(main())
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


class _Server(uvicorn.Server):
    """Several servers share this process: signals are handled once, by `serve_apps`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _listening_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets that say they are TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


async def serve_apps(apps: Mapping[str, ASGIApp], *, log_level: str = "warning") -> None:
    """Serve every app on its own port until told to stop; announce the ports on stdout."""
    http = implementations()["http"]
    servers: dict[str, tuple[_Server, socket.socket]] = {}
    for name, app in apps.items():
        config = uvicorn.Config(
            app,
            http=http,
            lifespan="on",
            log_level=log_level,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        servers[name] = (_Server(config), _listening_socket())
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers.values()]
    while not all(server.started for server, _ in servers.values()):
        for (name, (server, _)), task in zip(servers.items(), tasks, strict=True):
            if task.done() and not server.started:
                task.result()  # a server that failed to start raises here, or
                raise RuntimeError(f"{name} stopped while starting (its lifespan failed)")
        await asyncio.sleep(0.01)
    ports = {name: sock.getsockname()[1] for name, (_, sock) in servers.items()}
    hello = {"ports": ports, "pid": os.getpid(), **implementations()}
    sys.stdout.write(json.dumps(hello) + "\n")
    sys.stdout.flush()
    await _told_to_stop()
    for server, _ in servers.values():
        server.should_exit = True
    await asyncio.gather(*tasks)


async def _told_to_stop() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def wait_for_eof() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    await stop.wait()
