"""The AutoDNS adapter's pure parts: error mapping, search bodies, phone and id handling."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.autodns.client import AutoDnsClientConfig, decode
from providers.autodns.envelope import (
    envelope_to_json,
    error_envelope,
    error_message,
    success_envelope,
)
from providers.autodns.filters import search_query
from providers.autodns.mapping import phone_from_wire, wire_phone, write_from_input
from providers.autodns.rules import e164_from_wire
from providers.autodns.types import AutoDnsContactInput, AutoDnsFilter, ContactType
from providers.autodns.validation import check_contact_id
from providers.errors import (
    DuplicateContact,
    Forbidden,
    NotFound,
    ProviderAuthFailed,
    ProviderError,
    ProviderProtocolError,
    ProviderUnavailable,
    RateLimited,
    ValidationFailed,
)
from providers.model import (
    UNSET,
    ContactFilter,
    ContactInput,
    ContactQuery,
    PhoneInput,
    PhoneKind,
    SortDirection,
    SortField,
    SortOrder,
)

JSON = {"Content-Type": "application/json"}


def _error(status: int, *messages: tuple[str, list[tuple[str, str]]]) -> tuple[int, bytes]:
    built = [error_message(code, f"text of {code}", objects) for code, objects in messages]
    envelope = error_envelope("20261123-app1-sbx-000042", "E0301", "failed", built)
    return status, json.dumps(envelope_to_json(envelope)).encode()


@pytest.mark.parametrize(
    ("reply", "kind", "code"),
    [
        (_error(429, ("EF00429", [])), RateLimited, "RATE_LIMITED"),
        (_error(401, ("EF00000", [])), ProviderAuthFailed, "PROVIDER_AUTH_FAILED"),
        (_error(500, ("EF03013", [])), ProviderError, "PROVIDER_ERROR"),
        (_error(500, ("EF03014", [])), ProviderError, "PROVIDER_ERROR"),
        (_error(403, ("EF03016", [("id", "1")])), Forbidden, "FORBIDDEN"),
        (_error(404, ("EF03021", [("id", "1")])), NotFound, "NOT_FOUND"),
        (_error(409, ("EF03020", [("Contact", "7")])), DuplicateContact, "DUPLICATE"),
        (_error(409, ("EF03022", [("domain", "a.de")])), ValidationFailed, "BAD_USER_INPUT"),
        (_error(400, ("EF03010", [("phone", "+1")])), ValidationFailed, "BAD_USER_INPUT"),
        (_error(400, ("EF03024", [])), ValidationFailed, "BAD_USER_INPUT"),
        (_error(404, ("EF00001", [("path", "/v2")])), ProviderProtocolError, "PROVIDER_ERROR"),
        (_error(503, ("EF00500", [])), ProviderUnavailable, "PROVIDER_UNAVAILABLE"),
        (_error(200, ("EF09999", [])), ProviderProtocolError, "PROVIDER_ERROR"),
    ],
)
def test_each_error_envelope_maps_to_one_typed_error_with_the_stid(
    reply: tuple[int, bytes], kind: type[ProviderError], code: str
) -> None:
    status, body = reply
    with pytest.raises(kind) as info:
        decode(status, {**JSON, "Retry-After": "3"}, body)
    error = info.value
    assert type(error) is kind and error.code == code
    assert error.trace_id == "20261123-app1-sbx-000042" and error.provider_code is not None


def test_duplicate_names_the_existing_contact_and_issues_name_the_field() -> None:
    status, body = _error(409, ("EF03020", [("Contact", "23151401")]))
    with pytest.raises(DuplicateContact) as dup:
        decode(status, JSON, body)
    assert dup.value.existing_id == "23151401"
    status, body = _error(400, ("EF03017", [("fname", "")]), ("EF03010", [("phone", "+1-1")]))
    with pytest.raises(ValidationFailed) as invalid:
        decode(status, JSON, body)
    assert [(i.field, i.code.value, i.provider_code) for i in invalid.value.issues] == [
        (("fname",), "REQUIRED", "EF03017"),
        (("phone",), "INVALID_FORMAT", "EF03010"),
    ]


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (200, JSON, b'{"stid": "x", "status": {"code": "S0304"', ProviderProtocolError),
        (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>", ProviderProtocolError),
        (502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>", ProviderUnavailable),
        (429, {"Content-Type": "text/plain", "Retry-After": "2"}, b"slow down", RateLimited),
        (200, JSON, b"[]", ProviderProtocolError),
    ],
)
def test_unreadable_answers_are_typed(
    status: int, headers: dict[str, str], body: bytes, kind: type[ProviderError]
) -> None:
    with pytest.raises(kind):
        decode(status, headers, body)


def test_a_success_keeps_its_stid() -> None:
    envelope = success_envelope("20261123-app1-sbx-000007", "S0304", "ok", data=[{"id": 1}])
    decoded = decode(200, JSON, json.dumps(envelope_to_json(envelope)).encode())
    assert decoded.stid == "20261123-app1-sbx-000007" and decoded.data == ({"id": 1},)


def test_config_requires_https_except_on_loopback() -> None:
    AutoDnsClientConfig("http://127.0.0.1:8080/v1", "u", "p", "4")
    AutoDnsClientConfig("https://api.autodns.com/v1", "u", "p", "4")
    with pytest.raises(ValueError, match="HTTPS"):
        AutoDnsClientConfig("http://api.autodns.com/v1", "u", "p", "4")
    with pytest.raises(ValueError, match="context"):
        AutoDnsClientConfig("https://api.autodns.com/v1", "u", "p", "4\r\nX: y")


@pytest.mark.parametrize("native_id", ["0", "01", "-1", "1.0", "1e3", "../1", "١٢", "1" * 19])
def test_only_positive_integer_ids_pass(native_id: str) -> None:
    with pytest.raises(NotFound):
        check_contact_id(native_id)


def test_an_empty_id_is_ef030110() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_contact_id("")
    assert info.value.issues[0].provider_code == "EF030110"


def test_the_search_body_pushes_every_filter_down() -> None:
    flt = ContactFilter(
        display_name="Jane Doe",
        family_name="D*",
        email="jane@example.de",
        phone="+499411234567",
        city="Regensburg",
        postal_code="93047",
        updated_since=datetime(2026, 1, 1, tzinfo=UTC),
        extras=AutoDnsFilter(alias="j*", type=ContactType.PERSON, domainsafe=False),
    )
    order = (SortOrder(SortField.FAMILY_NAME, SortDirection.DESC),)
    query = search_query(ContactQuery(filter=flt, order=order, offset=40, limit=20))
    assert query is not None
    assert query.to_json() == {
        "filters": [
            {
                "link": "AND",
                "filters": [
                    _cond("fname", "Jane Doe", link="OR"),
                    _cond("lname", "Jane Doe", link="OR"),
                    _cond("organization", "Jane Doe", link="OR"),
                    {"link": "OR", "filters": [_cond("fname", "Jane"), _cond("lname", "Doe")]},
                ],
            },
            _cond("lname", "D*", "LIKE"),
            _cond("email", "jane@example.de"),
            _cond("city", "Regensburg"),
            _cond("pcode", "93047"),
            {
                "link": "AND",
                "filters": [
                    _cond("phone", "+49-941-1234567", link="OR"),
                    _cond("fax", "+49-941-1234567", link="OR"),
                ],
            },
            _cond("updated", "2026-01-01T00:00:00.000+0000", "GREATER_EQUAL"),
            _cond("alias", "j*", "LIKE"),
            _cond("type", "PERSON"),
            _cond("domainsafe", "false"),
        ],
        "view": {"limit": 20, "offset": 40},
        "orders": [{"key": "lname", "ordertype": "DESC"}, {"key": "id", "ordertype": "ASC"}],
    }


def _cond(key: str, value: str, operator: str = "EQUAL", link: str = "AND") -> dict[str, Any]:
    return {"key": key, "value": value, "operator": operator, "link": link}


def test_ids_that_cannot_exist_need_no_search() -> None:
    assert search_query(ContactQuery(filter=ContactFilter(ids=("../x", "0")))) is None


_E164 = st.sampled_from(["DE", "AT", "CH", "US", "GB", "FR", "NL", "IT", "PL", "SE"]).map(
    lambda region: phonenumbers.format_number(
        phonenumbers.example_number(region), phonenumbers.PhoneNumberFormat.E164
    )
)


@given(_E164, st.sampled_from([PhoneKind.PRIMARY, PhoneKind.FAX]))
def test_e164_goes_upstream_in_wire_format_and_comes_back(e164: str, kind: PhoneKind) -> None:
    wire = wire_phone(PhoneInput(kind, e164), None)
    assert wire is not None and e164_from_wire(wire) == e164
    assert phone_from_wire(kind, wire).e164 == e164


def test_update_sends_only_given_fields_and_clears_with_null() -> None:
    changes = ContactInput(
        organization=None, phones=(), extras=AutoDnsContactInput(comment="c", alias=UNSET)
    )
    write = write_from_input(changes, creating=False)
    assert write.fields == {"organization": None, "phone": None, "fax": None, "comment": "c"}
    assert write.path_of("comment") == ("autodns", "comment")
    assert write.path_of("city") == ("addresses",)
