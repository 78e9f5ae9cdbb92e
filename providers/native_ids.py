"""Which texts can be a contact id at each provider at all.

Checked before the read cache or a provider is asked: an id no provider could
have (`../x`, `1?a=b`, `²`) reads as "not found" at once, costs no upstream call
and leaves no negative-cache row behind (a client could otherwise fill the cache
with junk keys and evict real entries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from providers.autodns.validation import is_contact_id as is_autodns_id
from providers.is24.validation import is_contact_id as is_is24_id
from providers.model import ProviderName
from providers.spark.validation import SPARK_ID


def _is_spark_id(native_id: str) -> bool:
    return SPARK_ID.fullmatch(native_id) is not None


CHECKS: Final[Mapping[ProviderName, Callable[[str], bool]]] = {
    ProviderName.SPARK: _is_spark_id,
    ProviderName.IS24: is_is24_id,
    ProviderName.AUTODNS: is_autodns_id,
}


def could_exist(provider: ProviderName, native_id: str) -> bool:
    """False when `native_id` cannot name any contact of `provider`."""
    return CHECKS[provider](native_id)
