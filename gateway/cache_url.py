"""`cache_url`: unset for the SQLite file, or a Redis URL (gateway/storage.py)."""

from __future__ import annotations

from typing import Final

from pydantic import SecretStr

REDIS_SCHEMES: Final = ("redis://", "rediss://", "unix://")


def check_cache_url(url: SecretStr | None) -> None:
    """A Redis URL or nothing. Checked by `load_settings` rather than by a pydantic
    validator, whose error would echo the URL, and with it any password it holds."""
    if url is not None and not url.get_secret_value().startswith(REDIS_SCHEMES):
        raise ValueError("cache_url must start with redis://, rediss:// or unix:// (or be unset)")
