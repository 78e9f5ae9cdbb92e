"""The embedded default: provider sandboxes served in-process on loopback.

`contact-gateway serve` with no provider configured starts them inside the
gateway's lifespan and points the adapters at them, so a person can try the
API without any account. Each sandbox has its control API under `/_sandbox/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    served: ServedApp
    credentials: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.served.base_url


@dataclass(slots=True)
class EmbeddedSandboxes:
    """The sandboxes this process started; stopped with the gateway."""

    running: dict[str, RunningSandbox] = field(default_factory=dict)

    async def start(self, settings: Settings) -> None:
        host = settings.sandbox.host
        spark = ServedApp(
            spark_sandbox.create_spark_sandbox().app, host=host, port=settings.sandbox.spark_port
        )
        await spark.start()
        token = SPARK_TOKENS[settings.sandbox.spark_role]
        self.running["spark"] = RunningSandbox(
            "spark", spark, {"role": settings.sandbox.spark_role.value, "access_token": token}
        )
        await self._start_autodns(settings)
        await self._start_is24(settings)

    async def _start_autodns(self, settings: Settings) -> None:
        """AutoDNS: seeded domain contacts; the JSON API is under `/v1` (Basic auth + context)."""
        app = autodns_sandbox.create_autodns_sandbox().app
        served = ServedApp(app, host=settings.sandbox.host, port=settings.sandbox.autodns_port)
        await served.start()
        credentials = {
            "user": autodns_sandbox.USER,
            "password": autodns_sandbox.PASSWORD,
            "context": autodns_sandbox.CONTEXT,
        }
        self.running["autodns"] = RunningSandbox("autodns", served, credentials)

    async def _start_is24(self, settings: Settings) -> None:
        """IS24: seeded realtor contacts under `/restapi/api` (OAuth 1.0a, JSON and XML)."""
        app = is24_sandbox.create_is24_sandbox().app
        served = ServedApp(app, host=settings.sandbox.host, port=settings.sandbox.is24_port)
        await served.start()
        credentials = {
            "consumer_key": is24_sandbox.CONSUMER_KEY,
            "consumer_secret": is24_sandbox.CONSUMER_SECRET,
            "access_token": is24_sandbox.ACCESS_TOKEN,
            "token_secret": is24_sandbox.TOKEN_SECRET,
            "username": is24_sandbox.USERNAME,
        }
        self.running["is24"] = RunningSandbox("is24", served, credentials)

    async def stop(self) -> None:
        for sandbox in self.running.values():
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
