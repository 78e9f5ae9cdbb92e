"""Every documented IS24 input rule through GraphQL: a typed userError on the input path,
IS24's own message code as providerCode, and not one upstream request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.gateway.is24_support import (
    UPDATE,
    create,
    created,
    error_keys,
    gid,
    upstream,
)
from tests.harness import Gateway, Sandbox, is24_stack

NOT_VALID = "ERROR_REQUEST_DATA_NOT_VALID"


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with is24_stack() as pair:
        yield pair


def _work(**parts: str) -> list[dict[str, Any]]:
    return [{"kind": "WORK", **parts}]


def _number(kind: str, number: str) -> list[dict[str, Any]]:
    return [{"kind": kind, "number": number}]


PHONE = ["input", "phones", "0"]
RULES: list[tuple[str, dict[str, Any], list[str], str, str | None]] = [
    # country code: "+" required, "00" refused
    ("00 country code", {"phones": _work(countryCode="0049", areaCode="30", subscriber="123456")},
     [*PHONE, "countryCode"], "INVALID_FORMAT", NOT_VALID),
    ("country code without +", {"phones": _work(countryCode="49", areaCode="30", subscriber="1")},
     [*PHONE, "countryCode"], "INVALID_FORMAT", NOT_VALID),
    ("00 in a complete fax", {"phones": _number("FAX", "0049 30 123456")},
     [*PHONE, "number"], "INVALID_FORMAT", NOT_VALID),
    # +49: no area code starting with 0
    ("+49 area code 030", {"phones": _work(countryCode="+49", areaCode="030", subscriber="123")},
     [*PHONE, "areaCode"], "INVALID_FORMAT", NOT_VALID),
    ("+49 complete with 030", {"phones": _number("MOBILE", "+49 0171 1234567")},
     [*PHONE, "number"], "INVALID_FORMAT", NOT_VALID),
    # spaces are the only divider
    ("dash in a subscriber", {"phones": _work(countryCode="+49", areaCode="3", subscriber="1-2")},
     [*PHONE, "subscriber"], "INVALID_FORMAT", NOT_VALID),
    ("slash in an area code", {"phones": _work(countryCode="+49", areaCode="3/0", subscriber="1")},
     [*PHONE, "areaCode"], "INVALID_FORMAT", NOT_VALID),
    ("double space", {"phones": _work(countryCode="+49", areaCode="30", subscriber="12  34")},
     [*PHONE, "subscriber"], "INVALID_FORMAT", NOT_VALID),
    ("dashes in a complete number", {"phones": _number("WORK", "+49-30-123456")},
     [*PHONE, "number"], "INVALID_FORMAT", NOT_VALID),
    ("slashes in a complete fax", {"phones": _number("FAX", "+49 30/123456")},
     [*PHONE, "number"], "INVALID_FORMAT", NOT_VALID),
    # parts go together
    ("a missing area code", {"phones": _work(countryCode="+49", subscriber="123456")},
     [*PHONE, "areaCode"], "REQUIRED", NOT_VALID),
    ("no number at all", {"phones": [{"kind": "MOBILE"}]}, PHONE, "REQUIRED", NOT_VALID),
    # mandatory even though the schema says optional
    ("no last name", {"familyName": None}, ["input", "familyName"], "REQUIRED", NOT_VALID),
    ("a blank last name", {"familyName": "   "}, ["input", "familyName"], "REQUIRED", NOT_VALID),
    ("no email", {"emails": None}, ["input", "emails"], "REQUIRED", NOT_VALID),
    ("only a secondary email", {"emails": [{"address": "a@example.org", "kind": "SECONDARY"}]},
     ["input", "emails"], "REQUIRED", NOT_VALID),
    # enumerations
    ("alpha-2 country", {"addresses": [{"locality": "Berlin", "country": "DE"}]},
     ["input", "addresses", "0", "country"], "INVALID_FORMAT", NOT_VALID),
    ("MX salutation", {"salutation": "MX"}, ["input", "salutation"], "UNSUPPORTED", NOT_VALID),
    ("a control character", {"givenName": "bell\x07"}, ["input", "givenName"], "INVALID",
     NOT_VALID),
    # what a realtor contact cannot hold (no IS24 message code: the gateway's mapping says so)
    ("a HOME phone", {"phones": _number("HOME", "+49 30 123456")}, [*PHONE, "kind"],
     "UNSUPPORTED", None),
    ("two WORK phones", {"phones": [*_number("WORK", "+49 30 1"), *_number("WORK", "+49 30 2")]},
     ["input", "phones", "1", "kind"], "LIMIT_EXCEEDED", None),
    ("two addresses", {"addresses": [{"locality": "A"}, {"locality": "B"}]},
     ["input", "addresses", "1"], "LIMIT_EXCEEDED", None),
    ("two street lines", {"addresses": [{"streetLines": ["a", "b"]}]},
     ["input", "addresses", "0", "streetLines"], "LIMIT_EXCEEDED", None),
    ("a display name", {"displayName": "Ada"}, ["input", "displayName"], "UNSUPPORTED", None),
    ("a middle name", {"middleName": "B."}, ["input", "middleName"], "UNSUPPORTED", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "code", "provider_code"),
    [pytest.param(*rule[1:], id=rule[0]) for rule in RULES],
)
async def test_each_rule_is_a_user_error_before_any_upstream_call(
    gateway: Gateway,
    sandbox: Sandbox,
    change: dict[str, Any],
    field: list[str],
    code: str,
    provider_code: str | None,
) -> None:
    await sandbox.forget()
    payload = await create(gateway, **change)
    assert payload["contact"] is None
    assert {"field": field, "code": code, "providerCode": provider_code} in error_keys(payload)
    assert await sandbox.count() == 0


async def test_every_broken_rule_is_reported_at_once(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    payload = await create(
        gateway,
        familyName=None,
        emails=None,
        phones=[{"kind": "FAX", "countryCode": "0049", "areaCode": "30", "subscriber": "1"}],
    )
    assert [e["field"] for e in payload["userErrors"]] == [
        ["input", "familyName"],
        ["input", "emails"],
        ["input", "phones", "0", "countryCode"],
    ]
    assert await sandbox.count() == 0


async def test_a_complete_number_counts_only_when_no_part_is_given(gateway: Gateway) -> None:
    phone = {"kind": "WORK", "number": "0049/garbage", "countryCode": "+49", "areaCode": "30",
             "subscriber": "123456"}  # fmt: skip
    contact = await created(gateway, phones=[phone])
    assert contact["phones"] == [
        {"kind": "WORK", "e164": "+4930123456", "countryCode": "+49", "areaCode": "30",
         "subscriber": "123456", "raw": "+49 30 123456"}
    ]  # fmt: skip
    valid_but_ignored = {**phone, "number": "+49 40 999999", "countryCode": "+44"}
    contact = await created(
        gateway, emails=[{"address": "b@example.org"}], phones=[valid_but_ignored]
    )
    assert contact["phones"][0]["raw"] == "+44 30 123456"
    broken_part = {**phone, "number": "+49 40 999999", "countryCode": "0049"}
    payload = await create(gateway, emails=[{"address": "c@example.org"}], phones=[broken_part])
    assert [e["field"] for e in payload["userErrors"]] == [["input", "phones", "0", "countryCode"]]


@pytest.mark.parametrize(
    ("kind", "number", "e164", "parts"),
    [
        ("WORK", "+49 30 24301999", "+493024301999", ["+49", "30", "24301999"]),
        ("FAX", "+49 30 243 019 98", "+493024301998", ["+49", "30", "243 019 98"]),
        ("MOBILE", "+4917612345678", "+4917612345678", ["+49", "176", "12345678"]),
        ("WORK", "+39 06 12345678", "+390612345678", ["+39", "06", "12345678"]),
        ("WORK", "+41 44 6681800", "+41446681800", ["+41", "44", "6681800"]),
    ],
)
async def test_valid_complete_numbers_read_back_as_e164_with_parts(
    gateway: Gateway, kind: str, number: str, e164: str, parts: list[str]
) -> None:
    contact = await created(gateway, phones=[{"kind": kind, "number": number}])
    (phone,) = contact["phones"]
    assert phone["kind"] == kind and phone["e164"] == e164
    assert [phone["countryCode"], phone["areaCode"], phone["subscriber"]] == parts


async def test_updates_are_checked_before_any_upstream_call(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    contact = await created(gateway)
    await sandbox.forget()
    for change, field in (
        ({"familyName": None}, ["input", "familyName"]),
        ({"emails": []}, ["input", "emails"]),
        ({"phones": _number("MOBILE", "0049 171 1234567")}, [*PHONE, "number"]),
        ({"addresses": [{"country": "Deutschland"}]}, ["input", "addresses", "0", "country"]),
    ):
        body = await gateway.data(UPDATE, id=gid(contact["nativeId"]), input=change)
        errors = body["updateContact"]["userErrors"]
        assert [e["field"] for e in errors] == [field], change
        assert errors[0]["providerCode"] == NOT_VALID
    assert await upstream(sandbox) == []


async def test_blocks_of_other_providers_are_refused(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    payload = await create(gateway, spark={"note": "x"})
    assert [e["field"] for e in payload["userErrors"]] == [["input", "spark"]]
    assert await sandbox.count() == 0
