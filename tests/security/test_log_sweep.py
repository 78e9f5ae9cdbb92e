"""The run-wide log sweep can fail: a seeded email or a sandbox credential planted in a
scratch capture is found, and a run that logs one ends with a failing exit status."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import providers.is24.sandbox_data as is24_data
from gateway.request_ids import current_request_id
from providers.spark.sandbox_data import SparkStore
from tests.security.log_sweep import (
    LOG_DIR_VARIABLE,
    captured,
    credentials,
    personal_data,
    sweep,
    sweep_file,
)

ROOT = Path(__file__).resolve().parents[2]


def _seeded_email() -> str:
    email = next(iter(SparkStore().contacts.values())).attrs["PrimaryEmail"]
    assert isinstance(email, str)
    return email


def test_the_corpus_holds_seeded_people_and_every_credential() -> None:
    people = personal_data()
    assert _seeded_email() in people
    assert "Neddy Nederlander" in people  # a seeded Spark display name
    assert not {"Berlin", "Wolf", "example.com"} & people  # single words are not people
    assert is24_data.TOKEN_SECRET in credentials()


def test_a_planted_canary_in_a_scratch_capture_is_found(tmp_path: Path) -> None:
    lines = [json.dumps({"msg": "graphql request", "ms": 4.2}) for _ in range(50)]
    lines.insert(17, json.dumps({"msg": f"created for {_seeded_email()}"}))
    lines.insert(30, json.dumps({"msg": f"signed with {is24_data.TOKEN_SECRET}"}))
    scratch = tmp_path / "run.jsonl"
    scratch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hits = sweep_file(scratch)
    assert [(h.line_number, h.needle) for h in hits] == [
        (18, _seeded_email()),
        (31, is24_data.TOKEN_SECRET),
    ]
    assert sweep(lines[:10], personal_data()) == []


def test_records_are_taken_at_the_source_even_from_loggers_that_do_not_propagate() -> None:
    quiet = logging.getLogger("tests.security.quiet")
    quiet.propagate, quiet.handlers = False, []
    quiet.setLevel(logging.DEBUG)
    lines: list[str] = []
    token = current_request_id.set("0123456789abcdef0123456789abcdef")
    try:
        with captured(lines.append):
            quiet.debug("contact %s changed", "12345", extra={"provider": "SPARK"})
    finally:
        current_request_id.reset(token)
    (line,) = lines
    record = json.loads(line)
    assert (record["level"], record["msg"], record["provider"]) == (
        "debug",
        "contact 12345 changed",
        "SPARK",
    )
    assert record["request_id"] == "0123456789abcdef0123456789abcdef"


def test_a_run_that_logs_personal_data_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_sessionfinish, pytest_sessionstart,"
        " pytest_terminal_summary\n"
    )
    (tmp_path / "test_leaky.py").write_text(
        textwrap.dedent(
            f"""
            import logging

            def test_leaks() -> None:
                logging.getLogger("contact_gateway.leaky").info("sent to %s", {_seeded_email()!r})
            """
        )
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), LOG_DIR_VARIABLE: str(logs)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout  # the test itself passed: the sweep failed the run
    assert "personal data or credentials in the logs" in run.stdout
    assert _seeded_email() in run.stdout
    (kept,) = logs.iterdir()  # the evidence stays for whoever reads the report
    assert str(kept) in run.stdout
