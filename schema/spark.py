"""Spark-specific GraphQL types: `SparkContact` and the expansion objects.

Expansion fields resolve from the record when the list/read request already
carried them (`_expand` planned from the selection set), else through the
context's batched `ExpansionSource`: never one upstream call per contact.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry

from providers.model import ContactRecord, extras_of
from providers.spark import types as spark
from providers.spark.types import Expansion, RecordStatus, SparkExtras
from schema.contact import Contact
from schema.lazy import lazy_contact_type
from schema.sources import SchemaContext

Info = strawberry.Info[SchemaContext, None]


@strawberry.type(description="One day of a contact's Spark activity.")
class SparkDailyActivity:
    day: date = strawberry.field(description="The calendar day (ISO date).")
    score: int = strawberry.field(description="Activity score of that day.")
    relative_score: float = strawberry.field(
        description="Score relative to the agent's contacts, 0 to 1."
    )


@strawberry.type(
    description="Spark's engagement score for a contact (Activity expansion, Private role)."
)
class SparkActivity:
    score: int = strawberry.field(description="Engagement score (higher is more active).")
    relative_score: float = strawberry.field(
        description="0 to 1, relative to the agent's contacts."
    )
    daily: list[SparkDailyActivity] | None = strawberry.field(
        description="30 days of scores; only when the contact is read on its own "
        "(`contact`, `node`, `me`), null in lists (Spark sends it for single records only)."
    )

    @classmethod
    def from_model(cls, a: spark.Activity) -> Self:
        daily = (
            None
            if a.daily is None
            else [
                SparkDailyActivity(day=d.day, score=d.score, relative_score=d.relative_score)
                for d in a.daily
            ]
        )
        return cls(score=a.score, relative_score=a.relative_score, daily=daily)


@strawberry.type(
    description="Counts of a contact's listing news feed (NewsFeedSummary expansions)."
)
class SparkNewsFeedSummary:
    last_event_at: datetime | None = strawberry.field(description="Latest listing event.")
    unapproved_count: int = strawberry.field(description="Events awaiting the agent's approval.")
    unread_count: int = strawberry.field(description="Events the contact has not read.")

    @classmethod
    def from_model(cls, s: spark.NewsFeedSummary) -> Self:
        return cls(
            last_event_at=s.last_event_at,
            unapproved_count=s.unapproved_count,
            unread_count=s.unread_count,
        )


@strawberry.type(description="A note an agent wrote about the contact.")
class SparkNote:
    id: strawberry.ID = strawberry.field(description="Spark's id of the note.")
    text: str = strawberry.field(description="The note as written.")
    created_at: datetime | None = strawberry.field(description="When it was written.")


@strawberry.type(description="The contact's portal (VOW) account.")
class SparkPortal:
    id: strawberry.ID = strawberry.field(description="Spark's id of the portal account.")
    username: str | None = strawberry.field(description="Portal login name.")
    enabled: bool = strawberry.field(description="Whether the account may log in.")
    created_at: datetime | None = strawberry.field(description="When it was created.")
    last_login_at: datetime | None = strawberry.field(description="Last login, if any.")


async def _expanded(contact: SparkContact, info: Info, expansion: Expansion) -> SparkExtras:
    record = contact._record
    if expansion not in record.expansions_loaded:
        record = await info.context.expansions.expanded(record, expansion)
    return extras_of(record, SparkExtras) or SparkExtras()


@strawberry.type(description="A real-estate agent's CRM contact or lead in the FBS Spark Platform.")
class SparkContact(Contact):
    _record: strawberry.Private[ContactRecord]
    record_status: RecordStatus | None = strawberry.field(
        description="Connected (belongs to an agent) or Unconnected (awaiting transfer)."
    )
    owner_id: str | None = strawberry.field(description="Spark id of the owning agent.")
    resource_uri: str | None = strawberry.field(description="Spark's URI of the record.")
    salutation_text: str | None = strawberry.field(description="Salutation as typed in Spark.")
    tags: list[str] = strawberry.field(description="Tags, each ≤ 75 characters.")
    note: str | None = strawberry.field(description="Free-text note (≤ 10,000 characters).")
    spouse_given_name: str | None = strawberry.field(description="Spouse's first name.")
    spouse_middle_name: str | None = strawberry.field(description="Spouse's middle name.")
    spouse_family_name: str | None = strawberry.field(description="Spouse's last name.")
    birthday: str | None = strawberry.field(description="As typed in Spark (free text).")
    anniversary: str | None = strawberry.field(description="As typed in Spark (free text).")
    assistant: str | None = strawberry.field(description="The contact's assistant (free text).")
    children: str | None = strawberry.field(description="Free text, up to 300 characters.")
    status: str | None = strawberry.field(description="Spark's free-text status attribute.")
    other: str | None = strawberry.field(description="Spark's free-text 'Other' attribute.")
    pets: str | None = strawberry.field(description="Free text, up to 300 characters.")
    referred_by: str | None = strawberry.field(description="Who referred the contact.")
    mobile_phone_country_code: str | None = strawberry.field(
        description="Two-letter country of the mobile number (e.g. US)."
    )
    news_feed_notification_ui: str | None = strawberry.field(
        description="How news-feed notifications are shown (defaults to the agent's setting)."
    )
    portal_invitation_at: datetime | None = strawberry.field(description="Last portal invitation.")
    reverse_prospecting: bool | None = strawberry.field(description="Settings.ReverseProspecting.")

    @strawberry.field(description="Engagement score (Activity expansion; Private role only).")
    async def activity(self, info: Info) -> SparkActivity | None:
        extras = await _expanded(self, info, Expansion.ACTIVITY)
        return SparkActivity.from_model(extras.activity) if extras.activity else None

    @strawberry.field(description="Listing news-feed overview (NewsFeedSummary expansion).")
    async def news_feed_summary(self, info: Info) -> SparkNewsFeedSummary | None:
        extras = await _expanded(self, info, Expansion.NEWS_FEED_SUMMARY)
        summary = extras.news_feed_summary
        return SparkNewsFeedSummary.from_model(summary) if summary else None

    @strawberry.field(description="Notification news-feed overview (NewsFeedNotificationSummary).")
    async def news_feed_notification_summary(self, info: Info) -> SparkNewsFeedSummary | None:
        extras = await _expanded(self, info, Expansion.NEWS_FEED_NOTIFICATION_SUMMARY)
        summary = extras.news_feed_notification_summary
        return SparkNewsFeedSummary.from_model(summary) if summary else None

    @strawberry.field(description="Notes on the contact (Notes expansion).")
    async def notes(self, info: Info) -> list[SparkNote]:
        extras = await _expanded(self, info, Expansion.NOTES)
        return [
            SparkNote(id=strawberry.ID(n.id), text=n.text, created_at=n.created_at)
            for n in extras.notes or ()
        ]

    @strawberry.field(description="The contact's portal account (Portal expansion; Private role).")
    async def portal(self, info: Info) -> SparkPortal | None:
        p = (await _expanded(self, info, Expansion.PORTAL)).portal
        if p is None:
            return None
        return SparkPortal(
            id=strawberry.ID(p.id),
            username=p.username,
            enabled=p.enabled,
            created_at=p.created_at,
            last_login_at=p.last_login_at,
        )

    @strawberry.field(description="A portal account exists and logged in within 30 days.")
    async def vow_active(self, info: Info) -> bool | None:
        return (await _expanded(self, info, Expansion.VOW_ACTIVE)).vow_active

    @strawberry.field(description="A portal account exists and is enabled (Spark VowExists).")
    async def vow_enabled(self, info: Info) -> bool | None:
        return (await _expanded(self, info, Expansion.VOW_ENABLED)).vow_exists

    @strawberry.field(description="No other contact uses the same primary email.")
    async def unique_primary_email(self, info: Info) -> bool | None:
        return (await _expanded(self, info, Expansion.UNIQUE_PRIMARY_EMAIL)).unique_primary_email

    @classmethod
    def from_record(cls, record: ContactRecord) -> SparkContact:
        """The record's contact object; its fields are read from the record when selected."""
        return _lazy_spark_contact(record)


_lazy_spark_contact = lazy_contact_type(
    SparkContact, SparkExtras, {"tags": lambda extras: list(extras.tags)}
)
