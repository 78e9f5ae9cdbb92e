"""Provider timestamps (ISO 8601, as Spark and AutoDNS send them) read leniently."""

from __future__ import annotations

from datetime import datetime


def parse_timestamp(value: object) -> datetime | None:
    """The moment `value` names; None when it is absent, empty or not ISO 8601."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
