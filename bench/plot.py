"""results.png: latency percentiles per scenario, one panel per latency and connection count.

For each scenario a bar per measured side (gateway, floor, ceiling) up to its p50, with
markers at p90 and p99, on a log scale (a warm cache and a 20 ms page differ 100-fold).
matplotlib comes with the `[bench]` extra; without it no plot is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

SIDES = {"gateway": "tab:blue", "floor": "tab:green", "ceiling": "tab:orange"}
WIDTH = 0.27


def write_plot(results: Mapping[str, Any], path: Path) -> Path | None:
    """The PNG, or None when matplotlib is missing or nothing was measured."""
    try:
        matplotlib = import_module("matplotlib")
    except ImportError:
        return None
    matplotlib.use("Agg")
    plt = import_module("matplotlib.pyplot")
    panels = list(
        dict.fromkeys((m["latency_ms"], m["connections"]) for m in results["measurements"])
    )
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(13, 3.6 * len(panels)), squeeze=False)
    for ax, (latency, connections) in zip(axes[:, 0], panels, strict=True):
        _panel(ax, results, latency, connections)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _panel(ax: Any, results: Mapping[str, Any], latency: float, connections: int) -> None:
    rows = [
        m
        for m in results["measurements"]
        if (m["latency_ms"], m["connections"]) == (latency, connections)
    ]
    scenarios = list(dict.fromkeys(m["scenario"] for m in rows))
    for offset, (side, colour) in enumerate(SIDES.items()):
        label: str | None = side
        for i, scenario in enumerate(scenarios):
            found = [m["summary"] for m in rows if (m["scenario"], m["target"]) == (scenario, side)]
            if not found or found[0]["p50"] is None:
                continue
            s, x = found[0], i + (offset - 1) * WIDTH
            ax.bar(x, s["p50"], WIDTH, color=colour, label=label)
            label = None
            ax.plot([x, x], [s["p90"], s["p99"]], color="black", linewidth=0.8)
            ax.plot(x, s["p90"], marker="_", color="black", markersize=8)
            ax.plot(x, s["p99"], marker="v", color="black", markersize=4)
    ax.set_yscale("log")
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_ylabel("ms (bar p50, dash p90, triangle p99)")
    ax.set_title(f"sandbox latency {latency:g} ms, {connections} connection(s)")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(axis="y", which="both", alpha=0.3)
