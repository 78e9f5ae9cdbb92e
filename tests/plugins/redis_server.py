"""A throwaway `redis-server` for the tests of the Redis backend (cache_url = "redis://…").

One server per test session on 127.0.0.1 and a free port, without persistence, in a
temporary directory; it is terminated when the session ends, whatever happened. Each
test that asks for `redis_url` gets it emptied (FLUSHALL), so tests never see each
other's keys. Without a local `redis-server` those tests are skipped with the reason,
except on CI (CI=true), where that is a failure: CI must test both backends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_SECONDS = 10.0
_started: list[subprocess.Popen[bytes]] = []


@dataclass(frozen=True)
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self, *words: str) -> bytes:
        """Send one command in RESP and return the first reply line (PING, FLUSHALL)."""
        parts = [f"*{len(words)}\r\n".encode()]
        for word in words:
            parts.append(f"${len(word.encode())}\r\n{word}\r\n".encode())
        with socket.create_connection(("127.0.0.1", self.port), timeout=2.0) as conn:
            conn.sendall(b"".join(parts))
            return conn.recv(4096).split(b"\r\n", 1)[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it in .ci/run; it must not be skipped there)")
    pytest.skip(reason)


def _start(binary: str, directory: Path) -> RedisServer:
    port = _free_port()
    log = (directory / f"redis-{port}.log").open("wb")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    args += ["no", "--dir", str(directory), "--daemonize", "no", "--loglevel", "warning"]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    _started.append(process)
    server = RedisServer(port, process)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if server.command("PING") == b"+PONG":
                return server
        except OSError:
            time.sleep(0.02)
    _stop(process)
    raise RuntimeError(f"redis-server did not start on port {port}: see {directory}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    if process in _started:
        _started.remove(process)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server is not installed (apt-get install redis-server)")
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="contact-gateway-redis-") as directory:
        for attempt in range(3):  # the free port may be taken between probe and bind
            try:
                server = _start(binary, Path(directory))
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        try:
            yield server
        finally:
            _stop(server.process)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    assert redis_server.command("FLUSHALL") == b"+OK"
    return redis_server.url


@pytest.fixture(params=["sqlite", "redis"])
def cache_url(request: pytest.FixtureRequest) -> str | None:
    """Both storage backends: None (the SQLite file, the default) and a Redis URL."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("redis_url")
    return url


def pytest_unconfigure(config: pytest.Config) -> None:
    """A safety net: never leave a server behind, even after an interrupted session."""
    for process in list(_started):
        _stop(process)
