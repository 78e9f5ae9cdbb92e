"""What the `providers` query reports: capabilities and health per provider."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from providers.base import Operation
from providers.model import ProviderName, SortField


@strawberry.type(description="One fact about how a provider is used (e.g. where filters run).")
class CapabilityNote:
    topic: str = strawberry.field(description="What the note is about, e.g. 'filtering'.")
    text: str = strawberry.field(description="The fact, for people.")


@strawberry.type(description="What a provider supports with the gateway's credential for it.")
class ProviderCapabilities:
    operations: list[Operation] = strawberry.field(description="What may be done there.")
    readable_fields: list[str] = strawberry.field(description="Unified snake_case field names.")
    writable_fields: list[str] = strawberry.field(description="Fields mutations may set.")
    filterable_fields: list[str] = strawberry.field(
        description="ContactFilter fields pushed down to the provider."
    )
    sortable_fields: list[SortField] = strawberry.field(description="Valid orderBy fields.")
    expansions: list[str] = strawberry.field(description="Provider expansion names allowed.")
    max_page_size: int = strawberry.field(description="Records per upstream request.")
    batch_read: bool = strawberry.field(description="Many ids can be read in one request.")
    notes: list[CapabilityNote] = strawberry.field(
        description="How the gateway uses the provider: where filters run (upstream or in the "
        "gateway), paging, batching, derived fields."
    )


@strawberry.enum(description="Health as seen from the gateway's recent calls.")
class HealthStatus(Enum):
    UP = "UP"
    DOWN = "DOWN"
    UNKNOWN = "UNKNOWN"


@strawberry.type(description="Recent upstream call outcomes of a provider.")
class ProviderHealth:
    status: HealthStatus = strawberry.field(description="From the most recent calls.")
    last_success_at: datetime | None = strawberry.field(description="Last answered call.")
    last_failure_at: datetime | None = strawberry.field(description="Last failed call.")
    last_error_code: str | None = strawberry.field(description="Code of the last failure.")
    circuit_state: str | None = strawberry.field(
        description="Circuit breaker: CLOSED (normal), OPEN (calls paused), HALF_OPEN (probing)."
    )


@strawberry.type(description="One provider configured in this gateway.")
class ProviderInfo:
    name: ProviderName = strawberry.field(description="The provider.")
    base_url: str = strawberry.field(description="Where the gateway reaches it (sandbox or real).")
    sandbox: bool = strawberry.field(description="True when it is the embedded sandbox.")
    capabilities: ProviderCapabilities = strawberry.field(description="What it supports.")
    health: ProviderHealth = strawberry.field(description="How its recent calls went.")
