"""Session-wide: every log record of the run is captured and, at the end, swept for the
sandboxes' personal data and credentials; a hit fails the run (tests/security/log_sweep.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security import log_sweep


def pytest_sessionstart(session: pytest.Session) -> None:
    log_sweep.start_run(session)


def pytest_sessionfinish(session: pytest.Session) -> None:
    log_sweep.finish_run(session)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    log_sweep.report_run(terminalreporter)
