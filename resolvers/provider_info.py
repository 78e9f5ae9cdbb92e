"""ProviderEntry -> the `providers` query's ProviderInfo."""

from __future__ import annotations

from providers.registry import ProviderEntry
from schema.providers_info import (
    CapabilityNote,
    HealthStatus,
    ProviderCapabilities,
    ProviderHealth,
    ProviderInfo,
)


def provider_info(entry: ProviderEntry) -> ProviderInfo:
    caps = entry.provider.capabilities
    health = entry.health
    return ProviderInfo(
        name=entry.provider.name,
        base_url=entry.base_url,
        sandbox=entry.sandbox,
        capabilities=ProviderCapabilities(
            operations=sorted(caps.operations),
            readable_fields=sorted(caps.readable_fields),
            writable_fields=sorted(caps.writable_fields),
            filterable_fields=sorted(caps.filterable_fields),
            sortable_fields=sorted(caps.sortable_fields),
            expansions=sorted(caps.expansions),
            max_page_size=caps.max_page_size,
            batch_read=caps.batch_read,
            notes=[CapabilityNote(topic=k, text=v) for k, v in sorted(caps.notes.items())],
        ),
        health=ProviderHealth(
            status=HealthStatus(health.status),
            last_success_at=health.last_success_at,
            last_failure_at=health.last_failure_at,
            last_error_code=health.last_error_code,
            circuit_state=entry.breaker.state.value,
        ),
    )
