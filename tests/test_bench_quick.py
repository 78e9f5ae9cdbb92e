"""The benchmark suite's own parts: statistics, count checks, targets, results files, seeds.

The timed run is not tested here (`python -m bench --quick` runs in .ci/run); these
check what the suite computes and writes from given numbers, and that it tops up
sandboxes that hold too few contacts through the API.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from bench.children import Child, ChildFailed
from bench.gateway_log import error_kinds
from bench.gateway_server import settings_for
from bench.measure import Measurement, RunConfig
from bench.memory import rss_summary
from bench.plan import PlanError, Planned, calls_from_logs, check_counts
from bench.report import write
from bench.results import assemble
from bench.scenarios import BY_KEY, SPARK_CREATE_BODY
from bench.seeds import NEEDED, seeded_ids
from bench.stats import percentile, ratio, summarise
from bench.targets import judge
from bench.upstream import AUTODNS, IS24, SPARK, UNIQUE, Call, headers_for, with_unique
from gateway.app import create_app
from providers.sandboxing import ServedApp
from tests.harness import fresh_data_dir

# -- statistics --------------------------------------------------------------------------


def test_percentiles_interpolate_between_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 50) == 2.5
    assert percentile(samples, 90) == pytest.approx(3.7)
    assert percentile(samples, 100) == 4.0
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize(("samples", "p"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_nonsense(samples: list[float], p: float) -> None:
    with pytest.raises(ValueError, match=r"sample|outside"):
        percentile(samples, p)


def test_summary_counts_throughput_over_the_window() -> None:
    summary = summarise([10.0] * 50 + [20.0] * 50, window_s=2.0, errors=3, ops_total=110)
    assert summary.rps == 50.0
    assert (summary.p50, summary.max, summary.mean) == (15.0, 20.0, 15.0)
    assert (summary.ok, summary.errors, summary.ops_total) == (100, 3, 110)


def test_summary_of_nothing_is_zero_throughput_and_no_latency() -> None:
    summary = summarise([], window_s=1.0, errors=5, ops_total=5)
    assert summary.rps == 0.0
    assert math.isnan(summary.p50)


def test_ratio_is_none_when_it_means_nothing() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(3.0, 0.0) is None
    assert ratio(float("nan"), 2.0) is None


# -- upstream calls and their limits -------------------------------------------------------


def test_counts_over_a_limit_or_off_an_exact_count_are_problems() -> None:
    s2, s5 = BY_KEY["s2"], BY_KEY["s5"]
    assert check_counts(s2, {SPARK: 4}) == []
    assert check_counts(s2, {SPARK: 3}) == ["s2: SPARK got 3 requests, exactly 4"]
    assert check_counts(s5, {SPARK: 2, IS24: 1, AUTODNS: 1}) == []
    assert check_counts(s5, {SPARK: 2, IS24: 33}) == ["s5: IS24 got 33 requests, at most 1"]


def test_logged_requests_become_replayable_calls_with_their_bodies() -> None:
    logs = {
        SPARK: [
            {"method": "POST", "path": "/v1/contacts", "query": ""},
            {"method": "GET", "path": "/v1/contacts/1", "query": "_select=Id"},
        ]
    }
    calls = calls_from_logs(BY_KEY["s7-create"], logs, {})
    assert calls == [
        Call(SPARK, "POST", "/v1/contacts", SPARK_CREATE_BODY),
        Call(SPARK, "GET", "/v1/contacts/1?_select=Id", None),
    ]
    with pytest.raises(PlanError, match="no body"):
        calls_from_logs(BY_KEY["s1"], logs, {})


def test_unique_bodies_and_signed_is24_calls() -> None:
    assert UNIQUE in SPARK_CREATE_BODY
    assert "bench.a.1@" in with_unique(SPARK_CREATE_BODY, "a.1")
    call = Call(IS24, "GET", "/restapi/api/offer/v1.0/user/me/contact")
    first = headers_for(call, "http://127.0.0.1:1" + call.target)["Authorization"]
    second = headers_for(call, "http://127.0.0.1:1" + call.target)["Authorization"]
    assert first.startswith("OAuth ") and first != second  # a fresh nonce every time


# -- targets and results files -------------------------------------------------------------


def _summary(rps: float, p50: float) -> dict[str, Any]:
    return {
        "rps": rps,
        "p50": p50,
        "p90": p50 * 2,
        "p99": p50 * 3,
        "mean": p50,
        "max": p50 * 4,
        "ok": 100,
        "errors": 0,
        "ops_total": 100,
        "first_error": None,
    }


def _measurements() -> list[Measurement]:
    rows = [
        ("s1", "gateway", 1, 500.0, 1.5),
        ("s1", "floor", 1, 2000.0, 0.5),
        ("s1", "ceiling", 1, 1000.0, 1.0),
        ("s2", "gateway", 8, 40.0, 50.0),
        ("s2", "floor", 8, 300.0, 3.0),
        ("s2", "ceiling", 8, 100.0, 9.0),
        ("s6", "gateway", 8, 30.0, 60.0),
    ]
    return [
        Measurement(0.0, c, scenario, target, _summary(rps, p50), {SPARK: 4.0})
        for scenario, target, c, rps, p50 in rows
    ]


def _results() -> dict[str, Any]:
    planned = [
        Planned(BY_KEY["s2"], {}, [Call(SPARK, "GET", "/v1/contacts")] * 4),
        Planned(BY_KEY["s3"], {}, [Call(SPARK, "GET", "/v1/contacts")] * 4),
    ]
    memory = rss_summary([(0.0, 100), (2.0, 100), (10.0, 105)])
    config = RunConfig(profiles=(0.0,), connections=(1, 8))
    return assemble({"note": "test"}, config, planned, _measurements(), memory)


def test_targets_pass_fail_or_not_measured() -> None:
    verdicts = {v.key: v for v in judge(_results())}
    assert verdicts["s3-requests"].passed is True
    assert verdicts["s1-overhead"].value == pytest.approx(1.0)
    assert verdicts["s1-overhead"].passed is True
    assert verdicts["s2-throughput"].value == pytest.approx(0.4)
    assert verdicts["s2-throughput"].passed is False
    assert verdicts["s6-throughput"].passed is None  # no 20 ms profile in this run
    assert verdicts["s6-throughput"].label == "NOT MEASURED"
    assert verdicts["rss-growth"].value == pytest.approx(5.0)


def test_gateway_figures_carry_ratios_to_floor_and_ceiling() -> None:
    rows = _results()["measurements"]
    s1 = next(r for r in rows if (r["scenario"], r["target"]) == ("s1", "gateway"))
    assert s1["ratios"]["floor"]["rps"] == pytest.approx(0.25)
    assert s1["ratios"]["ceiling"]["p50"] == pytest.approx(1.5)
    s6 = next(r for r in rows if r["scenario"] == "s6")
    assert s6["ratios"]["ceiling"]["rps"] == pytest.approx(0.3)  # against s2's ceiling


def test_results_are_written_as_json_markdown_and_plot(tmp_path: Path) -> None:
    written = write(_results(), tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())  # standard JSON: no NaN
    assert data["meta"] == {"note": "test"}
    markdown = (tmp_path / "results.md").read_text()
    assert "**PASS**" in markdown and "**FAIL**" in markdown and "**NOT MEASURED**" in markdown
    assert "| s1 | gateway | 500 | 1.50 |" in markdown
    assert "| 0.25, 0.50 |" in markdown  # s1 req/s as a share of floor and ceiling
    plot = tmp_path / "results.png"
    assert (plot in written) == plot.exists()
    if plot.exists():
        assert plot.read_bytes()[:4] == b"\x89PNG"


def test_rss_growth_is_measured_from_the_20_percent_mark() -> None:
    summary = rss_summary([(0.0, 50), (1.0, 100), (5.0, 120), (10.0, 110)])
    assert summary["at_20pct_mb"] * 1024 * 1024 == 120
    assert summary["growth_last_80pct"] == pytest.approx(110 / 120 - 1)
    assert summary["peak_mb"] * 1024 * 1024 == 120
    assert rss_summary([(0.0, 1)])["sampled"] is False


def test_gateway_errors_are_counted_by_kind(tmp_path: Path) -> None:
    log = tmp_path / "gateway.log"
    lines = [
        {"level": "info", "msg": "graphql request"},
        {"level": "error", "msg": "unexpected OperationalError (error id 0a1b)\n  File x"},
        {"level": "error", "msg": "unexpected OperationalError (error id 2c3d)\n  File y"},
    ]
    log.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    assert error_kinds(log) == {"unexpected OperationalError": 2}


# -- seeds ---------------------------------------------------------------------------------


@pytest.fixture
async def thin_gateway() -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """A gateway, configured as the bench configures it, over sandboxes short of contacts."""
    apps = {
        SPARK: spark_sandbox.create_spark_sandbox(contact_count=NEEDED[SPARK] - 3).app,
        IS24: is24_sandbox.create_is24_sandbox(contact_count=NEEDED[IS24] - 2).app,
        AUTODNS: autodns_sandbox.create_autodns_sandbox(contact_count=NEEDED[AUTODNS] - 1).app,
    }
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(apps[SPARK]) as spark,
        ServedApp(apps[IS24]) as is24,
        ServedApp(apps[AUTODNS]) as autodns,
    ):
        roots = {SPARK: spark.base_url, IS24: is24.base_url, AUTODNS: autodns.base_url}
        settings = settings_for(roots, str(fresh_data_dir()))
        async with ServedApp(create_app(settings)) as gateway:
            yield http, f"{gateway.base_url}/graphql"


async def test_sandboxes_short_of_contacts_are_topped_up_through_the_api(
    thin_gateway: tuple[aiohttp.ClientSession, str],
) -> None:
    http, url = thin_gateway
    ids = await seeded_ids(http, url)
    assert {p: len(found) for p, found in ids.items()} == dict(NEEDED)
    assert all(len(set(found)) == len(found) for found in ids.values())


# -- processes -----------------------------------------------------------------------------


async def test_a_child_that_cannot_start_fails_at_once_with_its_log(tmp_path: Path) -> None:
    with pytest.raises(ChildFailed, match=r"(?s)gateway exited.*KeyError"):
        await Child.start("gateway", "bench.gateway_server", "{}", str(tmp_path), log_dir=tmp_path)
