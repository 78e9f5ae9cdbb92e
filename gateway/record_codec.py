"""ContactRecord <-> bytes for the cache, with msgspec (fast, typed, no pickle).

Provider extras are stored with their class name and rebuilt from a closed
registry, so a tampered cache entry can at most fail to decode — never run code.
Records decode straight into their dataclasses (msgspec's typed decoders: no
intermediate dicts); an entry in an older layout fails to decode and counts as a miss.

A page (the cache's biggest entry) is encoded as the records themselves, extras
inline, with the extras' type named once for the page: no per-record copy on the way
in, and the extras decode through that type's hook on the way out. `encode_records`
keeps its per-record layout: the idempotency ledger stores it for a day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
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


_RECORDS: Final = msgspec.json.Decoder(list[_Stored])
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


Kinds = str | list[str | None] | None
"""The extras' type name of every record of a page (None: none has extras), or one
name per record when they differ."""


class _PageOut(msgspec.Struct, array_like=True, tag="page/2"):
    """A page as written: the records as they are, extras and all."""

    total: int | None
    offset: int
    kinds: Kinds
    records: Sequence[ContactRecord]


class _PageIn(msgspec.Struct, array_like=True, tag="page/2"):
    """A page as read: its records wait for the decoder of their extras' type."""

    total: int | None
    offset: int
    kinds: Kinds
    records: msgspec.Raw


_PAGE: Final = msgspec.json.Decoder(_PageIn)
_RAW_LIST: Final = msgspec.json.Decoder(list[msgspec.Raw])
_PAGE_DECODERS: dict[str | None, msgspec.json.Decoder[list[ContactRecord]]] = {}
_ONE_DECODERS: dict[str | None, msgspec.json.Decoder[ContactRecord]] = {}


def _extras_hook(kind: str | None) -> Callable[[type, Any], Any]:
    """msgspec's hook for `ContactRecord.extras`: builds `kind` (None: no record has any)."""
    extras = None if kind is None else EXTRAS_TYPES.get(kind)
    if kind is not None and extras is None:
        raise CacheDecodeError(f"unknown extras type {kind!r}")

    def hook(wanted: type, value: Any) -> Any:
        if wanted is not ProviderExtras or extras is None:
            raise TypeError(f"no extras expected here: {wanted!r}")
        return msgspec.convert(value, extras)

    return hook


def _page_decoder(kind: str | None) -> msgspec.json.Decoder[list[ContactRecord]]:
    decoder = _PAGE_DECODERS.get(kind)
    if decoder is None:
        decoder = msgspec.json.Decoder(list[ContactRecord], dec_hook=_extras_hook(kind))
        _PAGE_DECODERS[kind] = decoder
    return decoder


def _one_decoder(kind: str | None) -> msgspec.json.Decoder[ContactRecord]:
    decoder = _ONE_DECODERS.get(kind)
    if decoder is None:
        decoder = msgspec.json.Decoder(ContactRecord, dec_hook=_extras_hook(kind))
        _ONE_DECODERS[kind] = decoder
    return decoder


def _kinds(records: Sequence[ContactRecord]) -> Kinds:
    kind: type[ProviderExtras] | None = None
    for record in records:
        extras = record.extras
        if extras is None or type(extras) is kind:
            continue
        if kind is not None:
            return [type(r.extras).__name__ if r.extras is not None else None for r in records]
        kind = type(extras)
    return kind.__name__ if kind is not None else None


def encode_page(page: ContactPage) -> bytes:
    """One encoder pass over the records; only a record carrying a freshness is copied
    (a cached entry never keeps where an earlier answer came from)."""
    records: Sequence[ContactRecord] = page.records
    if any(r.freshness is not None for r in records):
        records = [dataclasses.replace(r, freshness=None) for r in records]
    return _encoder.encode(_PageOut(page.total, page.offset, _kinds(records), records))


def decode_page(raw: bytes) -> ContactPage:
    try:
        data = _PAGE.decode(raw)
        kinds = data.kinds
        if not isinstance(kinds, list):
            records = tuple(_page_decoder(kinds).decode(data.records))
        else:
            items = _RAW_LIST.decode(data.records)
            if len(items) != len(kinds):
                raise CacheDecodeError("a page's extras types do not match its records")
            records = tuple(_one_decoder(k).decode(i) for k, i in zip(kinds, items, strict=True))
        return ContactPage(records, data.total, data.offset)
    except _FAILURES as exc:
        raise CacheDecodeError(str(exc)) from exc
