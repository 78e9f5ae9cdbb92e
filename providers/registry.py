"""The providers a running gateway has, with where they live and how they are doing.

`ProviderSet` is built once at start-up (gateway lifespan) and read by every
request; asking for a provider that is not configured is a typed error.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from providers import deadline
from providers.base import ContactProvider
from providers.breaker import CircuitBreaker
from providers.errors import (
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RefusedBeforeSending,
    RejectedError,
)
from providers.limits import UpstreamLimits
from providers.model import ProviderName
from providers.retry import RetryBudget, RetryPolicy, retrying

T = TypeVar("T")
log = logging.getLogger("contact_gateway.providers")


class CircuitOpen(ProviderUnavailable):
    """The provider's circuit breaker is open: the call was not sent."""


class ProviderNotConfigured(LookupError):
    """The request names a provider this gateway has no credentials for."""

    def __init__(self, name: ProviderName) -> None:
        super().__init__(f"provider {name.value} is not configured in this gateway")
        self.name = name


@dataclass(slots=True)
class Health:
    """Outcome of the most recent upstream calls (rejections are the caller's, not an outage)."""

    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error_code: str | None = None

    def record_success(self) -> None:
        self.last_success_at = datetime.now(UTC)

    def record_failure(self, error: ProviderError) -> None:
        self.last_failure_at = datetime.now(UTC)
        self.last_error_code = error.code

    @property
    def status(self) -> str:
        if self.last_success_at is None and self.last_failure_at is None:
            return "UNKNOWN"
        if self.last_failure_at and (
            self.last_success_at is None or self.last_failure_at > self.last_success_at
        ):
            return "DOWN"
        return "UP"


def credential_scope(provider: ProviderName, *identity: str) -> str:
    """A cache scope naming a provider credential without revealing it (a digest of the
    base URL, the credential and the role): entries of one scope never serve another."""
    digest = hashlib.sha256("\x1f".join((provider.value, *identity)).encode()).hexdigest()
    return f"{provider.value}:{digest[:24]}"


@dataclass(slots=True)
class ProviderEntry:
    provider: ContactProvider
    base_url: str
    sandbox: bool
    health: Health = field(default_factory=Health)
    cache_scope: str = ""
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    limits: UpstreamLimits = field(default_factory=UpstreamLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    budget: RetryBudget = field(init=False)

    def __post_init__(self) -> None:
        if not self.cache_scope:
            self.cache_scope = credential_scope(self.provider.name, self.base_url)
        self.budget = RetryBudget.of(self.retry)

    async def read(self, operation: Callable[[], Awaitable[T]]) -> T:
        """An idempotent read (get_many, search, get by external id), retried by `retry`
        within the request deadline; each attempt is one `call`, seen by the breaker."""
        with deadline.ensure():
            return await retrying(
                lambda: self.call(operation()), self.retry, self.budget, never=(CircuitOpen,)
            )

    async def call(self, operation: Awaitable[T]) -> T:
        """Send one provider operation once, never retried (writes use this): within the
        provider's concurrency bound and rate limit, through the circuit breaker."""
        try:
            async with self.limits.slot(self.provider.name):
                return await self._attempt(operation)
        finally:
            if inspect.iscoroutine(operation) and (
                inspect.getcoroutinestate(operation) == inspect.CORO_CREATED
            ):
                operation.close()  # never sent (no slot in time): nothing reached the provider

    async def _attempt(self, operation: Awaitable[T]) -> T:
        """Run one provider operation through the circuit breaker; record it in `health`."""
        if not self.breaker.allow():
            if inspect.iscoroutine(operation):
                operation.close()  # never sent: the provider sees only probes while open
            raise CircuitOpen(
                f"{self.provider.name.value} is failing; calls are paused (circuit open)",
                provider=self.provider.name,
            )
        try:
            result = await operation
        except RefusedBeforeSending:
            raise  # never sent: neither an answer nor an outage
        except (RejectedError, NotFound):
            self._answered()  # the provider answered; the request was wrong or unknown
            raise
        except RateLimited:
            raise  # honoured through Retry-After; not an outage
        except ProviderError as exc:
            self.breaker.record_failure()
            self.health.record_failure(exc)
            log.warning(
                "provider call failed",
                extra={
                    "provider": self.provider.name.value,
                    "code": exc.code,
                    "status": exc.provider_code,
                },
            )
            raise
        self._answered()
        return result

    def _answered(self) -> None:
        self.breaker.record_success()
        self.health.record_success()


class ProviderSet:
    """The configured providers by name."""

    def __init__(self, entries: dict[ProviderName, ProviderEntry]) -> None:
        self._entries = entries

    def get(self, name: ProviderName) -> ProviderEntry:
        try:
            return self._entries[name]
        except KeyError:
            raise ProviderNotConfigured(name) from None

    def __iter__(self) -> Iterator[ProviderEntry]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[ProviderName]:
        return list(self._entries)

    async def aclose(self) -> None:
        for entry in self._entries.values():
            await entry.provider.aclose()
