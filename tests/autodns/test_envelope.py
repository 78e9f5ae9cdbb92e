"""The AutoDNS envelope: builders, the strict parser, and that it fails only one way."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.autodns.envelope import (
    Envelope,
    EnvelopeError,
    Message,
    MessageObject,
    ObjectRef,
    Status,
    StatusType,
    envelope_to_json,
    error_envelope,
    error_message,
    parse_envelope,
    success_envelope,
)

DOC_SUCCESS: dict[str, Any] = {
    "stid": "20190628-app3-dev-11529",
    "status": {
        "code": "S0301",
        "text": "Domain contact was created successfully.",
        "type": "SUCCESS",
    },
    "object": {"type": "Contact", "value": "23151437"},
    "data": [{"id": 23151437, "alias": "jdoe", "type": "PERSON"}],
}
DOC_ERROR: dict[str, Any] = {
    "stid": "20190628-app3-dev-11530",
    "status": {"code": "E0301", "text": "Domain contact could not be created.", "type": "ERROR"},
    "messages": [
        {
            "code": "EF03010",
            "text": "Invalid phone number.",
            "type": "ERROR",
            "objects": [{"type": "phone", "value": "+1-123"}],
        }
    ],
}


def test_parses_the_documented_success() -> None:
    env = parse_envelope(json.dumps(DOC_SUCCESS).encode())
    assert env.stid == "20190628-app3-dev-11529"
    assert env.status == Status(
        "S0301", "Domain contact was created successfully.", StatusType.SUCCESS
    )
    assert env.object == ObjectRef("Contact", "23151437")
    assert env.data[0]["id"] == 23151437
    assert not env.is_error


def test_parses_the_documented_error() -> None:
    env = parse_envelope(json.dumps(DOC_ERROR))
    assert env.is_error
    assert env.message_codes == ("EF03010",)
    assert env.messages[0].objects == (MessageObject("phone", "+1-123"),)


def test_parses_notify_summary_and_numeric_values() -> None:
    body = {
        "stid": "s-1",
        "ctid": "client-7",
        "status": {
            "code": "N0301",
            "text": "Domain contact request has been started.",
            "type": "NOTIFY",
        },
        "object": {"type": "Contact", "summary": 3, "value": 42},
        "messages": [{"code": "X", "type": "NOTIFY", "objects": [{"type": "n", "value": 5}]}],
    }
    env = parse_envelope(json.dumps(body))
    assert env.status.type is StatusType.NOTIFY
    assert env.object == ObjectRef("Contact", "42", 3)
    assert env.ctid == "client-7"
    assert env.messages[0] == Message("X", "", "NOTIFY", (MessageObject("n", "5"),))


def test_builders_round_trip() -> None:
    ok = success_envelope(
        "s-1", "S0304", "ok", obj=ObjectRef("Contact", summary=2), data=[{"id": 1}]
    )
    bad = error_envelope("s-2", "E0304", "no", [error_message("EF03021", "missing", [("id", "9")])])
    for env in (ok, bad):
        assert parse_envelope(json.dumps(envelope_to_json(env))) == env
    assert "data" not in envelope_to_json(bad) and "messages" not in envelope_to_json(ok)
    assert success_envelope("s", "N1", "started", notify=True).status.type is StatusType.NOTIFY


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{<not json or xml",
        json.dumps(DOC_SUCCESS).encode()[:40],
        b"\xff\xfe\x00garbage",
        b"<html><body>maintenance</body></html>",
        b"[]",
        b'"stid"',
        b"[" * 100_000,
        b"1" * 5000,
        json.dumps({**DOC_SUCCESS, "stid": ""}).encode(),
        json.dumps({**DOC_SUCCESS, "stid": 7}).encode(),
        json.dumps({k: v for k, v in DOC_SUCCESS.items() if k != "status"}).encode(),
        json.dumps({**DOC_SUCCESS, "status": {**DOC_SUCCESS["status"], "type": "OK"}}).encode(),
        json.dumps({**DOC_SUCCESS, "status": "SUCCESS"}).encode(),
        json.dumps({**DOC_SUCCESS, "data": {"id": 1}}).encode(),
        json.dumps({**DOC_SUCCESS, "data": [1, 2]}).encode(),
        json.dumps({**DOC_SUCCESS, "object": {"type": "Contact", "value": True}}).encode(),
        json.dumps({**DOC_SUCCESS, "object": {"type": "Contact", "summary": "3"}}).encode(),
        json.dumps({**DOC_SUCCESS, "object": []}).encode(),
        json.dumps({**DOC_ERROR, "messages": {"code": "EF03010"}}).encode(),
        json.dumps({**DOC_ERROR, "messages": [{"text": "no code", "type": "ERROR"}]}).encode(),
        json.dumps(
            {**DOC_ERROR, "messages": [{"code": "E", "type": "ERROR", "objects": "x"}]}
        ).encode(),
        json.dumps(
            {**DOC_ERROR, "messages": [{"code": "E", "type": "ERROR", "objects": [[]]}]}
        ).encode(),
        json.dumps({**DOC_ERROR, "ctid": 5}).encode(),
    ],
)
def test_rejects_malformed_bodies_with_its_own_error(body: bytes) -> None:
    with pytest.raises(EnvelopeError):
        parse_envelope(body)


def test_truncation_anywhere_is_an_envelope_error() -> None:
    raw = json.dumps(DOC_ERROR).encode()
    for cut in range(len(raw)):
        with pytest.raises(EnvelopeError):
            parse_envelope(raw[:cut])


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_else(body: bytes) -> None:
    try:
        env = parse_envelope(body)
    except EnvelopeError:
        return
    assert isinstance(env, Envelope)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    ["stid", "ctid", "status", "object", "data", "messages", "code", "text", "type"]
)
_near_envelopes = st.fixed_dictionaries(
    {"stid": st.text(max_size=5), "status": st.dictionaries(_keys, _json, max_size=4)},
    optional={"object": _json, "data": _json, "messages": _json, "ctid": _json},
)


@settings(max_examples=300)
@given(st.one_of(_json, _near_envelopes))
def test_arbitrary_json_never_raises_anything_else(value: Any) -> None:
    with contextlib.suppress(EnvelopeError):
        parse_envelope(json.dumps(value))
