"""ContactRecord <-> bytes for the cache, with msgspec (fast, typed, no pickle).

Provider extras are stored with their class name and rebuilt from a closed
registry, so a tampered cache entry can at most fail to decode — never run code.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import msgspec

from providers.autodns.types import AutoDnsExtras
from providers.model import ContactPage, ContactRecord, ProviderExtras
from providers.spark.types import SparkExtras

EXTRAS_TYPES: Final[dict[str, type[ProviderExtras]]] = {
    "SparkExtras": SparkExtras,
    "AutoDnsExtras": AutoDnsExtras,
}
_encoder: Final = msgspec.json.Encoder()


class CacheDecodeError(ValueError):
    """A cached value could not be read back (old format or damaged): treat as a miss."""


def register_extras(kind: type[ProviderExtras]) -> None:
    EXTRAS_TYPES[kind.__name__] = kind


def _record_to_builtins(record: ContactRecord) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(
        dataclasses.replace(record, extras=None, freshness=None)
    )
    if record.extras is not None:
        data["extras"] = {
            "type": type(record.extras).__name__,
            "value": msgspec.to_builtins(record.extras),
        }
    return data


def _record_from_builtins(data: dict[str, Any]) -> ContactRecord:
    extras_data = data.pop("extras", None)
    record = msgspec.convert({**data, "extras": None}, ContactRecord)
    if extras_data is None:
        return record
    kind = EXTRAS_TYPES.get(extras_data.get("type", ""))
    if kind is None:
        raise CacheDecodeError(f"unknown extras type {extras_data.get('type')!r}")
    return dataclasses.replace(record, extras=msgspec.convert(extras_data["value"], kind))


def encode_records(records: list[ContactRecord]) -> bytes:
    return _encoder.encode([_record_to_builtins(r) for r in records])


def decode_records(raw: bytes) -> list[ContactRecord]:
    try:
        return [_record_from_builtins(item) for item in msgspec.json.decode(raw)]
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError, KeyError) as exc:
        raise CacheDecodeError(str(exc)) from exc


def encode_page(page: ContactPage) -> bytes:
    return _encoder.encode(
        {
            "total": page.total,
            "offset": page.offset,
            "records": [_record_to_builtins(r) for r in page.records],
        }
    )


def decode_page(raw: bytes) -> ContactPage:
    try:
        data = msgspec.json.decode(raw)
        records = tuple(_record_from_builtins(item) for item in data["records"])
        return ContactPage(records, data["total"], data["offset"])
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError, KeyError) as exc:
        raise CacheDecodeError(str(exc)) from exc
