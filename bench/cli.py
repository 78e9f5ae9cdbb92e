"""`python -m bench`: the benchmark suite (about 3 to 4 minutes) or `--quick`, the CI smoke test.

The default run measures every scenario at 0 ms and 20 ms of sandbox latency, with one
connection and with eight, for the gateway, its floor and its ceiling, and writes
bench/results/results.{json,md,png}. It exits non-zero only when a scenario broke its
upstream-request limits; the timing targets are reported PASS/FAIL, not enforced.

`--quick` starts the same processes, runs every scenario once, checks the upstream
request counts (never times: they are noisy on shared CI machines), smoke-tests the load
generator for a moment, writes nothing, and exits 1 when a count regressed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.children import ROOT, ChildFailed
from bench.gateway_log import error_kinds
from bench.measure import Measurement, RunConfig, fresh_plan, measure_profile
from bench.memory import RssSampler
from bench.plan import PlanError, Planned
from bench.report import plan_table, summary_lines, write
from bench.results import assemble, plan_entry
from bench.scenarios import SCENARIOS
from bench.seeds import SeedError
from bench.stack import Stack

SECONDS_PER_JOB_OVERHEAD = 0.15
BUDGET_S = 300


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(","))


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(","))


def parser() -> argparse.ArgumentParser:
    defaults = RunConfig()
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="count upstream requests only (CI)")
    p.add_argument("--latency", type=_floats, default=defaults.profiles, help="ms, e.g. 0,20")
    p.add_argument("--connections", type=_ints, default=defaults.connections, help="e.g. 1,8")
    p.add_argument("--duration", type=float, default=defaults.duration, help="seconds per job")
    p.add_argument("--warmup", type=float, default=defaults.warmup, help="seconds per job")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="results dir")
    p.add_argument("--note", default="", help="a remark stored with the results")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.quick:
            return asyncio.run(quick())
        config = RunConfig(args.latency, args.connections, args.duration, args.warmup)
        return asyncio.run(full(config, args.out, args.note))
    except (ChildFailed, PlanError, SeedError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2


async def quick() -> int:
    with tempfile.TemporaryDirectory(prefix="contact-gateway-bench-") as work_dir:
        async with Stack.running(Path(work_dir)) as stack:
            planned = await fresh_plan(stack, SCENARIOS)
            smoke = await stack.load(
                {
                    "operation": planned[0].gateway_op(stack.endpoints).as_dict(),
                    "connections": 2,
                    "duration": 0.3,
                    "warmup": 0.1,
                    "tag": "quick",
                }
            )
    print("\n".join(plan_table({p.scenario.key: plan_entry(p) for p in planned})))
    problems = [problem for p in planned for problem in p.problems]
    if smoke["errors"] or not smoke["ok"]:
        problems.append(f"load generator smoke run: {smoke['errors']} errors, {smoke['ok']} ok")
    for problem in problems:
        print(f"REGRESSED: {problem}", file=sys.stderr)
    print("upstream request counts: " + ("REGRESSED" if problems else "OK"))
    return 1 if problems else 0


async def full(config: RunConfig, out: Path, note: str) -> int:
    jobs = _job_count(config)
    estimate = jobs * (config.duration + config.warmup + SECONDS_PER_JOB_OVERHEAD) + 10
    print(f"bench: {jobs} jobs, about {estimate / 60:.1f} minutes", flush=True)
    if estimate > BUDGET_S:
        print(f"bench: that is over the {BUDGET_S} s budget of the default run", flush=True)
    meta = _meta_before(note)
    started = time.monotonic()
    plans: list[list[Planned]] = []
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="contact-gateway-bench-") as work_dir:
        async with Stack.running(Path(work_dir)) as stack:
            async with RssSampler(stack.gateway.pid).sampling() as sampler:
                for latency in config.profiles:
                    planned, measured = await measure_profile(
                        stack, SCENARIOS, latency, config, lambda line: print(line, flush=True)
                    )
                    plans.append(planned)
                    measurements.extend(measured)
            meta["processes"] = stack.implementations()
        meta["gateway_errors_logged"] = error_kinds(stack.gateway.log)
    meta["elapsed_s"] = round(time.monotonic() - started, 1)
    meta["load_average_after"] = _load_average()
    results = assemble(meta, config, _first_plan(plans), measurements, sampler.summary())
    for path in write(results, out):
        print(f"bench: wrote {path}")
    print("\n".join(summary_lines(results)))
    return 1 if any(p.problems for p in _first_plan(plans)) else 0


def _first_plan(plans: list[list[Planned]]) -> list[Planned]:
    """The first profile's plan; counts that differ in a later profile are problems too."""
    first = plans[0] if plans else []
    for later in plans[1:]:
        for a, b in zip(first, later, strict=True):
            if a.counts != b.counts:
                a.problems.append(f"{a.scenario.key}: counts differ between latency profiles")
    return first


def _job_count(config: RunConfig) -> int:
    sides = sum(1 if s.gateway_only or s.warm else 3 for s in SCENARIOS) - sum(
        1 for s in SCENARIOS if not (s.gateway_only or s.warm) and not s.limits
    )
    return sides * len(config.connections) * len(config.profiles)


def _meta_before(note: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": _load_average(),
    }
    if note:
        meta["note"] = note
    return meta


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _git_commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"

    def git_says(*args: str) -> str:
        result = subprocess.run(  # noqa: S603  -- fixed arguments, our own repository
            [git, *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = git_says("rev-parse", "--short", "HEAD") or "unknown"
    changed = git_says(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"
    )
    return f"{commit} plus uncommitted changes" if changed else commit
