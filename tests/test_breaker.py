"""The circuit breaker's state machine, with a controllable clock."""

from __future__ import annotations

from providers.breaker import BreakerSettings, CircuitBreaker, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_five_consecutive_failures_then_probes_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(4):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED
    breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert not breaker.allow()
    clock.now = 30.0
    assert breaker.state is CircuitState.HALF_OPEN
    assert [breaker.allow() for _ in range(4)] == [True, True, True, False]
    for _ in range(3):
        breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.allow()


def test_a_failed_probe_opens_it_again() -> None:
    clock = Clock()
    breaker = CircuitBreaker(BreakerSettings(consecutive_failures=1), clock=clock)
    breaker.record_failure()
    clock.now = 31.0
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert not breaker.allow()


def test_opens_on_half_of_the_last_twenty_calls() -> None:
    breaker = CircuitBreaker(clock=Clock())
    for index in range(10):
        breaker.record_failure() if index % 2 else breaker.record_success()
    assert breaker.state is CircuitState.OPEN


def test_fewer_than_ten_calls_never_trip_the_rate_rule() -> None:
    breaker = CircuitBreaker(clock=Clock())
    for index in range(9):
        breaker.record_failure() if index % 2 else breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
