"""Relay global ids: opaque to clients, `base64url("<PROVIDER>:<native id>")` inside.

Decoding is strict (known provider, non-empty native id, canonical base64) so a
hand-made id cannot smuggle anything past the provider's own id checks.
"""

from __future__ import annotations

import base64
import binascii

from providers.model import ProviderName


class InvalidGlobalId(ValueError):
    """The text is not an id this gateway issued."""


def encode_global_id(provider: ProviderName, native_id: str) -> str:
    raw = f"{provider.value}:{native_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_global_id(global_id: str) -> tuple[ProviderName, str]:
    """(provider, native id) of a global id; InvalidGlobalId when malformed."""
    if not global_id or len(global_id) > 1024:
        raise InvalidGlobalId("not a contact id")
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidGlobalId("not a contact id") from exc
    provider_text, sep, native_id = text.partition(":")
    canonical = base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")
    if not sep or not native_id or canonical != global_id:
        raise InvalidGlobalId("not a contact id")
    try:
        return ProviderName(provider_text), native_id
    except ValueError as exc:
        raise InvalidGlobalId("not a contact id") from exc
