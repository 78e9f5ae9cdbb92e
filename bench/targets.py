"""Issue 9's targets, judged from one run's results (a dict as written to results.json).

Each target names the measurement it is judged on. Latency targets use the
one-connection jobs (queueing under load would hide what the gateway adds); throughput
targets use the most connections measured. A target whose measurements are missing
(a run without the 20 ms profile, say) is reported as not measured, never as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bench.stats import ratio
from bench.upstream import SPARK

Results = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Verdict:
    key: str
    text: str
    value: float | None
    limit: float
    unit: str
    passed: bool | None
    """None: not measured in this run."""

    @property
    def label(self) -> str:
        return {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[self.passed]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


def find(
    results: Results, scenario: str, target: str, latency_ms: float, connections: int
) -> Mapping[str, Any] | None:
    """The summary of one measurement, or None."""
    for m in results.get("measurements", ()):
        if (m["scenario"], m["target"], m["latency_ms"], m["connections"]) == (
            scenario,
            target,
            latency_ms,
            connections,
        ):
            summary: Mapping[str, Any] = m["summary"]
            return summary
    return None


def _verdict(
    key: str, text: str, value: float | None, limit: float, unit: str, at_most: bool
) -> Verdict:
    if value is None:
        return Verdict(key, text, None, limit, unit, None)
    return Verdict(key, text, value, limit, unit, value <= limit if at_most else value >= limit)


def _metric(
    results: Results, scenario: str, target: str, latency: float, connections: int, name: str
) -> float | None:
    summary = find(results, scenario, target, latency, connections)
    if summary is None or summary.get(name) is None:
        return None
    value = float(summary[name])
    return value if value == value else None  # NaN: nothing succeeded


def _counts(results: Results, scenario: str) -> Mapping[str, int] | None:
    planned = results.get("plan", {}).get(scenario)
    return None if planned is None else planned["counts"]


def count_targets(results: Results) -> list[Verdict]:
    s2, s3 = _counts(results, "s2"), _counts(results, "s3")
    same = None if s2 is None or s3 is None else float(sum(s3.values()))
    s3_ok = s2 is not None and s3 is not None and s2 == s3 and s2.get(SPARK) == 4
    s5 = results.get("plan", {}).get("s5")
    return [
        Verdict(
            "s3-requests",
            "s3 makes as many upstream requests as s2 (4 Spark requests for 100 contacts)",
            same,
            4,
            "requests",
            None if same is None else s3_ok,
        ),
        Verdict(
            "s5-batches",
            "s5: one batch per provider with a batch read (Spark per 25 ids, AutoDNS per 50), "
            "IS24 one list request",
            None if s5 is None else float(sum(s5["counts"].values())),
            float(sum(s5["limits"].values())) if s5 else 0.0,
            "requests",
            None if s5 is None else not s5["problems"],
        ),
    ]


def time_targets(results: Results) -> list[Verdict]:
    conns = [int(c) for c in results.get("config", {}).get("connections", ())]
    busy = max(conns, default=1)

    def m(scenario: str, target: str, latency: float, name: str, c: int = 1) -> float | None:
        return _metric(results, scenario, target, latency, c, name)

    refs = [m(f"s4-{p}", "gateway", 20.0, "p50") for p in ("SPARK", "IS24", "AUTODNS")]
    slowest = None if None in refs else max(r for r in refs if r is not None)
    s4 = m("s4", "gateway", 20.0, "p50")
    s1_gw, s1_floor = m("s1", "gateway", 0.0, "p50"), m("s1", "floor", 0.0, "p50")
    s2_gw, s2_ceiling = m("s2", "gateway", 0.0, "rps", busy), m("s2", "ceiling", 0.0, "rps", busy)
    s6_rps, s2_rps20 = m("s6", "gateway", 20.0, "rps", busy), m("s2", "gateway", 20.0, "rps", busy)
    overhead = None if s1_gw is None or s1_floor is None else s1_gw - s1_floor
    return [
        _verdict(
            "s4-latency",
            "s4 p50 within 1.5x of the slowest provider's page of 20 alone (20 ms, 1 connection)",
            _ratio(s4, slowest),
            1.5,
            "x",
            at_most=True,
        ),
        _verdict(
            "s1-overhead",
            "s1 gateway p50 minus direct p50 (0 ms, 1 connection)",
            overhead,
            2.0,
            "ms",
            at_most=True,
        ),
        _verdict(
            "s2-throughput",
            f"s2 req/s at least 50 % of the passthrough's (0 ms, {busy} connections)",
            _ratio(s2_gw, s2_ceiling),
            0.5,
            "x",
            at_most=False,
        ),
        _verdict(
            "s6-throughput",
            f"s6 (warm cache) req/s at least 10x s2's uncached (20 ms, {busy} connections)",
            _ratio(s6_rps, s2_rps20),
            10.0,
            "x",
            at_most=False,
        ),
        _verdict(
            "s6-latency",
            "s6 (warm cache) p50 (20 ms, 1 connection)",
            m("s6", "gateway", 20.0, "p50"),
            2.0,
            "ms",
            at_most=True,
        ),
    ]


def memory_target(results: Results) -> Verdict:
    memory = results.get("memory", {})
    growth = memory.get("growth_last_80pct") if memory.get("sampled") else None
    return _verdict(
        "rss-growth",
        "gateway RSS growth over the last 80 % of the run",
        None if growth is None else float(growth) * 100,
        10.0,
        "%",
        at_most=True,
    )


def _ratio(value: float | None, reference: float | None) -> float | None:
    return None if value is None or reference is None else ratio(value, reference)


JUDGES: tuple[Callable[[Results], list[Verdict]], ...] = (
    count_targets,
    time_targets,
    lambda results: [memory_target(results)],
)


def judge(results: Results) -> list[Verdict]:
    """Every target of the issue, in the order the issue lists them."""
    return [v for judge_one in JUDGES for v in judge_one(results)]
