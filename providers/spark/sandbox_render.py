"""How the Spark sandbox writes one contact: selected attributes plus the asked-for expansions.

The attribute shapes here are the contract the adapter's mapping relies on (see the
Spark sandbox module docstring): lists are JSON arrays, timestamps ISO 8601 with offset,
absent values null, and every expansion in the shape listed in `_EXPANDERS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from providers.spark.sandbox_records import FeedSummary, StoredContact

ALWAYS_SELECTED = ("ResourceUri", "Id")
DAILY_ACTIVITY_DAYS = 30


@dataclass(frozen=True, slots=True)
class View:
    """What one response shows of each contact."""

    select: frozenset[str] | None
    expand: tuple[str, ...]
    single: bool
    now: datetime  # the store's reference time: VowActive and DailyActivity count from it
    email_counts: Counter[str] | None = None  # needed for UniquePrimaryEmail only


def render(contact: StoredContact, view: View) -> dict[str, Any]:
    """The contact as Spark returns it in `Results`."""
    select = view.select
    out = {
        name: value
        for name, value in contact.attrs.items()
        if select is None or name in select or name in ALWAYS_SELECTED
    }
    for expansion in view.expand:
        out.update(_EXPANDERS[expansion](contact, view))
    return out


def _activity(contact: StoredContact, view: View) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Activity": {"Score": contact.score, "RelativeScore": round(contact.score / 100, 2)}
    }
    if view.single:
        first = view.now.date() - timedelta(days=DAILY_ACTIVITY_DAYS)
        out["DailyActivity"] = [
            {"Date": (first + timedelta(days=i)).isoformat(), "Score": s, "RelativeScore": s / 10}
            for i, s in enumerate(contact.daily_scores)
        ]
    return out


def _feed(prefix: str, summary: FeedSummary) -> dict[str, Any]:
    return {
        f"Last{prefix}Timestamp": summary.last_event,
        f"Unapproved{prefix}Count": summary.unapproved,
        f"Unread{prefix}Count": summary.unread,
    }


def _news_feed(contact: StoredContact, view: View) -> dict[str, Any]:
    return _feed("ListingEvent", contact.news_feed)


def _notification_feed(contact: StoredContact, view: View) -> dict[str, Any]:
    return _feed("ListingNotificationEvent", contact.notification_feed)


def _notes(contact: StoredContact, view: View) -> dict[str, Any]:
    notes = [{"Id": n.id, "Note": n.text, "CreatedTimestamp": n.created} for n in contact.notes]
    return {"Notes": notes}


def _portal(contact: StoredContact, view: View) -> dict[str, Any]:
    portal = contact.portal
    if portal is None:
        return {"Portal": None}
    return {
        "Portal": {
            "Id": portal.id,
            "Username": portal.username,
            "Enabled": portal.enabled,
            "CreatedTimestamp": portal.created,
            "LastLoginTimestamp": portal.last_login,
        }
    }


def _vow_active(contact: StoredContact, view: View) -> dict[str, Any]:
    return {"VowActive": contact.vow_active(view.now)}


def _vow_enabled(contact: StoredContact, view: View) -> dict[str, Any]:
    return {"VowExists": contact.portal is not None and contact.portal.enabled}


def _unique_email(contact: StoredContact, view: View) -> dict[str, Any]:
    counts = view.email_counts or Counter()
    email = str(contact.attrs.get("PrimaryEmail") or "").lower()
    return {"UniquePrimaryEmail": counts[email] <= 1}


_EXPANDERS: dict[str, Callable[[StoredContact, View], dict[str, Any]]] = {
    "Activity": _activity,
    "NewsFeedSummary": _news_feed,
    "NewsFeedNotificationSummary": _notification_feed,
    "Notes": _notes,
    "Portal": _portal,
    "VowActive": _vow_active,
    "VowEnabled": _vow_enabled,
    "UniquePrimaryEmail": _unique_email,
}
