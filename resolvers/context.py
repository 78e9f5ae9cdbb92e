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
    partial_errors: list[GraphQLError] = field(default_factory=list)
    """Errors of one provider in a field that still returns the others' data."""
    _loaders: ContactLoaders | None = field(default=None, init=False, repr=False)
    _identities: IdentityMatcher | None = field(default=None, init=False, repr=False)

    @property
    def loaders(self) -> ContactLoaders:
        """The request's DataLoaders, made when first asked for: many operations never
        read a contact by id (a page, a write, `providers`), and each set is a reference
        cycle only the garbage collector frees."""
        if self._loaders is None:
            self._loaders = ContactLoaders(self.providers, self.reads)
        return self._loaders

    @loaders.setter
    def loaders(self, loaders: ContactLoaders) -> None:
        self._loaders = loaders

    @property
    def identities(self) -> IdentityMatcher:
        """`sameAs` matching, made when first asked for (few operations select it)."""
        if self._identities is None:
            self._identities = IdentityMatcher(self.providers, self.reads)
        return self._identities

    @identities.setter
    def identities(self, identities: IdentityMatcher) -> None:
        self._identities = identities

    @property
    def expansions(self) -> ContactLoaders:
        """The schema's ExpansionSource: batched expansion reads."""
        return self.loaders
