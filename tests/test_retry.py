"""The read retry loop and its budget, the request deadline, and Retry-After on a 503
as each provider client reads it."""

from __future__ import annotations

import time

import pytest

from providers import deadline
from providers.autodns.client import error_from_envelope as autodns_error
from providers.autodns.envelope import parse_envelope
from providers.errors import (
    NotFound,
    NotSent,
    ProviderAuthFailed,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ValidationFailed,
)
from providers.is24.client import Reply
from providers.is24.client import error_for as is24_error
from providers.retry import RetryBudget, RetryPolicy, retrying
from providers.spark.client import error_from_envelope as spark_error

FAST = RetryPolicy(backoff_initial=0.001, backoff_max=0.002)


class Upstream:
    """An operation failing with the given errors in turn, then answering 'ok'."""

    def __init__(self, *errors: ProviderError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def _unavailable(retry_after: float | None = None) -> ProviderUnavailable:
    return ProviderUnavailable("down", retry_after=retry_after)


async def test_retriable_errors_are_retried_twice_at_most() -> None:
    recovers = Upstream(_unavailable(), _unavailable())
    assert await retrying(recovers, FAST, RetryBudget()) == "ok"
    assert recovers.calls == 3
    fails = Upstream(*(_unavailable() for _ in range(5)))
    with pytest.raises(ProviderUnavailable):
        await retrying(fails, FAST, RetryBudget())
    assert fails.calls == 3


@pytest.mark.parametrize(
    "error",
    [
        NotFound("gone"),
        ValidationFailed([]),
        ProviderAuthFailed("bad key"),
        NotSent("no slot in time"),
    ],
    ids=["not found", "rejected", "auth", "not sent"],
)
async def test_other_errors_are_not_retried(error: ProviderError) -> None:
    upstream = Upstream(error)
    with pytest.raises(type(error)):
        await retrying(upstream, FAST, RetryBudget())
    assert upstream.calls == 1


async def test_a_retry_after_on_503_is_slept() -> None:
    upstream = Upstream(_unavailable(retry_after=0.2))
    started = time.perf_counter()
    with deadline.scope(5):
        assert await retrying(upstream, FAST, RetryBudget()) == "ok"
    assert time.perf_counter() - started >= 0.2


async def test_a_retry_after_past_the_deadline_fails_at_once() -> None:
    upstream = Upstream(RateLimited("slow down", retry_after=2))
    started = time.perf_counter()
    with deadline.scope(0.5), pytest.raises(RateLimited) as raised:
        await retrying(upstream, FAST, RetryBudget())
    assert time.perf_counter() - started < 0.4  # not the 0.5 s deadline, nor 2 s
    assert (upstream.calls, raised.value.retry_after) == (1, 2)


def test_the_budget_allows_a_floor_plus_a_share_of_calls() -> None:
    now = [0.0]
    budget = RetryBudget(ratio=0.2, floor=3, window=10, clock=lambda: now[0])
    for _ in range(10):
        budget.record_call()
    granted = sum(budget.try_spend() for _ in range(20))
    assert granted == 3 + 2
    now[0] = 11.0  # the window moved on: old calls and retries are forgotten
    budget.record_call()
    assert sum(budget.try_spend() for _ in range(20)) == 3


def test_deadline_scopes_nest_to_the_earlier_end() -> None:
    assert deadline.remaining() is None
    with deadline.scope(5):
        with deadline.scope(60):
            left = deadline.remaining()
            assert left is not None and left <= 5
        with deadline.ensure(60):
            left = deadline.remaining()
            assert left is not None and left <= 5
        assert deadline.clip(30) <= 5
    assert deadline.clip(30) == 30


def test_every_client_reads_retry_after_on_a_503() -> None:
    headers = {"Retry-After": "2", "Content-Type": "application/json"}
    spark = spark_error(503, headers, {"Success": False, "Code": 1510, "Message": "busy"})
    is24 = is24_error(Reply(503, headers, b""))
    envelope = parse_envelope(
        '{"stid": "s", "status": {"code": "E", "text": "busy", "type": "ERROR"}}'
    )
    autodns = autodns_error(503, headers, envelope)
    for error in (spark, is24, autodns):
        assert isinstance(error, ProviderUnavailable)
        assert error.retry_after == 2.0
