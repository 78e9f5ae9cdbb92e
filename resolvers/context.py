"""The per-request context every resolver receives (`info.context`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLError
from starlette.requests import Request

from providers.registry import ProviderSet
from resolvers.access import Role
from resolvers.idempotency import IdempotencyLedger
from resolvers.identity import IdentityMatcher
from resolvers.loaders import ContactLoaders
from resolvers.read_through import CachedReads


@dataclass(slots=True)
class GatewayContext:
    request: Request | None
    providers: ProviderSet
    reads: CachedReads = field(default_factory=lambda: CachedReads(None, {}))
    tenant: str = "default"
    """Whose request this is (gateway/auth.py); scopes the idempotency ledger and caches."""
    role: Role = Role.PRIVATE
    """The caller's role (gateway/auth.py); `entry_for` refuses what it may not do."""
    idempotency: IdempotencyLedger | None = None
    """The idempotency-key ledger (gateway/idempotency.py); None: keys are refused."""
    loaders: ContactLoaders = field(init=False)
    partial_errors: list[GraphQLError] = field(default_factory=list)
    """Errors of one provider in a field that still returns the others' data."""

    identities: IdentityMatcher = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = ContactLoaders(self.providers, self.reads)
        self.identities = IdentityMatcher(self.providers, self.reads)

    @property
    def expansions(self) -> ContactLoaders:
        """The schema's ExpansionSource: batched expansion reads."""
        return self.loaders
