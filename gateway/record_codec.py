"""ContactRecord <-> bytes for the cache, with msgspec (fast, typed, no pickle).

Provider extras are stored with their class name and rebuilt from a closed
registry, so a tampered cache entry can at most fail to decode — never run code.
Records decode straight into their dataclasses (msgspec's typed decoders: no
intermediate dicts); an entry in an older layout fails to decode and counts as a miss.
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


NO_EXTRAS: Final = msgspec.Raw(b"null")


class _Stored(msgspec.Struct, array_like=True):
    """One cached record: the record without its extras (decoded straight into the
    dataclasses by msgspec), then the extras' type name and their encoded value."""

    record: ContactRecord
    extras_type: str | None = None
    extras: msgspec.Raw = NO_EXTRAS


class _StoredPage(msgspec.Struct, array_like=True):
    total: int | None
    offset: int
    records: list[_Stored]


_RECORDS: Final = msgspec.json.Decoder(list[_Stored])
_PAGE: Final = msgspec.json.Decoder(_StoredPage)
_EXTRAS_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}


def _stored(record: ContactRecord) -> _Stored:
    plain = dataclasses.replace(record, extras=None, freshness=None)
    if record.extras is None:
        return _Stored(plain)
    return _Stored(plain, type(record.extras).__name__, msgspec.Raw(_encoder.encode(record.extras)))


def _record(stored: _Stored) -> ContactRecord:
    if stored.extras_type is None:
        return stored.record
    kind = EXTRAS_TYPES.get(stored.extras_type)
    if kind is None:
        raise CacheDecodeError(f"unknown extras type {stored.extras_type!r}")
    decoder = _EXTRAS_DECODERS.get(stored.extras_type)
    if decoder is None:
        decoder = _EXTRAS_DECODERS[stored.extras_type] = msgspec.json.Decoder(kind)
    return dataclasses.replace(stored.record, extras=decoder.decode(stored.extras))


_FAILURES: Final = (msgspec.DecodeError, msgspec.ValidationError, TypeError, KeyError)


def encode_records(records: list[ContactRecord]) -> bytes:
    return _encoder.encode([_stored(r) for r in records])


def decode_records(raw: bytes) -> list[ContactRecord]:
    try:
        return [_record(item) for item in _RECORDS.decode(raw)]
    except _FAILURES as exc:
        raise CacheDecodeError(str(exc)) from exc


def encode_page(page: ContactPage) -> bytes:
    return _encoder.encode(_StoredPage(page.total, page.offset, [_stored(r) for r in page.records]))


def decode_page(raw: bytes) -> ContactPage:
    try:
        data = _PAGE.decode(raw)
        return ContactPage(tuple(_record(item) for item in data.records), data.total, data.offset)
    except _FAILURES as exc:
        raise CacheDecodeError(str(exc)) from exc
