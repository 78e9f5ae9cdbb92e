"""IS24 realtor contacts between the JSON document shape and both wire formats.

The *document* is the plain dict the JSON media type carries under
`"common.realtorContactDetail"`: IS24's field names, the id as `"@id"`, the address
as a nested dict of strings, the four flags as `bool`, `realEstateReferenceCount` as
`int`, every other field as `str`. Writers emit known fields only, in the schema's
sequence (`CONTACT_FIELDS`), so XML and JSON bodies always have the same order.

Each combined number follows its own parts (fax parts, faxNumber, phone parts,
phoneNumber, cell parts, cellPhoneNumber): the flattened `RealtorContactDetails`
sequence, which the observed bodies and the documented maximal example agree with.

Readers take untrusted bytes. The size is checked before parsing; XML goes through
defusedxml with DTDs, entity declarations and external references forbidden, so a
"billion laughs" body or an external entity fails before anything expands or is
fetched. Every failure is one of:

    Is24CodecError (ValueError)   the body is not an acceptable IS24 document
    ├── BodyTooLarge              over the size cap; nothing was parsed
    ├── UnsafeXml                 a DTD, entity declaration or external reference
    └── MalformedDocument         not well-formed, wrong root, wrong value type;
                                  `field` names the offending field when there is one

No I/O happens here; the sandbox and the adapter share this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

NS_COMMON = "http://rest.immobilienscout24.de/schema/common/1.0"
NS_XLINK = "http://www.w3.org/1999/xlink"
RESPONSE_NAMESPACES: tuple[tuple[str, str], ...] = (
    ("common", NS_COMMON),
    ("gis", "http://rest.immobilienscout24.de/schema/platform/gis/1.0"),
    ("search", "http://rest.immobilienscout24.de/schema/search/common/1.0"),
    ("ns5", "http://rest.immobilienscout24.de/schema/search/shortlist/1.0"),
    ("xlink", NS_XLINK),
)
REQUEST_NAMESPACES: tuple[tuple[str, str], ...] = (("common", NS_COMMON), ("xlink", NS_XLINK))

MAX_BODY_BYTES = 64 * 1024
"""Bodies larger than this are refused unread; a contact is well under 4 KiB."""

CONTACT_ROOT = "realtorContactDetail"
LIST_ROOT = "realtorContactDetailsList"
LIST_ITEM = "realtorContactDetails"
MESSAGES_ROOT = "messages"
JSON_CONTACT_KEYS = ("common.realtorContactDetail", "common:realtorContactDetail")
JSON_LIST_KEYS = ("common.realtorContactDetailsList", "common:realtorContactDetailsList")
JSON_MESSAGES_KEYS = ("common.messages", "common:messages")

ADDRESS_FIELDS = ("street", "houseNumber", "postcode", "city")
BOOL_FIELDS = frozenset(
    {"defaultContact", "localPartnerContact", "businessCardContact", "showOnProfilePage"}
)
INT_FIELDS = frozenset({"realEstateReferenceCount"})
CONTACT_FIELDS: tuple[str, ...] = (
    "email", "salutation", "firstname", "lastname",
    "faxNumberCountryCode", "faxNumberAreaCode", "faxNumberSubscriber", "faxNumber",
    "phoneNumberCountryCode", "phoneNumberAreaCode", "phoneNumberSubscriber", "phoneNumber",
    "cellPhoneNumberCountryCode", "cellPhoneNumberAreaCode", "cellPhoneNumberSubscriber",
    "cellPhoneNumber",
    "address", "countryCode", "title", "additionName", "company", "homepageUrl", "position",
    "secondaryEmail", "officeHours", "defaultContact", "localPartnerContact",
    "businessCardContact", "realEstateReferenceCount", "externalId", "clickOutUrl",
    "showOnProfilePage",
)  # fmt: skip
_KNOWN = frozenset(CONTACT_FIELDS)

FieldValue: TypeAlias = str | bool | int | dict[str, str]
ContactDoc: TypeAlias = dict[str, FieldValue]

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class MediaType(StrEnum):
    """The two media types IS24 speaks."""

    XML = "application/xml"
    JSON = "application/json"


class Is24CodecError(ValueError):
    """The body is not an acceptable IS24 document."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BodyTooLarge(Is24CodecError):
    """The body exceeds the size cap and was not parsed."""


class UnsafeXml(Is24CodecError):
    """The XML declares a DTD or entities, or references external resources."""


