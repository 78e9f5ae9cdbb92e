"""One run's results as a plain dict (what results.json holds), ratios included.

Every gateway figure is also given as a ratio to the floor and to the ceiling measured
in the same run, with the same sandbox latency and connection count: req/s as gateway ÷
reference (1.0 = as fast), latencies as gateway ÷ reference (1.0 = as quick). A warm-cache
scenario is compared with the floor and ceiling of the scenario it repeats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from bench.measure import Measurement, RunConfig
from bench.plan import Planned
from bench.scenarios import BY_KEY
from bench.stats import ratio
from bench.targets import judge

FIGURES = ("rps", "p50", "p90", "p99")


def plan_entry(planned: Planned) -> dict[str, Any]:
    s = planned.scenario
    return {
        "title": s.title,
        "counts": planned.counts,
        "limits": dict(s.limits),
        "exact": s.exact,
        "problems": list(planned.problems),
    }


def ratios(gateway: Mapping[str, Any], reference: Mapping[str, Any] | None) -> dict[str, Any]:
    """gateway ÷ reference for each figure (None where either is missing)."""
    if reference is None:
        return dict.fromkeys(FIGURES)
    return {f: ratio(float(gateway[f]), float(reference[f])) for f in FIGURES}


def with_ratios(measurements: Sequence[Measurement]) -> list[dict[str, Any]]:
    index = {(m.latency_ms, m.connections, m.scenario, m.target): m for m in measurements}
    rows = []
    for m in measurements:
        row = m.as_dict()
        scenario = BY_KEY.get(m.scenario)
        if m.target == "gateway" and not (scenario and scenario.gateway_only):
            base = scenario.baseline if scenario and scenario.baseline else m.scenario
            row["ratios"] = {
                ref: ratios(
                    m.summary, _summary(index.get((m.latency_ms, m.connections, base, ref)))
                )
                for ref in ("floor", "ceiling")
            }
        rows.append(row)
    return rows


def _summary(m: Measurement | None) -> Mapping[str, Any] | None:
    return None if m is None else m.summary


def assemble(
    meta: Mapping[str, Any],
    config: RunConfig,
    planned: Sequence[Planned],
    measurements: Sequence[Measurement],
    memory: Mapping[str, Any],
) -> dict[str, Any]:
    """The results document, targets judged."""
    results: dict[str, Any] = {
        "meta": dict(meta),
        "config": config.as_dict(),
        "plan": {p.scenario.key: plan_entry(p) for p in planned},
        "measurements": with_ratios(measurements),
        "memory": dict(memory),
    }
    results["targets"] = [v.as_dict() for v in judge(results)]
    cleaned: dict[str, Any] = clean(results)
    return cleaned


def clean(value: Any) -> Any:
    """NaN and infinities become None: results.json stays standard JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value
