"""The provider-call budget of one GraphQL request, enforced as the calls are made.

The estimate (`cost`) refuses operations that may need more calls than the budget;
this is the backstop for what an estimate cannot see (retries, ids missing from a
batch, several matches per `sameAs`). Each request runs inside a `scope`; every
provider session has `BudgetGuard` among its upstream observers, which counts each
HTTP request as it starts and refuses the ones beyond the budget before anything is
sent (aiohttp aborts a request whose start hook raises). The caller gets
COST_LIMIT_EXCEEDED on the field that needed the call; the rest of the response
stands. Calls outside a GraphQL request (readiness probes) are not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from gateway.limits.errors import COST_LIMIT_EXCEEDED
from providers.errors import RefusedBeforeSending
from providers.model import ProviderName
from providers.telemetry import UpstreamCall


class UpstreamBudgetExceeded(RefusedBeforeSending):
    """The request already made as many provider calls as it may: this one was not sent."""

    code = COST_LIMIT_EXCEEDED


@dataclass(slots=True)
class CallBudget:
    limit: int
    used: int = 0

    def take(self, provider: ProviderName) -> None:
        if self.used >= self.limit:
            raise UpstreamBudgetExceeded(
                f"this request already made {self.used} provider calls, its limit "
                f"({self.limit}); the call to {provider.value} was not sent",
                provider=provider,
            )
        self.used += 1


_current: ContextVar[CallBudget | None] = ContextVar("upstream_call_budget", default=None)


@contextmanager
def scope(limit: int) -> Iterator[CallBudget]:
    """Provider calls made inside (and in the tasks started inside) share this budget."""
    budget = CallBudget(limit)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


class BudgetGuard:
    """An upstream observer (providers/telemetry) that refuses calls beyond the budget.

    List it before the observers that start spans or count requests, so a refused call
    is not recorded as sent.
    """

    def call_started(self, provider: ProviderName, method: str, path: str) -> object:
        budget = _current.get()
        if budget is not None:
            budget.take(provider)
        return None

    def call_finished(self, token: object, call: UpstreamCall) -> None:
        return None
