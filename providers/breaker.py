"""A circuit breaker per provider, so a failing provider sees only probes.

Defaults from RELIABILITY.md (pybreaker, Envoy, resilience4j): open after 5
consecutive failures, or when at least half of the last 20 calls failed (once 10
calls were seen); stay open 30 s; then let 3 probes through (half-open): all
succeed → closed, any fails → open again. Timeouts and server errors count;
rejected requests (the caller's fault) and rate limiting (answered with
Retry-After instead) do not.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "CLOSED"
    OPEN = "OPEN"
    HALF_OPEN = "HALF_OPEN"


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    consecutive_failures: int = 5
    window: int = 20
    min_calls: int = 10
    failure_rate: float = 0.5
    open_seconds: float = 30.0
    half_open_probes: int = 3


@dataclass(slots=True)
class CircuitBreaker:
    settings: BreakerSettings = field(default_factory=BreakerSettings)
    clock: Callable[[], float] = time.monotonic
    _state: CircuitState = CircuitState.CLOSED
    _opened_at: float = 0.0
    _consecutive: int = 0
    _recent: deque[bool] = field(default_factory=deque)
    _probes_started: int = 0
    _probes_passed: int = 0

    @property
    def state(self) -> CircuitState:
        if self._state is CircuitState.OPEN and self._wait_over():
            return CircuitState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """May a call go upstream now? (Counts a half-open probe when it may.)"""
        if self._state is CircuitState.OPEN:
            if not self._wait_over():
                return False
            self._state, self._probes_started, self._probes_passed = CircuitState.HALF_OPEN, 0, 0
        if self._state is CircuitState.HALF_OPEN:
            if self._probes_started >= self.settings.half_open_probes:
                return False
            self._probes_started += 1
        return True

    def record_success(self) -> None:
        self._consecutive = 0
        self._remember(ok=True)
        if self._state is CircuitState.HALF_OPEN:
            self._probes_passed += 1
            if self._probes_passed >= self.settings.half_open_probes:
                self._close()

    def record_failure(self) -> None:
        self._consecutive += 1
        self._remember(ok=False)
        if self._state is CircuitState.HALF_OPEN or self._should_open():
            self._open()

    def _remember(self, *, ok: bool) -> None:
        self._recent.append(ok)
        while len(self._recent) > self.settings.window:
            self._recent.popleft()

    def _should_open(self) -> bool:
        s = self.settings
        if self._consecutive >= s.consecutive_failures:
            return True
        failures = sum(1 for ok in self._recent if not ok)
        return len(self._recent) >= s.min_calls and failures / len(self._recent) >= s.failure_rate

    def _wait_over(self) -> bool:
        return self.clock() - self._opened_at >= self.settings.open_seconds

    def _open(self) -> None:
        self._state, self._opened_at = CircuitState.OPEN, self.clock()

    def _close(self) -> None:
        self._state, self._consecutive = CircuitState.CLOSED, 0
        self._recent.clear()