class MalformedDocument(Is24CodecError):
    """The body is not well-formed or does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a `common:messages` document."""

    code: str
    text: str
    id: str | None = None


# ---------------------------------------------------------------- value coercion


def _checked_text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise MalformedDocument(f"{field} must be a string", field=field)
    if _XML_INVALID.search(value):
        raise MalformedDocument(f"{field} contains a character XML cannot carry", field=field)
    return value


def _checked_bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("true", "false", "1", "0"):
        return value.strip() in ("true", "1")
    raise MalformedDocument(f"{field} must be true or false", field=field)


def _checked_int(field: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    raise MalformedDocument(f"{field} must be a non-negative integer", field=field)


def _checked_address(value: object, strict: bool) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise MalformedDocument("address must be an object", field="address")
    address: dict[str, str] = {}
    for key, item in value.items():
        if key in ADDRESS_FIELDS and item is not None:
            address[key] = _checked_text(f"address.{key}", item)
        elif strict and key not in ADDRESS_FIELDS:
            raise MalformedDocument(f"unknown field address.{key}", field=f"address.{key}")
    return address


def _checked_value(field: str, value: object, strict: bool) -> FieldValue:
    if field == "address":
        return _checked_address(value, strict)
    if field in BOOL_FIELDS:
        return _checked_bool(field, value)
    if field in INT_FIELDS:
        return _checked_int(field, value)
    return _checked_text(field, value)


def _doc_from_pairs(pairs: Iterable[tuple[str, object]], strict: bool) -> ContactDoc:
    """Build a document from (field, raw value) pairs; None means 'not sent'."""
    doc: ContactDoc = {}
    for field, value in pairs:
        if field == "@id" and value is not None:
            numeric = isinstance(value, int) and not isinstance(value, bool)
            doc["@id"] = str(value) if numeric else _checked_text("@id", value)
        elif field in _KNOWN and value is not None:
            if field in doc:
                raise MalformedDocument(f"{field} is given twice", field=field)
            doc[field] = _checked_value(field, value, strict)
        elif strict and field not in _KNOWN and field != "@id":
            raise MalformedDocument(f"unknown field {field}", field=field)
    return doc


def ordered(doc: Mapping[str, FieldValue]) -> ContactDoc:
    """The known fields of `doc` in schema order, `@id` first (what writers emit)."""
    out: ContactDoc = {"@id": doc["@id"]} if "@id" in doc else {}
    for field in CONTACT_FIELDS:
        if field in doc:
            out[field] = doc[field]
    return out


# ---------------------------------------------------------------- XML writing


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot carry replaced by U+FFFD (for messages)."""
    return _XML_INVALID.sub("\ufffd", text)


def _escape(text: str, *, attribute: bool = False) -> str:
    """Escape for XML; CR (and in attributes also TAB/LF) as references so they survive."""
    if _XML_INVALID.search(text):
        raise MalformedDocument("value contains a character XML cannot carry")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text


def _scalar_text(value: FieldValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _escape(value)
    raise MalformedDocument("address is the only structured field")


def _element_lines(name: str, value: FieldValue, pad: str) -> list[str]:
    if isinstance(value, dict):
        inner = [
            f"{pad}    <{key}>{_escape(value[key])}</{key}>"
            for key in ADDRESS_FIELDS
            if key in value
        ]
        return [f"{pad}<{name}>", *inner, f"{pad}</{name}>"]
    return [f"{pad}<{name}>{_scalar_text(value)}</{name}>"]


def _contact_lines(tag: str, doc: Mapping[str, FieldValue], pad: str, open_extra: str) -> list[str]:
    body = ordered(doc)
    ident = body.pop("@id", None)
    attrs = open_extra + (f' id="{_escape(str(ident), attribute=True)}"' if ident else "")
    lines = [f"{pad}<{tag}{attrs}>"]
    for field, value in body.items():
        lines.extend(_element_lines(field, value, pad + "    "))
    lines.append(f"{pad}</{tag}>")
    return lines


def _namespace_attrs(namespaces: tuple[tuple[str, str], ...]) -> str:
    return "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces)


def _xml_document(lines: list[str]) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    return "\n".join([head, *lines, ""]).encode("utf-8")


def contact_to_xml(doc: Mapping[str, FieldValue], *, response: bool = True) -> bytes:
    """`common:realtorContactDetail`; `response=False` declares only common and xlink."""
    spaces = RESPONSE_NAMESPACES if response else REQUEST_NAMESPACES
    tag = f"common:{CONTACT_ROOT}"
    return _xml_document(_contact_lines(tag, doc, "", _namespace_attrs(spaces)))


def contact_list_to_xml(docs: Iterable[Mapping[str, FieldValue]]) -> bytes:
    """`common:realtorContactDetailsList` with one `realtorContactDetails` per contact."""
    lines = [f"<common:{LIST_ROOT}{_namespace_attrs(RESPONSE_NAMESPACES)}>"]
    for doc in docs:
        lines.extend(_contact_lines(LIST_ITEM, doc, "    ", ""))
    lines.append(f"</common:{LIST_ROOT}>")
    return _xml_document(lines)


def messages_to_xml(messages: Iterable[Message]) -> bytes:
    """`common:messages` with one `message` per entry."""
    lines = [f"<common:{MESSAGES_ROOT}{_namespace_attrs(RESPONSE_NAMESPACES)}>"]
    for msg in messages:
        lines.append("    <message>")
        lines.append(f"        <messageCode>{_escape(msg.code)}</messageCode>")
        lines.append(f"        <message>{_escape(msg.text)}</message>")
        if msg.id is not None:
            lines.append(f"        <id>{_escape(msg.id)}</id>")
        lines.append("    </message>")
    lines.append(f"</common:{MESSAGES_ROOT}>")
    return _xml_document(lines)


# ---------------------------------------------------------------- XML reading


def parse_xml(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> Element:
    """Parse untrusted XML: size cap first, then defusedxml with DTDs forbidden."""
    if len(body) > max_bytes:
        raise BodyTooLarge(f"body of {len(body)} bytes exceeds {max_bytes}")
    try:
        root: Element = safe_et.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeXml(f"DTDs, entities and external references are refused: {exc!r}") from exc
    except ParseError as exc:
        raise MalformedDocument(f"XML is not well-formed: {exc}") from exc
    return root


def _expect_root(root: Element, local: str) -> None:
    if root.tag != f"{{{NS_COMMON}}}{local}":
        raise MalformedDocument(f"expected common:{local}, got {root.tag}")


def _child_value(child: Element) -> object:
    if child.tag != "address":
        return child.text or ""
    address = {sub.tag: sub.text or "" for sub in child}
    if len(address) != len(child):
        raise MalformedDocument("an address element is given twice", field="address")
    return address


def _contact_from_element(element: Element, strict: bool) -> ContactDoc:
    pairs: list[tuple[str, object]] = [("@id", element.get("id"))]
    pairs.extend((child.tag, _child_value(child)) for child in element)
    return _doc_from_pairs(pairs, strict)


def contact_from_xml(
    body: bytes, *, strict: bool = False, max_bytes: int = MAX_BODY_BYTES
) -> ContactDoc:
    """Read a `common:realtorContactDetail`; `strict` refuses unknown elements."""
    root = parse_xml(body, max_bytes=max_bytes)
    _expect_root(root, CONTACT_ROOT)
    return _contact_from_element(root, strict)


def contact_list_from_xml(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> list[ContactDoc]:
    """Read a `common:realtorContactDetailsList` (unknown elements are ignored)."""
    root = parse_xml(body, max_bytes=max_bytes)
    _expect_root(root, LIST_ROOT)
    return [_contact_from_element(item, False) for item in root if item.tag == LIST_ITEM]


def messages_from_xml(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> list[Message]:
    """Read a `common:messages` document."""
    root = parse_xml(body, max_bytes=max_bytes)
    _expect_root(root, MESSAGES_ROOT)
    return [
        _message_from_mapping({child.tag: child.text or "" for child in item})
        for item in root
        if item.tag == "message"
    ]


# ---------------------------------------------------------------- JSON


def _json_dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def contact_to_json(doc: Mapping[str, FieldValue]) -> bytes:
    """`{"common.realtorContactDetail": {...}}` in schema order."""
    return _json_dump({JSON_CONTACT_KEYS[0]: ordered(doc)})


def contact_list_to_json(docs: Iterable[Mapping[str, FieldValue]]) -> bytes:
    """`{"common.realtorContactDetailsList": {"realtorContactDetails": [...]}}`."""
    items = [ordered(doc) for doc in docs]
    return _json_dump({JSON_LIST_KEYS[0]: {LIST_ITEM: items}})


def messages_to_json(messages: Iterable[Message]) -> bytes:
    """`{"common.messages": [{"message": {...}}, ...]}`."""
    entries = []
    for msg in messages:
        entry = {"messageCode": msg.code, "message": msg.text}
        if msg.id is not None:
            entry["id"] = msg.id
        entries.append({"message": entry})
    return _json_dump({JSON_MESSAGES_KEYS[0]: entries})


def parse_json(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> object:
    """Parse untrusted JSON with the same size cap as XML."""
    if len(body) > max_bytes:
        raise BodyTooLarge(f"body of {len(body)} bytes exceeds {max_bytes}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedDocument(f"JSON is not well-formed: {exc}") from exc


def _unwrap(value: object, keys: tuple[str, ...]) -> object:
    if isinstance(value, Mapping):
        for key in keys:
            if key in value:
                return value[key]
    raise MalformedDocument(f"expected a JSON object under {keys[0]!r}")


def _as_mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise MalformedDocument(f"{what} must be a JSON object")
    return value


def _as_list(value: object) -> list[object]:
    """JSON mappers write a one-element list as the element itself; accept both."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def contact_from_json(
    body: bytes, *, strict: bool = False, max_bytes: int = MAX_BODY_BYTES
) -> ContactDoc:
    """Read `{"common.realtorContactDetail": {...}}`; `strict` refuses unknown fields."""
    inner = _as_mapping(
        _unwrap(parse_json(body, max_bytes=max_bytes), JSON_CONTACT_KEYS), "contact"
    )
    return _doc_from_pairs(inner.items(), strict)


