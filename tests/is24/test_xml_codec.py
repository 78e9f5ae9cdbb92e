"""The IS24 codec: element order, namespaces, both media types, hostile XML, round trips."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.is24 import xml_codec as codec
from providers.is24.xml_codec import (
    CONTACT_FIELDS,
    NS_COMMON,
    NS_XLINK,
    BodyTooLarge,
    ContactDoc,
    MalformedDocument,
    MediaType,
    Message,
    UnsafeXml,
)

COMMON = f'xmlns:common="{NS_COMMON}"'

FULL: ContactDoc = {
    "@id": "124309508",
    "showOnProfilePage": True,
    "externalId": "office/berlin/0002",
    "email": "maxine@example.org",
    "address": {
        "city": "Berlin",
        "street": "Andreasstr.",
        "postcode": "10243",
        "houseNumber": "10",
    },
    "phoneNumber": "+49 30 243010001",
    "phoneNumberSubscriber": "243010001",
    "phoneNumberAreaCode": "30",
    "phoneNumberCountryCode": "+49",
    "faxNumber": "+49 30 243010002",
    "cellPhoneNumberCountryCode": "+49",
    "salutation": "FEMALE",
    "lastname": "Mustermann",
    "firstname": "Maxine",
    "realEstateReferenceCount": 3,
    "defaultContact": False,
    "title": "Dr.",
    "countryCode": "DEU",
    "clickOutUrl": "https://example.org/out",
    "officeHours": "nie",
    "secondaryEmail": "second@example.org",
}


def child_names(body: bytes) -> tuple[ElementTree.Element, list[str]]:
    root = ElementTree.fromstring(body)  # noqa: S314  # our own trusted output
    return root, [child.tag for child in root]


def test_xml_elements_follow_the_schema_sequence() -> None:
    root, names = child_names(codec.contact_to_xml(FULL))
    assert names == [name for name in CONTACT_FIELDS if name in FULL]
    assert names[:4] == ["email", "salutation", "firstname", "lastname"]
    phone = names.index("phoneNumberSubscriber")
    assert names[phone + 1] == "phoneNumber"
    assert names.index("faxNumber") < names.index("phoneNumberCountryCode")
    assert names[-3:] == ["externalId", "clickOutUrl", "showOnProfilePage"]
    address = root.find("address")
    assert address is not None
    assert [child.tag for child in address] == ["street", "houseNumber", "postcode", "city"]


def test_xml_root_namespaces_and_id() -> None:
    body = codec.contact_to_xml(FULL)
    root, _ = child_names(body)
    assert root.tag == f"{{{NS_COMMON}}}realtorContactDetail"
    assert root.get("id") == "124309508"
    text = body.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    for prefix in ("common", "gis", "search", "ns5", "xlink"):
        assert f"xmlns:{prefix}=" in text
    assert "<common:realtorContactDetail " in text
    assert "<email>maxine@example.org</email>" in text  # children are unqualified
    assert "<defaultContact>false</defaultContact>" in text
    assert "<realEstateReferenceCount>3</realEstateReferenceCount>" in text


def test_request_documents_declare_common_and_xlink_only() -> None:
    text = codec.contact_to_xml({"email": "a@b.de", "lastname": "X"}, response=False).decode()
    assert f'<common:realtorContactDetail {COMMON} xmlns:xlink="{NS_XLINK}">' in text


def test_reads_a_body_shaped_like_the_observed_one() -> None:
    body = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<common:realtorContactDetail {COMMON} xmlns:ns5="urn:x" id="77">
    <email>probe@example.org</email>
    <salutation>NO_SALUTATION</salutation>
    <lastname>Probe</lastname>
    <phoneNumberCountryCode>+49</phoneNumberCountryCode>
    <address><street>Invalidenstraße</street><city>Berlin</city></address>
    <defaultContact>true</defaultContact>
    <realEstateReferenceCount>0</realEstateReferenceCount>
    <somethingNew>ignored unless strict</somethingNew>
</common:realtorContactDetail>""".encode()
    doc = codec.contact_from_xml(body)
    assert doc == {
        "@id": "77",
        "email": "probe@example.org",
        "salutation": "NO_SALUTATION",
        "lastname": "Probe",
        "phoneNumberCountryCode": "+49",
        "address": {"street": "Invalidenstraße", "city": "Berlin"},
        "defaultContact": True,
        "realEstateReferenceCount": 0,
    }
    with pytest.raises(MalformedDocument, match="somethingNew") as caught:
        codec.contact_from_xml(body, strict=True)
    assert caught.value.field == "somethingNew"


