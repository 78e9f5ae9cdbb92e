"""Spark bodies decode to the values `json.loads` gives, and bad bodies fail as before.

The client decodes with msgspec and hands what msgspec refuses to `json.loads`; these
bodies are the places where the two parsers differ.
"""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.errors import ProviderProtocolError, ProviderUnavailable
from providers.spark.client import _decode, _json

JSON_HEADERS = {"Content-Type": "application/json"}

ODD_BUT_READABLE = [
    b'{"D": {"Success": true, "Results": [{"Score": NaN, "Other": Infinity, "X": -Infinity}]}}',
    b'\xef\xbb\xbf{"D": {"Success": true}}',
    '{"D": {"Success": true, "Results": [{"DisplayName": "\u00e9"}]}}'.encode("utf-16"),
    b'{"D": {"Success": true, "Results": [{"DisplayName": "\\ud800"}]}}',
    b'{"D": {"Success": true, "Results": [{"DisplayName": "\xed\xa0\x80"}]}}',
    b'{"D": {"Success": true, "Results": [{"Score": 1e400, "Big": 123456789012345678901234567}]}}',
    b'{"D": {"Success": false, "Success": true, "Results": [{"Id": "1", "Id": "2"}]}}',
    b'{"D": {"Success": true, "Results": [{"Score": -0.0, "R": 0.1000000000000000055511}]}}',
]


@pytest.mark.parametrize("body", ODD_BUT_READABLE)
def test_bodies_msgspec_refuses_read_as_json_loads_reads_them(body: bytes) -> None:
    assert repr(_json(body)) == repr(json.loads(body))
    assert _decode(200, JSON_HEADERS, body).body == json.loads(body)["D"]


UNREADABLE = [
    b"",
    b'{"D": {"Success": true}',
    b'{"D": {"Success": true}} trailing',
    b'{"D": {"Success": true, "Results": ["\x01"]}}',
    b'{"D": {"Success": true, "Results": ["\xff"]}}',
    b'{"D": {"Success": True}}',
    b'{"D": [1, 2]}',
    b'{"E": {}}',
    b"[1]",
]


@pytest.mark.parametrize("body", UNREADABLE)
def test_unreadable_bodies_are_protocol_errors_or_unavailable_by_status(body: bytes) -> None:
    with pytest.raises(ProviderProtocolError, match="unreadable Spark response") as info:
        _decode(200, JSON_HEADERS, body)
    cause = info.value.__cause__
    assert cause is not None and not isinstance(cause.__context__, msgspec.MsgspecError)
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        _decode(503, JSON_HEADERS, body)


JSON_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(document=JSON_DOCUMENTS, ascii_only=st.booleans())
def test_any_json_document_decodes_to_what_json_loads_gives(
    document: object, ascii_only: bool
) -> None:
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert repr(_json(body)) == repr(json.loads(body))
