"""The records the Spark sandbox keeps: agents, contacts and what hangs off a contact.

A contact's plain attributes are kept in wire form (`attrs`: Spark names to JSON
values, timestamps as ISO 8601 strings with offset) so filters, ordering and output
read the same values; expansion data lives beside them in typed fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from providers.spark.sandbox_schema import LIST_ATTRIBUTES, OUTPUT_ATTRIBUTES

REFERENCE_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # "now" of the seeded world
VOW_ACTIVE_WINDOW = timedelta(days=30)


def timestamp(moment: datetime) -> str:
    """Spark's wire form of a moment: ISO 8601, whole seconds, UTC offset."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str
    email: str
    office_id: str
    feed_setting: str  # the agent's NewsFeedNotificationUI default


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token speaks for: role, the agent whose data it sees, and its own user id."""

    role: str
    agent_id: str
    user_id: str
    office_id: str
    replication: bool = False


@dataclass(slots=True)
class PortalAccount:
    id: str
    username: str
    enabled: bool
    created: str
    last_login: str | None = None


@dataclass(slots=True)
class StoredNote:
    id: str
    text: str
    created: str


@dataclass(slots=True)
class FeedSummary:
    last_event: str | None = None
    unapproved: int = 0
    unread: int = 0


@dataclass(slots=True)
class StoredContact:
    attrs: dict[str, Any]
    office_id: str
    score: int = 0
    daily_scores: list[int] = field(default_factory=lambda: [0] * 30)
    notes: list[StoredNote] = field(default_factory=list)
    portal: PortalAccount | None = None
    news_feed: FeedSummary = field(default_factory=FeedSummary)
    notification_feed: FeedSummary = field(default_factory=FeedSummary)

    @property
    def id(self) -> str:
        return str(self.attrs["Id"])

    @property
    def owner_id(self) -> str | None:
        owner = self.attrs["OwnerId"]
        return None if owner is None else str(owner)

    @property
    def connected(self) -> bool:
        return bool(self.attrs["RecordStatus"] == "Connected")

    def vow_active(self, now: datetime) -> bool:
        """A portal exists and logged in within the last 30 days."""
        login = self.portal.last_login if self.portal else None
        if login is None:
            return False
        return now - datetime.fromisoformat(login) <= VOW_ACTIVE_WINDOW

    def searchable(self, now: datetime) -> dict[str, Any]:
        """The attributes a `_filter` sees, including the searchable computed ones."""
        login = self.portal.username if self.portal else None
        return {**self.attrs, "VowActive": self.vow_active(now), "PortalLoginName": login}

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)


def blank_attributes(contact_id: str) -> dict[str, Any]:
    """Every attribute of a contact, absent: lists empty, settings at their default."""
    attrs: dict[str, Any] = dict.fromkeys(OUTPUT_ATTRIBUTES)
    attrs.update({name: [] for name in LIST_ATTRIBUTES})
    attrs.update(
        ResourceUri=f"/v1/contacts/{contact_id}",
        Id=contact_id,
        RecordStatus="Connected",
        Settings={"ReverseProspecting": False},
    )
    return attrs