def test_json_shape() -> None:
    outer = json.loads(codec.contact_to_json(FULL))
    assert list(outer) == ["common.realtorContactDetail"]
    inner = outer["common.realtorContactDetail"]
    assert list(inner) == ["@id", *[name for name in CONTACT_FIELDS if name in FULL]]
    assert inner["defaultContact"] is False and inner["realEstateReferenceCount"] == 3


def test_json_reader_accepts_both_root_spellings_and_string_scalars() -> None:
    body = b'{"common:realtorContactDetail": {"@id": 5, "lastname": "X", "defaultContact": "true",'
    body += b' "realEstateReferenceCount": "2", "title": null}}'
    assert codec.contact_from_json(body) == {
        "@id": "5",
        "lastname": "X",
        "defaultContact": True,
        "realEstateReferenceCount": 2,
    }


@pytest.mark.parametrize("media", list(MediaType))
def test_lists_round_trip(media: MediaType) -> None:
    docs: list[ContactDoc] = [FULL, {"@id": "2", "email": "b@example.org", "lastname": "B"}]
    assert codec.decode_contact_list(codec.encode_contact_list(docs, media), media) == [
        codec.ordered(doc) for doc in docs
    ]
    assert codec.decode_contact_list(codec.encode_contact_list([], media), media) == []


def test_list_documents() -> None:
    root, names = child_names(codec.contact_list_to_xml([FULL]))
    assert root.tag == f"{{{NS_COMMON}}}realtorContactDetailsList"
    assert names == ["realtorContactDetails"] and root[0].get("id") == "124309508"
    outer = json.loads(codec.contact_list_to_json([FULL]))
    assert (
        outer["common.realtorContactDetailsList"]["realtorContactDetails"][0]["@id"] == "124309508"
    )
    single = b'{"common.realtorContactDetailsList": {"realtorContactDetails": {"lastname": "A"}}}'
    assert codec.contact_list_from_json(single) == [{"lastname": "A"}]


@pytest.mark.parametrize("media", list(MediaType))
def test_messages_round_trip(media: MediaType) -> None:
    created = "Resource [contact] with id [1] has been created."
    messages = [
        Message("MESSAGE_RESOURCE_CREATED", created, "1"),
        Message("ERROR_REQUEST_DATA_NOT_VALID", "lastname: is mandatory <&>"),
    ]
    assert codec.decode_messages(codec.encode_messages(messages, media), media) == messages


def test_messages_documents() -> None:
    text = codec.messages_to_xml([Message("C", "t", "9")]).decode()
    assert "<common:messages " in text and "<messageCode>C</messageCode>" in text
    assert json.loads(codec.messages_to_json([Message("C", "t", "9")])) == {
        "common.messages": [{"message": {"messageCode": "C", "message": "t", "id": "9"}}]
    }
    seed_spelling = b'{"common:messages": [{"message": {"messageCode": "C", "message": "t"}}]}'
    assert codec.messages_from_json(seed_spelling) == [Message("C", "t")]
    jettison = b'{"common.messages": {"message": {"messageCode": "C", "message": "t", "id": 4}}}'
    assert codec.messages_from_json(jettison) == [Message("C", "t", "4")]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<common:realtorContactDetail xmlns:common="http://rest.immobilienscout24.de/schema/common/1.0">
