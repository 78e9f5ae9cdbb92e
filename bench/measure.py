"""The timed part: every planned scenario through the gateway, the floor and the ceiling.

For each latency profile the sandboxes are re-seeded (earlier creates are gone), the
scenarios planned again, then the latency set. Each scenario is measured with each
connection count, for the gateway, then its floor (the sandboxes directly) and its
ceiling (the passthrough), back to back, so the three see the same machine. Reads come
first and writes last, because creates grow the data later reads would list. Upstream
requests per operation are the sandboxes' counters over the job's operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.ops import Operation
from bench.plan import Planned, plan
from bench.scenarios import Scenario
from bench.seeds import seeded_ids
from bench.stack import Stack
from bench.upstream import PROVIDERS

TARGETS = ("gateway", "floor", "ceiling")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What a run measures: latency profiles (ms), connection counts, seconds per job."""

    profiles: tuple[float, ...] = (0.0, 20.0)
    connections: tuple[int, ...] = (1, 8)
    duration: float = 1.5
    warmup: float = 0.3

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Measurement:
    latency_ms: float
    connections: int
    scenario: str
    target: str
    summary: dict[str, Any]
    upstream_per_op: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def fresh_plan(stack: Stack, scenarios: Sequence[Scenario]) -> list[Planned]:
    """Re-seeded sandboxes (no latency, empty logs), enough contacts, every scenario planned."""
    await stack.sandboxes.reset()
    ids = await seeded_ids(stack.http, stack.endpoints.graphql)
    return await plan(stack.http, stack.endpoints, stack.sandboxes, scenarios, ids)


async def measure_profile(
    stack: Stack,
    scenarios: Sequence[Scenario],
    latency_ms: float,
    config: RunConfig,
    progress: Callable[[str], None],
) -> tuple[list[Planned], list[Measurement]]:
    """Plan on fresh data, set the latency, measure; the plan and the measurements."""
    planned = await fresh_plan(stack, scenarios)
    await stack.sandboxes.latency(latency_ms)
    results = []
    for p, connections, target, op in _jobs(planned, stack, config):
        tag = f"{latency_ms:g}ms.c{connections}.{p.scenario.key}.{target}"
        results.append(await _measure(stack, op, latency_ms, connections, p, target, config, tag))
        summary = results[-1].summary
        progress(
            f"{latency_ms:>4g} ms  c={connections:<3} {p.scenario.key:<11} {target:<8} "
            f"{summary['rps']:9.1f} req/s  p50 {summary['p50']:8.2f} ms  errors {summary['errors']}"
        )
    return planned, results


def _jobs(
    planned: Sequence[Planned], stack: Stack, config: RunConfig
) -> Iterator[tuple[Planned, int, str, Operation]]:
    ordered = [p for p in planned if not p.scenario.write] + [
        p for p in planned if p.scenario.write
    ]
    for p in ordered:
        ops = {"gateway": p.gateway_op(stack.endpoints)}
        if p.has_floor:
            ops["floor"] = p.floor_op(stack.endpoints)
        if p.has_ceiling:
            ops["ceiling"] = p.ceiling_op(stack.endpoints)
        for connections in config.connections:
            for target, op in ops.items():
                yield p, connections, target, op


async def _measure(
    stack: Stack,
    op: Operation,
    latency_ms: float,
    connections: int,
    planned: Planned,
    target: str,
    config: RunConfig,
    tag: str,
) -> Measurement:
    await stack.sandboxes.forget()
    job = {
        "operation": op.as_dict(),
        "connections": connections,
        "duration": config.duration,
        "warmup": config.warmup,
        "tag": tag,
    }
    summary = await stack.load(job)
    counts = await stack.sandboxes.counts()
    issued = max(int(summary["ops_total"]), 1)
    per_op = {p: counts[p] / issued for p in PROVIDERS}
    return Measurement(latency_ms, connections, planned.scenario.key, target, summary, per_op)
