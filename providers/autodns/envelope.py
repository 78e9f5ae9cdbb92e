"""The AutoDNS response envelope: typed values, builders and a strict parser.

Every AutoDNS JSON task answers with the same envelope::

    {"stid": "...",                                   server transaction id (keep it)
     "ctid": "...",                                   client transaction id, if one was sent
     "status": {"code": "S0301", "text": "...", "type": "SUCCESS" | "ERROR" | "NOTIFY"},
     "object": {"type": "Contact", "value": "23151437"}      or {"type": ..., "summary": n}
     "data": [{...}, ...],
     "messages": [{"code": "EF03010", "text": "...", "type": "ERROR",
                   "objects": [{"type": "phone", "value": "+1-123"}]}]}

The module is I/O-free so the sandbox (which builds envelopes) and the adapter's
client (which parses them) share one definition. `parse_envelope` accepts any
bytes and raises only `EnvelopeError`, so a malformed or truncated upstream body
can never escape the client as a `json`/`UnicodeDecodeError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EnvelopeError(ValueError):
    """The body is not a well-formed AutoDNS envelope (malformed, truncated or mistyped)."""


class StatusType(StrEnum):
    """How a task ended: done, failed, or started asynchronously."""

    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    NOTIFY = "NOTIFY"


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    text: str
    type: StatusType


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The envelope's `object`: the object a task acted on, or a search's hit count."""

    type: str
    value: str | None = None
    summary: int | None = None


@dataclass(frozen=True, slots=True)
class MessageObject:
    """What a message is about, e.g. the field `phone` with the offending value."""

    type: str
    value: str


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    text: str
    type: str
    objects: tuple[MessageObject, ...] = ()


@dataclass(frozen=True, slots=True)
class Envelope:
    stid: str
    status: Status
    object: ObjectRef | None = None
    data: tuple[dict[str, Any], ...] = ()
    messages: tuple[Message, ...] = ()
    ctid: str | None = None

    @property
    def is_error(self) -> bool:
        return self.status.type is StatusType.ERROR

    @property
    def message_codes(self) -> tuple[str, ...]:
        """The codes of all messages, in order (e.g. ('EF03010', 'EF03017'))."""
        return tuple(m.code for m in self.messages)


# --- builders -------------------------------------------------------------------------


def success_envelope(
    stid: str,
    code: str,
    text: str,
    *,
    obj: ObjectRef | None = None,
    data: Sequence[dict[str, Any]] = (),
    notify: bool = False,
) -> Envelope:
    """A SUCCESS (or, for started asynchronous tasks, NOTIFY) envelope."""
    kind = StatusType.NOTIFY if notify else StatusType.SUCCESS
    return Envelope(stid=stid, status=Status(code, text, kind), object=obj, data=tuple(data))


def error_envelope(
    stid: str,
    code: str,
    text: str,
    messages: Sequence[Message] = (),
    *,
    obj: ObjectRef | None = None,
) -> Envelope:
    """An ERROR envelope; `messages` say what exactly went wrong."""
    status = Status(code, text, StatusType.ERROR)
    return Envelope(stid=stid, status=status, object=obj, messages=tuple(messages))


def error_message(code: str, text: str, objects: Sequence[tuple[str, str]] = ()) -> Message:
    """One ERROR message; `objects` are (type, value) pairs such as ('phone', '+1-123')."""
    refs = tuple(MessageObject(t, v) for t, v in objects)
    return Message(code=code, text=text, type=StatusType.ERROR.value, objects=refs)


def envelope_to_json(envelope: Envelope) -> dict[str, Any]:
    """The envelope as a JSON-ready dict; empty parts are left out as AutoDNS does."""
    body: dict[str, Any] = {"stid": envelope.stid}
    if envelope.ctid is not None:
        body["ctid"] = envelope.ctid
    s = envelope.status
    body["status"] = {"code": s.code, "text": s.text, "type": s.type.value}
    if envelope.object is not None:
        body["object"] = _object_to_json(envelope.object)
    if envelope.data:
        body["data"] = list(envelope.data)
    if envelope.messages:
        body["messages"] = [_message_to_json(m) for m in envelope.messages]
    return body


