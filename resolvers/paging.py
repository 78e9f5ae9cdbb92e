"""Opaque cursors and page bounds for contact connections.

A cursor is base64url JSON `{"v": 1, "p": {"SPARK": [40, "2011…", [sort values]]}}`:
per provider, the offset just after the edge, the native id of the last contact
taken from it and that contact's sort values. Offsets make resuming cheap; the
id and sort values let a resumed page realign when contacts were created or
deleted in between, so paging neither skips nor repeats a contact.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Final

from providers.model import ProviderName
from resolvers.errors import GatewayError

MAX_FIRST: Final = 100
CURSOR_VERSION: Final = 1
MAX_OFFSET: Final = 2_500_000


@dataclass(frozen=True, slots=True)
class Position:
    """Where a list stands in one provider's results."""

    offset: int
    last_id: str | None = None
    last_values: tuple[Any, ...] | None = None


def encode_cursor(positions: dict[ProviderName, Position]) -> str:
    payload = {
        "v": CURSOR_VERSION,
        "p": {
            name.value: [p.offset, p.last_id, list(p.last_values) if p.last_values else None]
            for name, p in sorted(positions.items())
        },
    }
    raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> dict[ProviderName, Position]:
    """Positions per provider; BAD_USER_INPUT when the cursor was not issued by us."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if payload.get("v") != CURSOR_VERSION:
            raise ValueError("version")
        return {ProviderName(k): _position(v) for k, v in payload["p"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise GatewayError(
            "`after` is not a cursor from this API", "BAD_USER_INPUT", argument="after"
        ) from exc


def _position(raw: Any) -> Position:
    offset, last_id, values = raw
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise ValueError("offset")
    if last_id is not None and (not isinstance(last_id, str) or len(last_id) > 512):
        raise ValueError("last id")
    if values is not None and (not isinstance(values, list) or len(values) > 8):
        raise ValueError("sort values")
    return Position(offset, last_id, tuple(_value(v) for v in values) if values else None)


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if value is None or isinstance(value, str | int | float):
        return value
    raise ValueError("sort value")


def check_first(first: int) -> None:
    if not 0 <= first <= MAX_FIRST:
        raise GatewayError(
            f"`first` must be between 0 and {MAX_FIRST}", "BAD_USER_INPUT", argument="first"
        )
