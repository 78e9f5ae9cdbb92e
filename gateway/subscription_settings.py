"""The `subscriptions` settings section: live updates over WebSocket and SSE (gateway/live)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SubscriptionSettings(BaseModel):
    """`contactChanged`: who may hold how many, how often providers are polled, and how
    much a subscriber may fall behind before it is cut off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(True, description="serve subscriptions (WebSocket and SSE)")
    poll_interval: float = Field(
        30.0,
        ge=0.05,
        le=3600,
        description="seconds between two polls of one provider for changes made elsewhere "
        "(one poller per tenant and provider, while anyone subscribes)",
    )
    poll_page: int = Field(
        100,
        ge=1,
        le=1000,
        description="most records one poll reads (changes since the last poll, or the "
        "bounded list a provider without updated-since is diffed over)",
    )
    max_per_client: int = Field(
        20, ge=1, le=10_000, description="subscriptions one client may hold at once"
    )
    queue_size: int = Field(
        100,
        ge=1,
        le=100_000,
        description="changes waiting for one subscriber (repeats of a contact coalesce); "
        "beyond it the subscription ends with SUBSCRIBER_TOO_SLOW",
    )
    keepalive: float = Field(
        15.0, gt=0, le=300, description="seconds between WebSocket pings and SSE heartbeats"
    )
    pong_timeout: float = Field(
        10.0,
        gt=0,
        le=300,
        description="seconds a WebSocket client has to answer a ping; a client that does "
        "not read is closed (4008)",
    )
    init_timeout: float = Field(
        10.0, gt=0, le=300, description="seconds a WebSocket client has to send connection_init"
    )
