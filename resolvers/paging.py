"""Opaque cursors and page bounds for contact connections.

A cursor is base64url JSON `{"v": 1, "o": {"SPARK": 40}}`: each provider's
offset after the edge. One shape for one provider today and for a merged
cross-provider list later, so cursors handed out now stay valid.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Final

from providers.model import ProviderName
from resolvers.errors import GatewayError

MAX_FIRST: Final = 100
CURSOR_VERSION: Final = 1


def encode_cursor(offsets: dict[ProviderName, int]) -> str:
    payload = {"v": CURSOR_VERSION, "o": {p.value: n for p, n in sorted(offsets.items())}}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> dict[ProviderName, int]:
    """Offsets per provider; BAD_USER_INPUT when the cursor was not issued by us."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if payload.get("v") != CURSOR_VERSION:
            raise ValueError("version")
        offsets = {ProviderName(k): v for k, v in payload["o"].items()}
        if not all(isinstance(v, int) and 0 <= v <= 2_500_000 for v in offsets.values()):
            raise ValueError("offset")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise GatewayError(
            "`after` is not a cursor from this API", "BAD_USER_INPUT", argument="after"
        ) from exc
    return offsets


def check_first(first: int) -> None:
    if not 0 <= first <= MAX_FIRST:
        raise GatewayError(
            f"`first` must be between 0 and {MAX_FIRST}", "BAD_USER_INPUT", argument="first"
        )
