"""`contact-gateway serve` embeds the IS24 sandbox: its banner line, and realtor contacts."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

import providers.is24.sandbox as is24_sandbox

QUERY = """{ contacts(provider: IS24, first: 2, orderBy: [{field: ID}]) {
  totalCount nodes { __typename nativeId familyName
    ... on RealtorContact { countryCode realEstateReferenceCount } } } }"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def _banner_until_is24(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    lines: list[str] = []
    while not any("is24" in line and "_sandbox/requests" in line for line in lines):
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
        if not line:
            break
        lines.append(line.decode())
    return "".join(lines)


async def test_serve_embeds_the_is24_sandbox(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACT_GATEWAY_")}
    env["CONTACT_GATEWAY_DATA_DIR"] = str(tmp_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway.cli", "serve", "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        banner = await _banner_until_is24(proc)
        for secret in (is24_sandbox.CONSUMER_KEY, is24_sandbox.ACCESS_TOKEN, is24_sandbox.USERNAME):
            assert secret in banner
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}) as resp,
        ):
            body = await resp.json()
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=10)
    assert "errors" not in body, body
    contacts = body["data"]["contacts"]
    assert contacts["totalCount"] == 60
    for node in contacts["nodes"]:
        assert node["__typename"] == "RealtorContact"
        assert node["familyName"] and node["countryCode"] == "DEU"
