"""The bench's child processes: started with `python -m <module>`, greeted, stopped.

Every child writes one JSON line on stdout once it is ready (its ports, or `ready`); a
child that dies or stays silent fails the run with the tail of its stderr log. The load
generator keeps its pipes open and answers one JSON line per job. Children run from the
repository root with `CONTACT_GATEWAY_*` variables removed, so an operator's environment
cannot change what is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class ChildFailed(RuntimeError):
    """A child process did not start, or did not answer."""


class Child:
    """One running child process and its greeting."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.process = process
        self.log = log
        self.hello: dict[str, Any] = {}

    @property
    def pid(self) -> int:
        return self.process.pid

    def port(self, name: str) -> int:
        return int(self.hello["ports"][name])

    @classmethod
    async def start(cls, name: str, module: str, *args: str, log_dir: Path) -> Child:
        log = log_dir / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_GATEWAY_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                module,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                cwd=ROOT,
                env=env,
            )
        child = cls(name, process, log)
        try:
            child.hello = await child.read_line(START_TIMEOUT_S)
        except BaseException:
            await child.stop()
            raise
        return child

    async def ask(self, message: dict[str, Any], wait_s: float) -> dict[str, Any]:
        """Send one JSON line, read the one-line JSON answer."""
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        await self.process.stdin.drain()
        return await self.read_line(wait_s)

    async def read_line(self, wait_s: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), wait_s)
        except TimeoutError:
            raise ChildFailed(f"{self.name} said nothing for {wait_s:.0f} s{self.tail()}") from None
        if not line:
            raise ChildFailed(f"{self.name} exited{self.tail()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return ":\n" + "\n".join(text) if text else ""

    async def stop(self) -> None:
        """Close stdin (the child's signal to stop), then SIGTERM, then SIGKILL."""
        if self.process.returncode is not None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S / 2)
            return
        except TimeoutError:
            self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S / 2)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
