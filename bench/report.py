"""Writing a run's results: results.json, results.md and (with matplotlib) results.png.

The Markdown holds the targets with PASS/FAIL, the upstream requests per operation,
one table per sandbox latency and connection count (gateway, floor and ceiling rows;
the gateway's figures also as ratios to the floor and to the ceiling), and memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.plot import write_plot
from bench.upstream import PROVIDERS

Results = Mapping[str, Any]
READING = (
    "How to read: **floor** = the gateway's provider requests sent straight to the sandboxes;",
    "**ceiling** = a bare Starlette app sending those requests and returning their JSON.",
    "Ratios are gateway ÷ floor and gateway ÷ ceiling, same sandbox latency and connections,",
    "same run: req/s below 1 is slower than the reference, latencies above 1 are slower.",
    "s6 is compared with s2's floor and ceiling. One connection shows the cost of a request;",
    "eight saturate the 2-core machine (sandboxes, gateway and load generator share it).",
    "p99 of a job with few operations is close to its maximum.",
)
HEADER = (
    "| scenario | measured | req/s | p50 ms | p90 ms | p99 ms | errors | upstream/op "
    "| req/s ÷ floor, ceiling | p50 ÷ floor, ceiling | p90 ÷ floor, ceiling "
    "| p99 ÷ floor, ceiling |"
)


def write(results: Results, out_dir: Path) -> list[Path]:
    """results.json, results.md and, when matplotlib is installed, results.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "results.json", out_dir / "results.md"]
    written[0].write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    written[1].write_text(markdown(results))
    plot = write_plot(results, out_dir / "results.png")
    return [*written, plot] if plot else written


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    number = float(value)
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:.{digits}f}"


def _pair(ratios: Mapping[str, Any] | None, figure: str) -> str:
    if not ratios:
        return ""
    floor, ceiling = ratios["floor"][figure], ratios["ceiling"][figure]
    return f"{_num(floor)}, {_num(ceiling)}"


def _upstream(per_op: Mapping[str, float]) -> str:
    used = [f"{p} {v:.2f}" for p, v in per_op.items() if v]
    return ", ".join(used) if used else "0"


def measurement_rows(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        s, r = row["summary"], row.get("ratios")
        cells = [
            row["scenario"],
            row["target"],
            _num(s["rps"], 1),
            _num(s["p50"]),
            _num(s["p90"]),
            _num(s["p99"]),
            str(s["errors"]) + (f" ({s['first_error']})" if s.get("first_error") else ""),
            _upstream(row["upstream_per_op"]),
            *(_pair(r, f) for f in ("rps", "p50", "p90", "p99")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _sections(results: Results) -> list[tuple[float, int]]:
    seen: dict[tuple[float, int], None] = {}
    for m in results.get("measurements", ()):
        seen[(m["latency_ms"], m["connections"])] = None
    return list(seen)


def markdown(results: Results) -> str:
    meta, lines = results.get("meta", {}), ["# Benchmark results", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += ["", *READING]
    lines += [
        "",
        "## Targets",
        "",
        "| target | value | limit | verdict |",
        "| --- | --- | --- | --- |",
    ]
    for t in results.get("targets", ()):
        value = "-" if t["value"] is None else f"{_num(t['value'])} {t['unit']}"
        limit = f"{_num(t['limit'])} {t['unit']}"
        lines.append(f"| {t['text']} | {value} | {limit} | **{t['label']}** |")
    lines += ["", "## Upstream requests per operation (checked by `--quick`)", ""]
    lines += plan_table(results.get("plan", {}))
    for latency, connections in _sections(results):
        lines += ["", f"## Sandbox latency {latency:g} ms, {connections} connection(s)", "", HEADER]
        lines.append("|" + " --- |" * HEADER.count(" |"))
        rows = [
            m
            for m in results["measurements"]
            if (m["latency_ms"], m["connections"]) == (latency, connections)
        ]
        lines += measurement_rows(rows)
    lines += ["", "## Gateway memory (RSS)", ""]
    lines += [f"- {k}: {_memory_value(k, v)}" for k, v in results.get("memory", {}).items()]
    return "\n".join(lines) + "\n"


def _memory_value(key: str, value: Any) -> str:
    if key.startswith("growth") and isinstance(value, float):
        return f"{value * 100:+.1f} %"
    if key.endswith("_mb") and isinstance(value, float):
        return f"{value:.1f} MB"
    return str(value)


def plan_table(plan: Mapping[str, Any]) -> list[str]:
    lines = [
        "| scenario | " + " | ".join(PROVIDERS) + " | limit | within |",
        "|" + " --- |" * (len(PROVIDERS) + 3),
    ]
    for key, entry in plan.items():
        counts = [str(entry["counts"].get(p, 0)) for p in PROVIDERS]
        relation = "=" if entry["exact"] else "≤"
        limit = ", ".join(f"{p} {relation} {n}" for p, n in entry["limits"].items()) or "none"
        ok = "yes" if not entry["problems"] else "NO: " + "; ".join(entry["problems"])
        lines.append(f"| {key}: {entry['title']} | " + " | ".join(counts) + f" | {limit} | {ok} |")
    return lines


def summary_lines(results: Results) -> Sequence[str]:
    """The targets, one line each, for the terminal."""
    return [
        f"{t['label']:>12}  {t['text']}: "
        + ("-" if t["value"] is None else f"{_num(t['value'])} {t['unit']}")
        + f" (limit {_num(t['limit'])} {t['unit']})"
        for t in results.get("targets", ())
    ]
