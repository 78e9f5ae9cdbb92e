"""Spark's own record attributes, inputs and filters, beside the unified model.

These are plain dataclasses the schema layer reads; `mapping.py` fills them
from Spark's JSON and turns the inputs into Spark attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from providers.model import UNSET, Maybe, ProviderExtras


class SparkRole(StrEnum):
    """The role of a Spark API key; it decides what the key may read and write."""

    IDX = "IDX"
    PUBLIC = "Public"
    VOW = "VOW"
    PORTAL = "Portal"
    PRIVATE = "Private"


class Expansion(StrEnum):
    """Spark's `_expand` names for contacts."""

    ACTIVITY = "Activity"
    NEWS_FEED_SUMMARY = "NewsFeedSummary"
    NEWS_FEED_NOTIFICATION_SUMMARY = "NewsFeedNotificationSummary"
    NOTES = "Notes"
    PORTAL = "Portal"
    VOW_ACTIVE = "VowActive"
    VOW_ENABLED = "VowEnabled"
    UNIQUE_PRIMARY_EMAIL = "UniquePrimaryEmail"


class RecordStatus(StrEnum):
    CONNECTED = "Connected"
    UNCONNECTED = "Unconnected"


@dataclass(frozen=True, slots=True)
class DailyActivity:
    day: date
    score: int
    relative_score: float


@dataclass(frozen=True, slots=True)
class Activity:
    score: int
    relative_score: float
    daily: tuple[DailyActivity, ...] | None = None


@dataclass(frozen=True, slots=True)
class NewsFeedSummary:
    last_event_at: datetime | None
    unapproved_count: int
    unread_count: int


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    text: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class PortalAccount:
    id: str
    username: str | None
    enabled: bool
    created_at: datetime | None
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class SparkExtras(ProviderExtras):
    """Spark attributes outside the unified model, plus the loaded expansions.

    An expansion attribute is None when it was not loaded; `ContactRecord.
    expansions_loaded` says which ones were, so None then means 'absent upstream'.
    """

    resource_uri: str | None = None
    record_status: RecordStatus | None = None
    owner_id: str | None = None
    salutation_text: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    spouse_given_name: str | None = None
    spouse_middle_name: str | None = None
    spouse_family_name: str | None = None
    birthday: str | None = None
    anniversary: str | None = None
    assistant: str | None = None
    children: str | None = None
    status: str | None = None
    other: str | None = None
    pets: str | None = None
    referred_by: str | None = None
    mobile_phone_country_code: str | None = None
    news_feed_notification_ui: str | None = None
    portal_invitation_at: datetime | None = None
    reverse_prospecting: bool | None = None
    activity: Activity | None = None
    news_feed_summary: NewsFeedSummary | None = None
    news_feed_notification_summary: NewsFeedSummary | None = None
    notes: tuple[Note, ...] | None = None
    portal: PortalAccount | None = None
    vow_active: bool | None = None
    vow_exists: bool | None = None
    unique_primary_email: bool | None = None


@dataclass(frozen=True, slots=True)
class SparkContactInput:
    """The Spark-only fields of a create or update (UNSET = leave as is)."""

    record_status: Maybe[RecordStatus] = UNSET
    tags: Maybe[tuple[str, ...]] = UNSET
    note: Maybe[str] = UNSET
    spouse_given_name: Maybe[str] = UNSET
    spouse_middle_name: Maybe[str] = UNSET
    spouse_family_name: Maybe[str] = UNSET
    birthday: Maybe[str] = UNSET
    anniversary: Maybe[str] = UNSET
    assistant: Maybe[str] = UNSET
    children: Maybe[str] = UNSET
    status: Maybe[str] = UNSET
    other: Maybe[str] = UNSET
    pets: Maybe[str] = UNSET
    referred_by: Maybe[str] = UNSET
    mobile_phone_country_code: Maybe[str] = UNSET
    reverse_prospecting: Maybe[bool] = UNSET
    notify: bool = False


@dataclass(frozen=True, slots=True)
class SparkFilter:
    """Spark-only filters: the unconnected list and the searchable expansion attributes."""

    unconnected: bool = False
    vow_active: bool | None = None
    portal_login_name: str | None = None
