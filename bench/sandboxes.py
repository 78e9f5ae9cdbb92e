"""The three provider sandboxes, seeded, in one process of their own: `python -m bench.sandboxes`.

Each listens on its own 127.0.0.1 port (announced on stdout, see `bench.serving`) with
the default seed, so ids are the same in every run. Latency is set later through each
sandbox's control API (`POST /_sandbox/faults`), never by changing sandbox code.
"""

from __future__ import annotations

from starlette.types import ASGIApp

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from bench.serving import run, serve_apps
from bench.upstream import AUTODNS, IS24, SPARK


def sandbox_apps() -> dict[str, ASGIApp]:
    return {
        SPARK: spark_sandbox.create_spark_sandbox().app,
        IS24: is24_sandbox.create_is24_sandbox().app,
        AUTODNS: autodns_sandbox.create_autodns_sandbox().app,
    }


async def main() -> None:
    await serve_apps(sandbox_apps())


if __name__ == "__main__":
    run(main)
