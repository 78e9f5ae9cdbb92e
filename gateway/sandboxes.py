"""The embedded default: provider sandboxes served in-process on loopback.

`contact-gateway serve` with no provider configured starts them inside the
gateway's lifespan and points the adapters at them, so a person can try the
API without any account. Each sandbox has its control API under `/_sandbox/`.

With `serve --workers N` the parent process serves the sandboxes once and each worker
attaches to them by URL (`attach_to`), so every worker reads and writes the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.types import ASGIApp

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.settings import Settings
from providers.sandboxing import ServedApp
from providers.spark.types import SparkRole

SPARK_TOKENS: dict[SparkRole, str] = {
    SparkRole.PRIVATE: spark_sandbox.PRIVATE_TOKEN,
    SparkRole.IDX: spark_sandbox.IDX_TOKEN,
    SparkRole.PUBLIC: spark_sandbox.PUBLIC_TOKEN,
    SparkRole.VOW: spark_sandbox.VOW_TOKEN,
    SparkRole.PORTAL: spark_sandbox.PORTAL_TOKEN,
}


@dataclass(slots=True)
class RunningSandbox:
    name: str
    base_url: str
    credentials: dict[str, str]
    served: ServedApp | None = None
    """None when another process serves it (a worker attached to its parent's)."""


@dataclass(slots=True)
class EmbeddedSandboxes:
    """The sandboxes this process started; stopped with the gateway."""

    running: dict[str, RunningSandbox] = field(default_factory=dict)
    attach_to: Mapping[str, str] = field(default_factory=dict)
    """Base URLs of sandboxes another process serves: `start` uses these instead."""

    async def start(self, settings: Settings) -> None:
        if self.attach_to:
            self.attach(settings, self.attach_to)
            return
        sandbox = settings.sandbox
        spark = spark_sandbox.create_spark_sandbox().app
        await self._serve("spark", spark, sandbox.spark_port, settings)
        # AutoDNS: seeded domain contacts; the JSON API is under `/v1` (Basic auth + context).
        autodns = autodns_sandbox.create_autodns_sandbox().app
        await self._serve("autodns", autodns, sandbox.autodns_port, settings)
        # IS24: seeded realtor contacts under `/restapi/api` (OAuth 1.0a, JSON and XML).
        is24 = is24_sandbox.create_is24_sandbox().app
        await self._serve("is24", is24, sandbox.is24_port, settings)

    async def _serve(self, name: str, app: ASGIApp, port: int, settings: Settings) -> None:
        served = ServedApp(app, host=settings.sandbox.host, port=port)
        await served.start()
        credentials = _credentials(name, settings)
        self.running[name] = RunningSandbox(name, served.base_url, credentials, served)

    def attach(self, settings: Settings, urls: Mapping[str, str]) -> None:
        """Use sandboxes served elsewhere (`urls()` of the process serving them)."""
        for name, url in urls.items():
            self.running[name] = RunningSandbox(name, url, _credentials(name, settings))

    def urls(self) -> dict[str, str]:
        return {name: sandbox.base_url for name, sandbox in self.running.items()}

    async def stop(self) -> None:
        for sandbox in self.running.values():
            if sandbox.served is not None:
                await sandbox.served.stop()
        self.running.clear()

    def describe(self) -> list[str]:
        """Lines for the start-up banner: where each sandbox is and how to log in."""
        return [
            f"  {s.name:8} {s.base_url}  "
            + "  ".join(f"{k}={v}" for k, v in s.credentials.items())
            + f"  (control: {s.base_url}/_sandbox/requests)"
            for s in self.running.values()
        ]


def _credentials(name: str, settings: Settings) -> dict[str, str]:
    """The sandbox credentials the banner shows and the gateway uses."""
    if name == "spark":
        role = settings.sandbox.spark_role
        return {"role": role.value, "access_token": SPARK_TOKENS[role]}
    if name == "autodns":
        return {
            "user": autodns_sandbox.USER,
            "password": autodns_sandbox.PASSWORD,
            "context": autodns_sandbox.CONTEXT,
        }
    return {
        "consumer_key": is24_sandbox.CONSUMER_KEY,
        "consumer_secret": is24_sandbox.CONSUMER_SECRET,
        "access_token": is24_sandbox.ACCESS_TOKEN,
        "token_secret": is24_sandbox.TOKEN_SECRET,
        "username": is24_sandbox.USERNAME,
    }
