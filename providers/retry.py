"""Retries for idempotent reads: few, jittered, within the deadline and a budget.

RELIABILITY.md (resilience4j, Envoy, AWS): at most 2 retries; full-jitter backoff
from 100 ms capped at 1 s; a Retry-After the provider sent is slept instead, when
it fits what is left of the request deadline (otherwise the error goes straight
back, carrying `retryAfter`); and a retry budget — retries may add at most 20 % to
the calls of the last 10 s (plus a small floor) — so a provider that fails often
is not hit with up to three times its normal load. Only `RetriableError`s are
retried; rejections, not-found and auth failures never are. Writes never come here.

tenacity runs the loop: its full-jitter wait (`wait_random_exponential`) and its
stop hook, which sees the upcoming sleep, are exactly what the rules above need.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from providers import deadline
from providers.errors import NotSent, RetriableError

T = TypeVar("T")
log = logging.getLogger("contact_gateway.providers")

MIN_ATTEMPT_SECONDS: Final = 0.05  # a retry with less time left than this cannot succeed


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    backoff_initial: float = 0.1
    backoff_max: float = 1.0
    budget_ratio: float = 0.2
    budget_floor: int = 3  # retries always allowed per window (Envoy's min_retry_concurrency)
    budget_window: float = 10.0


@dataclass(slots=True)
class RetryBudget:
    """Retries of the last `window` seconds stay under `floor + ratio * calls` of that window."""

    ratio: float = 0.2
    floor: int = 3
    window: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _calls: deque[float] = field(default_factory=deque)
    _retries: deque[float] = field(default_factory=deque)

    @classmethod
    def of(cls, policy: RetryPolicy) -> RetryBudget:
        return cls(policy.budget_ratio, policy.budget_floor, policy.budget_window)

    def record_call(self) -> None:
        self._calls.append(self.clock())

    def try_spend(self) -> bool:
        """May one more retry go out now? (Counts it when it may.)"""
        now = self.clock()
        for times in (self._calls, self._retries):
            while times and now - times[0] > self.window:
                times.popleft()
        if len(self._retries) + 1 > self.floor + self.ratio * len(self._calls):
            return False
        self._retries.append(now)
        return True


@dataclass(frozen=True, slots=True)
class _Wait:
    """The provider's Retry-After when it gave one, else full jitter."""

    jitter: wait_random_exponential

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetriableError) and error.retry_after is not None:
            return error.retry_after
        return self.jitter(state)


@dataclass(frozen=True, slots=True)
class _Stop:
    """Stop after `max_retries`, when the wait would outlast the deadline, or over budget."""

    max_retries: int
    budget: RetryBudget

    def __call__(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.max_retries:
            return True
        left = deadline.remaining()
        if left is not None and state.upcoming_sleep + MIN_ATTEMPT_SECONDS > left:
            return True
        return not self.budget.try_spend()


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.info(
        "retrying a provider read",
        extra={
            "provider": getattr(getattr(error, "provider", None), "value", None),
            "code": getattr(error, "code", None),
            "attempt": state.attempt_number,
            "wait_ms": round(state.upcoming_sleep * 1000),
        },
    )


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    budget: RetryBudget,
    *,
    never: tuple[type[BaseException], ...] = (),
) -> T:
    """Run `attempt` until it succeeds or the policy gives up; then its last error is raised.

    `never` names retriable errors that must not be retried (nothing was sent and
    nothing will be: an open circuit).
    """
    skip: tuple[type[BaseException], ...] = (NotSent, *never)
    budget.record_call()
    retry = AsyncRetrying(
        retry=retry_if_exception(
            lambda e: isinstance(e, RetriableError) and not isinstance(e, skip)
        ),
        wait=_Wait(
            wait_random_exponential(multiplier=policy.backoff_initial, max=policy.backoff_max)
        ),
        stop=_Stop(policy.max_retries, budget),
        before_sleep=_log_retry,
        reraise=True,
    )

    async def once() -> T:
        return await attempt()  # tenacity awaits only coroutine functions

    return await retry(once)