def contact_list_from_json(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> list[ContactDoc]:
    """Read a contact list document (a missing or empty list is an empty list)."""
    outer = _unwrap(parse_json(body, max_bytes=max_bytes), JSON_LIST_KEYS)
    items = _as_list(_as_mapping(outer or {}, "contact list").get(LIST_ITEM))
    return [_doc_from_pairs(_as_mapping(item, "contact").items(), False) for item in items]


def _message_from_mapping(entry: Mapping[str, object]) -> Message:
    code, text, ident = entry.get("messageCode"), entry.get("message", ""), entry.get("id")
    if not isinstance(code, str) or not isinstance(text, str):
        raise MalformedDocument("a message needs a messageCode and a message text")
    return Message(code, text, None if ident is None else str(ident))


def messages_from_json(body: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> list[Message]:
    """Read `common.messages` (or `common:messages`), entries wrapped in `message` or not."""
    outer = _unwrap(parse_json(body, max_bytes=max_bytes), JSON_MESSAGES_KEYS)
    if isinstance(outer, Mapping) and "message" in outer:
        outer = outer["message"]
    messages = []
    for item in _as_list(outer):
        entry = _as_mapping(item, "message")
        inner = entry.get("message")
        messages.append(_message_from_mapping(inner if isinstance(inner, Mapping) else entry))
    return messages


# ---------------------------------------------------------------- by media type


def encode_contact(doc: Mapping[str, FieldValue], media: MediaType) -> bytes:
    """One contact in the given media type (XML with the response namespaces)."""
    return (contact_to_xml if media is MediaType.XML else contact_to_json)(doc)


def decode_contact(body: bytes, media: MediaType, *, strict: bool = False) -> ContactDoc:
    """One contact from a body of the given media type."""
    reader = contact_from_xml if media is MediaType.XML else contact_from_json
    return reader(body, strict=strict)


def encode_contact_list(docs: Iterable[Mapping[str, FieldValue]], media: MediaType) -> bytes:
    """A contact list in the given media type."""
    return (contact_list_to_xml if media is MediaType.XML else contact_list_to_json)(docs)


def decode_contact_list(body: bytes, media: MediaType) -> list[ContactDoc]:
    """A contact list from a body of the given media type."""
    return (contact_list_from_xml if media is MediaType.XML else contact_list_from_json)(body)


def encode_messages(messages: Iterable[Message], media: MediaType) -> bytes:
    """A `common:messages` document in the given media type."""
    return (messages_to_xml if media is MediaType.XML else messages_to_json)(messages)


def decode_messages(body: bytes, media: MediaType) -> list[Message]:
    """A `common:messages` document from a body of the given media type."""
    return (messages_from_xml if media is MediaType.XML else messages_from_json)(body)
