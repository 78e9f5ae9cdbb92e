"""Summaries of latency samples and ratios between measurements (pure functions).

Percentiles interpolate linearly between the two nearest ranks (numpy's default,
"type 7"), so p50 of an even sample is the mean of the middle two and no sample
set is too small to summarise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

PERCENTILES = (50, 90, 99)


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0 ≤ p ≤ 100) of `samples`, interpolated; samples need not be sorted."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0..100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True, slots=True)
class Summary:
    """One measurement: throughput, latency percentiles in ms, errors, operations issued."""

    rps: float
    p50: float
    p90: float
    p99: float
    mean: float
    max: float
    ok: int
    errors: int
    ops_total: int
    """Every operation started, warm-up and overrun included (upstream counts divide by it)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(
    latencies_ms: Sequence[float], *, window_s: float, errors: int, ops_total: int
) -> Summary:
    """Summary of the successful operations completed inside a `window_s` measuring window."""
    if window_s <= 0:
        raise ValueError("the measuring window must be positive")
    if not latencies_ms:
        nan = float("nan")
        return Summary(0.0, nan, nan, nan, nan, nan, 0, errors, ops_total)
    p50, p90, p99 = (percentile(latencies_ms, p) for p in PERCENTILES)
    return Summary(
        rps=len(latencies_ms) / window_s,
        p50=p50,
        p90=p90,
        p99=p99,
        mean=sum(latencies_ms) / len(latencies_ms),
        max=max(latencies_ms),
        ok=len(latencies_ms),
        errors=errors,
        ops_total=ops_total,
    )


def ratio(value: float, reference: float) -> float | None:
    """value / reference, or None when either is missing, not finite or the reference is 0."""
    if not (_finite(value) and _finite(reference)) or reference == 0:
        return None
    return value / reference


def _finite(x: float) -> bool:
    return x == x and x not in (float("inf"), float("-inf"))
