"""API keys: minted here, stored by the operator only as a SHA-256 digest.

A plain SHA-256 is enough because every key is 256 random bits from `secrets`: a
stolen config file gives nothing to brute-force. Slow password hashes (bcrypt,
argon2) exist for low-entropy passwords and would add milliseconds to every request.
Presented keys are compared digest against digest with `hmac.compare_digest`, over
every configured client, so timing does not reveal which client (if any) matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Final

from gateway.auth_settings import ApiKeyClient

KEY_PREFIX: Final = "cgw_"
KEY_BYTES: Final = 32
MAX_KEY_LENGTH: Final = 256


def new_key() -> str:
    """A fresh key: a recognisable prefix (secret scanners) and 256 random bits."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def match_key(key: str, clients: Sequence[ApiKeyClient]) -> ApiKeyClient | None:
    """The client whose digest is the key's; every client is compared (constant time)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    digest = key_digest(key).encode("ascii")
    found: ApiKeyClient | None = None
    for client in clients:
        if hmac.compare_digest(digest, client.sha256.encode("ascii")):
            found = client
    return found


def config_snippet(client: ApiKeyClient) -> str:
    """The TOML an operator adds for a new client (the key itself is not in it)."""
    return (
        "[[auth.api_keys]]\n"
        f'id = "{client.id}"\n'
        f'sha256 = "{client.sha256}"\n'
        f'tenant = "{client.tenant}"\n'
        f'role = "{client.role.value}"\n'
    )
