"""The gateway under test, in a process of its own: `python -m bench.gateway_server ROOTS DIR`.

The same app `contact-gateway serve` runs (`create_app`, JSON logs on stderr, one uvicorn
worker), configured the way an operator connects real providers: a section per provider
with its base URL and credentials, here those of the bench's sandboxes on loopback (the
gateway allows plain http only there). `ROOTS` is a JSON object of provider name to
sandbox root URL; `DIR` holds the SQLite cache. Everything else keeps its default.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from bench.serving import run, serve_apps
from bench.upstream import API_ROOTS, AUTODNS, IS24, SPARK
from gateway.app import create_app
from gateway.logs import configure_logging
from gateway.settings import Settings


def settings_for(roots: Mapping[str, str], data_dir: str) -> Settings:
    """Default settings with the three providers pointed at the sandboxes."""
    data: dict[str, Any] = {
        "data_dir": data_dir,
        "sandbox": {"enabled": False},
        "spark": {
            "base_url": roots[SPARK] + API_ROOTS[SPARK],
            "access_token": spark_sandbox.PRIVATE_TOKEN,
        },
        "is24": {
            "base_url": roots[IS24] + API_ROOTS[IS24],
            "consumer_key": is24_sandbox.CONSUMER_KEY,
            "consumer_secret": is24_sandbox.CONSUMER_SECRET,
            "access_token": is24_sandbox.ACCESS_TOKEN,
            "token_secret": is24_sandbox.TOKEN_SECRET,
        },
        "autodns": {
            "base_url": roots[AUTODNS] + API_ROOTS[AUTODNS],
            "user": autodns_sandbox.USER,
            "password": autodns_sandbox.PASSWORD,
            "context": autodns_sandbox.CONTEXT,
        },
    }
    if "auth" in Settings.model_fields:
        # Client authentication is not what is measured; loopback providers allow `open`.
        data["auth"] = {"mode": "open"}
    return Settings(**data)


def main() -> None:
    roots, data_dir = json.loads(sys.argv[1]), sys.argv[2]
    settings = settings_for(roots, data_dir)
    configure_logging(settings.log_level)

    async def serve() -> None:
        await serve_apps({"gateway": create_app(settings)}, log_level=settings.log_level)

    run(serve)


if __name__ == "__main__":
    main()
