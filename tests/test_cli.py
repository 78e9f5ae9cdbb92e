"""`contact-gateway serve` as a user runs it: embedded sandboxes, banner, GraphQL answers."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from gateway.cli import main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


AUTODNS_QUERY = """{ contacts(provider: AUTODNS, first: 1) {
  totalCount nodes { __typename ... on DomainContact { alias lastStid } } } }"""


async def _read_banner(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    lines: list[str] = []
    while not any("autodns" in line and "_sandbox/requests" in line for line in lines):
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
        if not line:
            break
        lines.append(line.decode())
    return "".join(lines)


async def test_serve_starts_the_embedded_default(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_GATEWAY_")}
    env["CONTACT_GATEWAY_DATA_DIR"] = str(tmp_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    try:
        banner = await _read_banner(proc)
        assert f"http://127.0.0.1:{port}/graphql" in banner
        assert "spark-sandbox-private" in banner
        assert "autodns-sandbox-user" in banner
        async with aiohttp.ClientSession() as http:
            async with http.get(
                f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"}
            ) as resp:
                assert resp.status == 200
                assert "graphiql" in (await resp.text()).lower()
            async with http.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": "{ contacts(first: 3) { totalCount } }"},
            ) as resp:
                body = await resp.json()
            async with http.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": AUTODNS_QUERY},
            ) as resp:
                autodns = await resp.json()
        assert body["data"]["contacts"]["totalCount"] > 0
        assert autodns["data"]["contacts"]["totalCount"] == 120
        (node,) = autodns["data"]["contacts"]["nodes"]
        assert node["__typename"] == "DomainContact" and node["alias"] and node["lastStid"]
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=10)


def test_bad_configuration_fails_start_up_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('port = "eighty"\n[spark]\nrole = "Admin"\n')
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "bad configuration" in err
    assert "port" in err


def test_missing_config_file_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--config", "/nonexistent/gateway.toml"]) == 2
    assert "not found" in capsys.readouterr().err
