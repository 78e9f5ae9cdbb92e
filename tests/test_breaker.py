"""The circuit breaker's state machine, with a controllable clock."""

from __future__ import annotations

from typing import cast

import pytest

from providers.base import ContactProvider
from providers.breaker import BreakerSettings, CircuitBreaker, CircuitState
from providers.errors import RefusedBeforeSending
from providers.model import ProviderName
from providers.registry import ProviderEntry


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


class _Named:
    """Just enough of a provider for a ProviderEntry: its name."""

    name = ProviderName.SPARK


async def test_a_call_refused_before_sending_is_neither_an_answer_nor_an_outage() -> None:
    entry = ProviderEntry(provider=cast("ContactProvider", _Named()), base_url="x", sandbox=True)

    async def refused() -> None:
        raise RefusedBeforeSending("the call budget is spent", provider=ProviderName.SPARK)

    for _ in range(6):
        with pytest.raises(RefusedBeforeSending):
            await entry.call(refused())
    assert entry.health.status == "UNKNOWN"
    assert entry.breaker.state is CircuitState.CLOSED