<email>&lol4;</email><lastname>X</lastname></common:realtorContactDetail>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<common:realtorContactDetail xmlns:common="http://rest.immobilienscout24.de/schema/common/1.0">
<email>&xxe;</email><lastname>X</lastname></common:realtorContactDetail>"""

BARE_DTD = b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DTD])
def test_dtds_and_entities_are_refused(body: bytes) -> None:
    with pytest.raises(UnsafeXml):
        codec.contact_from_xml(body)


def test_the_size_cap_comes_before_parsing() -> None:
    with pytest.raises(BodyTooLarge):
        codec.contact_from_xml(b"<" * (codec.MAX_BODY_BYTES + 1))
    with pytest.raises(BodyTooLarge):
        codec.contact_from_json(b" " * 11, max_bytes=10)


@pytest.mark.parametrize(
    "body",
    [
        b"<common:realtorContactDetail",
        b"not xml at all",
        b"<realtorContactDetail><lastname>X</lastname></realtorContactDetail>",  # no namespace
        f"<common:messages {COMMON}/>".encode(),  # another root
        f"<common:realtorContactDetail {COMMON}><defaultContact>yes</defaultContact>"
        "</common:realtorContactDetail>".encode(),
        f"<common:realtorContactDetail {COMMON}><lastname>A</lastname><lastname>B</lastname>"
        "</common:realtorContactDetail>".encode(),
        f"<common:realtorContactDetail {COMMON}><address><city>A</city><city>B</city>"
        "</address></common:realtorContactDetail>".encode(),
        f"<common:realtorContactDetail {COMMON}><realEstateReferenceCount>-1"
        "</realEstateReferenceCount></common:realtorContactDetail>".encode(),
    ],
)
def test_malformed_xml(body: bytes) -> None:
    with pytest.raises(MalformedDocument):
        codec.contact_from_xml(body)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"other": {}}',
        b'{"common.realtorContactDetail": []}',
        b'{"common.realtorContactDetail": {"lastname": 5}}',
        b'{"common.realtorContactDetail": {"lastname": "a\\u0000b"}}',
        b'{"common.realtorContactDetail": {"address": "Berlin"}}',
        b'{"common.realtorContactDetail": {"showOnProfilePage": 1}}',
        b'{"common.realtorContactDetail": {"@id": true}}',
        b"[" * 10_000 + b"]" * 10_000,
    ],
)
def test_malformed_json(body: bytes) -> None:
    with pytest.raises(MalformedDocument):
        codec.contact_from_json(body)


def test_strict_json_refuses_unknown_fields() -> None:
    body = b'{"common.realtorContactDetail": {"lastname": "X", "address": {"zip": "1"}}}'
    assert codec.contact_from_json(body) == {"lastname": "X", "address": {}}
    with pytest.raises(MalformedDocument, match=r"address\.zip"):
        codec.contact_from_json(body, strict=True)


def test_xml_safe_replaces_what_xml_cannot_carry() -> None:
    assert codec.xml_safe("a\x00b\ufffe") == "a\ufffdb\ufffd"
    with pytest.raises(MalformedDocument):
        codec.contact_to_xml({"lastname": "a\x01"})


# ---------------------------------------------------------------- properties

# Printable characters plus the space separators (no control, format or unassigned ones).
printable = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=30
)
TEXT_FIELDS = [
    n for n in CONTACT_FIELDS if n not in codec.BOOL_FIELDS | codec.INT_FIELDS | {"address"}
]
documents = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(TEXT_FIELDS, printable),
        **{name: st.booleans() for name in sorted(codec.BOOL_FIELDS)},
        "realEstateReferenceCount": st.integers(min_value=0, max_value=10**9),
        "address": st.dictionaries(st.sampled_from(codec.ADDRESS_FIELDS), printable),
        "@id": st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    },
)


@settings(max_examples=150)
@given(documents)
def test_xml_round_trip(doc: ContactDoc) -> None:
    assert codec.contact_from_xml(codec.contact_to_xml(doc), strict=True) == doc
    assert codec.contact_from_xml(codec.contact_to_xml(doc, response=False)) == doc


@settings(max_examples=150)
@given(documents)
def test_json_round_trip(doc: ContactDoc) -> None:
    assert codec.contact_from_json(codec.contact_to_json(doc), strict=True) == doc


@given(st.text(max_size=40))
def test_xml_keeps_surrounding_whitespace_and_markup_characters(value: str) -> None:
    value = codec.xml_safe(value)
    doc: ContactDoc = {"firstname": value, "@id": "1"}
    assert codec.contact_from_xml(codec.contact_to_xml(doc)) == doc
