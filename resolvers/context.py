"""The per-request context every resolver receives (`info.context`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from providers.registry import ProviderSet
from resolvers.loaders import ContactLoaders


@dataclass(slots=True)
class GatewayContext:
    request: Request | None
    providers: ProviderSet
    loaders: ContactLoaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = ContactLoaders(self.providers)

    @property
    def expansions(self) -> ContactLoaders:
        """The schema's ExpansionSource: batched expansion reads."""
        return self.loaders
