"""The gateway's resident memory over the run, sampled with psutil from the outside.

Growth is measured over the last 80 % of the run: from the sample at the 20 % mark
(start-up, imports and first caches are done by then) to the last sample. Without
psutil (installed by the `[bench]` extra) nothing is sampled and the run says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from importlib import import_module
from typing import Any

INTERVAL_S = 0.25
MB = 1024 * 1024


def rss_summary(samples: Sequence[tuple[float, int]]) -> dict[str, Any]:
    """Peak, the 20 % mark, the end and the growth between them, from (seconds, bytes) samples."""
    if len(samples) < 2:
        return {"sampled": False, "why": "too few samples"}
    first, last = samples[0][0], samples[-1][0]
    mark = first + 0.2 * (last - first)
    baseline = next(rss for t, rss in samples if t >= mark)
    return {
        "sampled": True,
        "samples": len(samples),
        "seconds": round(last - first, 1),
        "start_mb": samples[0][1] / MB,
        "at_20pct_mb": baseline / MB,
        "end_mb": samples[-1][1] / MB,
        "peak_mb": max(rss for _, rss in samples) / MB,
        "growth_last_80pct": samples[-1][1] / baseline - 1,
    }


class RssSampler:
    """Samples one process's RSS every `INTERVAL_S` while `sampling()` is open."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self.missing: str | None = None

    @contextlib.asynccontextmanager
    async def sampling(self) -> AsyncIterator[RssSampler]:
        try:
            process = import_module("psutil").Process(self.pid)
        except ImportError:
            self.missing = "psutil is not installed (pip install -e '.[bench]')"
            yield self
            return
        task = asyncio.create_task(self._sample(process))
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sample(self, process: Any) -> None:
        while True:
            self.samples.append((time.monotonic(), int(process.memory_info().rss)))
            await asyncio.sleep(INTERVAL_S)

    def summary(self) -> dict[str, Any]:
        if self.missing is not None:
            return {"sampled": False, "why": self.missing}
        return rss_summary(self.samples)
