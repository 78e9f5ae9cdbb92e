"""Fail the run, instead of hanging it, when a test leaves a non-daemon thread behind.

An unclosed aiosqlite connection keeps a worker thread alive, and Python waits for it
at exit: pytest prints its summary and then never returns, which CI sees as a timeout.
This plugin names the first test after which each such thread was seen, fails the
session, and exits the process so the report reaches CI.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Generator

import pytest

_first_seen: dict[int, str] = {}
GRACE_SECONDS = 3.0


def _stray_threads() -> list[threading.Thread]:
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    yield
    for thread in _stray_threads():
        if thread.ident is not None:
            _first_seen.setdefault(thread.ident, item.nodeid)


def _wait_for_strays() -> list[threading.Thread]:
    deadline = time.monotonic() + GRACE_SECONDS
    strays = _stray_threads()
    while strays and time.monotonic() < deadline:
        time.sleep(0.05)
        strays = _stray_threads()
    return strays


def pytest_sessionfinish(session: pytest.Session) -> None:
    strays = _wait_for_strays()
    if not strays:
        return
    lines = [
        f"  {t.name}, first seen after {_first_seen.get(t.ident or 0, 'the session')}"
        for t in strays
    ]
    sys.stderr.write("threads left running (close what opened them):\n" + "\n".join(lines) + "\n")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    if _stray_threads():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(pytest.ExitCode.TESTS_FAILED))  # a normal exit would wait for them forever
