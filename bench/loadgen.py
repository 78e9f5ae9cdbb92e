"""The load generator, a process of its own: `python -m bench.loadgen`.

Reads one job per line on stdin (JSON: `operation`, `connections`, `duration`, `warmup`,
`tag`) and answers one summary per line on stdout. A job runs `connections` workers,
each sending the operation again and again, back to back, on one shared aiohttp
session: at most `connections` operations are in flight, so the load is bounded.
Operations completing inside the measuring window (after the warm-up) are timed; every
operation started is counted in `ops_total`, so upstream requests per operation can be
computed exactly from the sandboxes' counters. Nothing is cancelled at the deadline:
the last operations finish, then the job ends.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.ops import Operation, perform
from bench.serving import implementations, run
from bench.stats import summarise
from bench.upstream import POOL_LIMIT

REQUEST_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Job:
    operation: Operation
    connections: int
    duration: float
    warmup: float
    tag: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        return cls(
            Operation.from_dict(data["operation"]),
            int(data["connections"]),
            float(data["duration"]),
            float(data["warmup"]),
            str(data["tag"]),
        )


async def run_job(job: Job) -> dict[str, Any]:
    """Drive the operation for warm-up + duration seconds; the summary as a dict."""
    # Straight to a sandbox (the floor), connections per provider are capped like the
    # gateway's pool; to the gateway or the passthrough, each worker has its own.
    to_providers = any(r.call for stage in job.operation.stages for r in stage)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=POOL_LIMIT if to_providers else 0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    started = time.perf_counter()
    measure_from = started + job.warmup
    measure_until = measure_from + job.duration

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal issued
        while time.perf_counter() < measure_until:
            issued += 1
            begin = time.perf_counter()
            failure = await perform(session, job.operation, f"{job.tag}.{issued}")
            end = time.perf_counter()
            if not measure_from <= end <= measure_until:
                continue
            if failure is None:
                latencies.append((end - begin) * 1000)
            else:
                errors.append(failure)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(job.connections)))
    summary = summarise(latencies, window_s=job.duration, errors=len(errors), ops_total=issued)
    return {**summary.as_dict(), "first_error": errors[0] if errors else None}


def main() -> None:
    async def serve_jobs() -> None:
        sys.stdout.write(json.dumps({"ready": True, **implementations()}) + "\n")
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            result = await run_job(Job.from_dict(json.loads(line)))
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()

    run(serve_jobs)


if __name__ == "__main__":
    main()
