"""Real `contact-gateway serve` processes for tests, always stopped (with their workers).

Each runs in its own session (process group) with its output in files; stopping it
sends SIGTERM (uvicorn's supervisor then stops its workers), and SIGKILL to the whole
group if that has not ended it in time, so no process outlives its test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

START_SECONDS = 30.0
STOP_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command() -> list[str]:
    script = shutil.which("contact-gateway")
    return [script] if script else [sys.executable, "-m", "gateway.cli"]


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """This environment without the test run's own gateway settings, plus `extra`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_GATEWAY_")}
    return {**base, **extra}


class ServeProcess:
    def __init__(self, process: subprocess.Popen[bytes], port: int, logs: Path) -> None:
        self.process = process
        self.port = port
        self.logs = logs

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    async def wait_ready(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.output()}")
            try:
                async with http.get(f"{self.base_url}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise TimeoutError(f"serve did not answer /healthz: {self.output()}")

    def output(self) -> str:
        return (self.logs / "stderr.txt").read_text(errors="replace")[-3000:]

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL to the whole group; the exit code of the first signal."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        code = self.process.poll()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # workers too, if any are left
        if code is None:
            self.process.wait(STOP_SECONDS)
        return code


@contextmanager
def serve(
    args: Sequence[str], directory: Path, env: dict[str, str] | None = None
) -> Iterator[ServeProcess]:
    """`contact-gateway serve --port <free> *args`, run in `directory`, stopped after."""
    port = free_port()
    logs = directory / f"serve-{port}"
    logs.mkdir(parents=True)
    command: list[Any] = [*_command(), "serve", "--port", str(port), *args]
    with (logs / "stdout.txt").open("wb") as out, (logs / "stderr.txt").open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=directory,
            env=_environment(env or {}),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    running = ServeProcess(process, port, logs)
    try:
        yield running
    finally:
        running.stop()