def _object_to_json(obj: ObjectRef) -> dict[str, Any]:
    out: dict[str, Any] = {"type": obj.type}
    if obj.value is not None:
        out["value"] = obj.value
    if obj.summary is not None:
        out["summary"] = obj.summary
    return out


def _message_to_json(message: Message) -> dict[str, Any]:
    objects = [{"type": o.type, "value": o.value} for o in message.objects]
    return {"code": message.code, "text": message.text, "type": message.type, "objects": objects}


# --- parser ---------------------------------------------------------------------------


def parse_envelope(body: bytes | str) -> Envelope:
    """Parse a response body; raises `EnvelopeError` (and nothing else) when it is not one."""
    raw = _load_json(body)
    if not isinstance(raw, dict):
        raise EnvelopeError("envelope is not a JSON object")
    obj = raw.get("object")
    return Envelope(
        stid=_text(raw, "stid"),
        status=_status(_mapping(raw, "status")),
        object=None if obj is None else _object(_as_mapping(obj, "object")),
        data=_data(raw.get("data")),
        messages=_messages(raw.get("messages")),
        ctid=_optional_text(raw, "ctid"),
    )


def _load_json(body: bytes | str) -> object:
    try:
        text = body.decode("utf-8") if isinstance(body, bytes | bytearray) else body
        return json.loads(text)
    except RecursionError as exc:
        raise EnvelopeError("envelope is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise EnvelopeError(f"body is not valid JSON (malformed or truncated): {exc}") from exc


def _status(raw: Mapping[str, Any]) -> Status:
    kind = _text(raw, "type", "status")
    try:
        status_type = StatusType(kind)
    except ValueError as exc:
        raise EnvelopeError(f"unknown status type {kind!r}") from exc
    return Status(
        code=_text(raw, "code", "status"), text=_text(raw, "text", "status"), type=status_type
    )


def _object(raw: Mapping[str, Any]) -> ObjectRef:
    value = raw.get("value")
    summary = raw.get("summary")
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
        raise EnvelopeError("object.value must be a string or an integer")
    if summary is not None and (isinstance(summary, bool) or not isinstance(summary, int)):
        raise EnvelopeError("object.summary must be an integer")
    return ObjectRef(
        type=_text(raw, "type", "object"),
        value=None if value is None else str(value),
        summary=summary,
    )


def _data(raw: object) -> tuple[dict[str, Any], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise EnvelopeError("data must be a list of JSON objects")
    return tuple(raw)


def _messages(raw: object) -> tuple[Message, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise EnvelopeError("messages must be a list")
    return tuple(_message(_as_mapping(item, "message")) for item in raw)


def _message(raw: Mapping[str, Any]) -> Message:
    objects = raw.get("objects")
    if objects is not None and not isinstance(objects, list):
        raise EnvelopeError("message.objects must be a list")
    return Message(
        code=_text(raw, "code", "message"),
        text=_optional_text(raw, "text", "message") or "",
        type=_text(raw, "type", "message"),
        objects=tuple(_message_object(_as_mapping(o, "message object")) for o in objects or ()),
    )


def _message_object(raw: Mapping[str, Any]) -> MessageObject:
    value = raw.get("value")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise EnvelopeError("message object value must be a string or a number")
    return MessageObject(type=_text(raw, "type", "message object"), value=str(value))


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    if key not in raw:
        raise EnvelopeError(f"envelope has no {key!r}")
    return _as_mapping(raw[key], key)


def _as_mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise EnvelopeError(f"{where} must be a JSON object")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str = "envelope") -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise EnvelopeError(f"{where}.{key} must be a non-empty string")
    return value


def _optional_text(raw: Mapping[str, Any], key: str, where: str = "envelope") -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise EnvelopeError(f"{where}.{key} must be a string")
    return value
