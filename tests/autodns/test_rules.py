"""The shared AutoDNS input rules, without HTTP: every EF code, the maxima, phones, search."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.autodns.rules import (
    COUNTRIES,
    MAX_LENGTH,
    ErrorCode,
    contact_problems,
    e164_from_wire,
    identity_problem,
    phone_problem,
    same_contact_key,
    wire_from_e164,
)
from providers.autodns.search import (
    MAX_FILTER_DEPTH,
    MAX_FILTERS,
    Condition,
    Group,
    SearchError,
    SearchQuery,
    parse_search,
)
from tests.autodns.conftest import valid_contact


def codes(contact: dict[str, Any]) -> dict[str, str]:
    """field -> EF code of every problem."""
    return {p.field: p.code.value for p in contact_problems(contact)}


def test_a_complete_contact_has_no_problems() -> None:
    assert contact_problems(valid_contact()) == []


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"phone": "+1-123"}, "phone", "EF03010"),
        ({"phone": "+49 941 1234567"}, "phone", "EF03010"),
        ({"phone": "+999-1-1234567"}, "phone", "EF03010"),
        ({"fax": "0941-1234567"}, "fax", "EF03011"),
        ({"fax": "+49-941-12a4567"}, "fax", "EF03011"),
        ({"alias": None}, "alias", "EF030110"),
        ({"alias": "   "}, "alias", "EF030110"),
        ({"comment": "x" * 501}, "comment", "EF03012"),
        ({"fname": "x" * 65}, "fname", "EF03015"),
        ({"address": ["a", "b", "c", "d"]}, "address", "EF03015"),
        ({"address": ["x" * 129]}, "address", "EF03015"),
        ({"fname": None}, "fname", "EF03017"),
        ({"fname": "12345"}, "fname", "EF03017"),
        ({"fname": "Ja\x00ne"}, "fname", "EF03017"),
        ({"fname": 42}, "fname", "EF03017"),
        ({"lname": ""}, "lname", "EF03018"),
        ({"lname": "---"}, "lname", "EF03018"),
        ({"type": "ORG"}, "organization", "EF03019"),
        ({"type": "ROLE", "organization": " "}, "organization", "EF03019"),
        ({"organization": "12345"}, "organization", "EF03019"),
        ({"organization": "!!!"}, "organization", "EF03019"),
        ({"organization": "Acme\x07"}, "organization", "EF03019"),
        ({"type": "COMPANY"}, "type", "EF03023"),
        ({"type": None}, "type", "EF03023"),
        ({"country": "DEU"}, "country", "EF03023"),
        ({"country": "XK"}, "country", "EF03023"),
        ({"email": "jane.doe@"}, "email", "EF03023"),
        ({"email": "jane doe@example.de"}, "email", "EF03023"),
        ({"email": None}, "email", "EF03023"),
        ({"protection": "SHOW_SOME"}, "protection", "EF03023"),
        ({"address": "Lindenstraße 5"}, "address", "EF03023"),
        ({"address": []}, "address", "EF03023"),
        ({"city": "Regens\nburg"}, "city", "EF03023"),
        ({"pcode": "93047!"}, "pcode", "EF03023"),
    ],
)
def test_each_rule_reports_its_code(overrides: dict[str, Any], field: str, code: str) -> None:
    assert codes(valid_contact(**overrides)) == {field: code}


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "ORG", "organization": "1&1 Ionos SE"},
        {"type": "ROLE", "organization": "Acme", "fname": "Host", "lname": "Master"},
        {"fname": "张", "lname": "伟"},
        {"fname": "Jean-Luc", "lname": "O'Brien"},
        {"country": "de"},
        {"comment": "line one\nline two\twith tab"},
        {"comment": "x" * 500},
        {"fax": "+49-941-1234568", "state": "Bayern", "title": "Dr."},
        {"protection": "SHOW_ALL", "sip": "sip:jane@example.de"},
        {"address": ["Lindenstraße 5", "Hinterhaus", "3. OG"]},
        {"email": "jane+domains@xn--mller-kva.xn--p1ai"},
    ],
)
def test_valid_variants_pass(overrides: dict[str, Any]) -> None:
    assert contact_problems(valid_contact(**overrides)) == []


def _letters(count: int) -> str:
    return "a" * count


@pytest.mark.parametrize("name", sorted(MAX_LENGTH))
def test_each_maximum_is_inclusive(name: str) -> None:
    limit = MAX_LENGTH[name]
    filler: dict[str, Callable[[int], str]] = {
        "email": lambda n: "a" * (n - 11) + "@example.de",
        "sip": lambda n: "sip:" + "a" * (n - 4),
    }
    make = filler.get(name, _letters)
    assert codes(valid_contact(**{name: make(limit)})) == {}
    assert codes(valid_contact(**{name: make(limit + 1)})) == {name: "EF03015"}


def test_problems_cover_every_field_once() -> None:
    contact = valid_contact(fname="1", lname=None, phone="x", fax="y", comment="c" * 600)
    assert codes(contact) == {
        "fname": "EF03017",
        "lname": "EF03018",
        "phone": "EF03010",
        "fax": "EF03011",
        "comment": "EF03012",
    }


def test_identity_needs_an_id_or_an_alias() -> None:
    problem = identity_problem(None, " ")
    assert problem is not None and problem.code is ErrorCode.ID_OR_ALIAS_MISSING
    assert identity_problem(23151400, None) is None
    assert identity_problem(None, "jdoe") is None


def test_same_contact_key_ignores_case_space_and_other_fields() -> None:
    base = valid_contact()
    noisy = valid_contact(
        alias="other-alias", fname="  JANE ", city="regensburg", phone="+49-941-7654321",
        address=["Lindenstraße   5", " "], email="JANE.DOE@EXAMPLE.DE",
    )  # fmt: skip
    assert same_contact_key(base) == same_contact_key(noisy)
    assert same_contact_key(base) != same_contact_key(valid_contact(city="Berlin"))
    assert same_contact_key(base) != same_contact_key(valid_contact(type="ROLE"))


def test_countries_are_exactly_iso_alpha2() -> None:
    assert len(COUNTRIES) == 249
    assert {"DE", "US", "AQ", "GS"} <= COUNTRIES
    assert not {"XK", "AC", "TA", "EU", "UK"} & COUNTRIES


def test_wire_phone_round_trip() -> None:
    assert wire_from_e164("+499411234567") == "+49-941-1234567"
    assert e164_from_wire("+49-941-1234567") == "+499411234567"
    assert wire_from_e164("not a number") is None
    assert e164_from_wire("+49-941") is None
    assert phone_problem("+49-941-1234567") is None


_REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if r in COUNTRIES)


@given(st.sampled_from(_REGIONS))
def test_example_numbers_survive_the_wire_format(region: str) -> None:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE)
    if number is None:
        return
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    wire = wire_from_e164(e164)
    assert wire is not None and phone_problem(wire) is None
    assert e164_from_wire(wire) == e164


# --- search body -----------------------------------------------------------------------


def test_search_defaults() -> None:
    assert parse_search({}) == SearchQuery(filters=(), limit=50, offset=0, orders=())


def test_search_round_trips_through_json() -> None:
    query = SearchQuery(
        filters=(
            Condition("type", "PERSON"),
            Group((Condition("city", "Berl*", "LIKE"), Condition("city", "Wien", link="OR"))),
        ),
        limit=10,
        offset=20,
        orders=(("lname", "ASC"), ("created", "DESC")),
    )
    assert parse_search(query.to_json()) == query


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"key": "alias", "value": "a", "operator": "EQUAL"}
    for _ in range(depth - 1):
        node = {"link": "AND", "filters": [node]}
    return {"filters": [node]}


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"filter": []},
        {"filters": [{"key": "password", "value": "x", "operator": "EQUAL"}]},
        {"filters": [{"key": "alias", "value": "x", "operator": "CONTAINS"}]},
        {"filters": [{"key": "alias", "value": "x", "link": "XOR"}]},
        {"filters": [{"key": "alias", "value": ["x"]}]},
        {"filters": [{"key": "alias", "value": "x", "filters": []}]},
        {"filters": "alias=x"},
        {"view": {"limit": 0}},
        {"view": {"limit": 1001}},
        {"view": {"limit": True}},
        {"view": {"offset": -1}},
        {"view": {"page": 2}},
        {"orders": [{"key": "password", "ordertype": "ASC"}]},
        {"orders": [{"key": "alias", "ordertype": "UP"}]},
        _nested(MAX_FILTER_DEPTH + 1),
        {"filters": [{"key": "alias", "value": str(i)} for i in range(MAX_FILTERS + 1)]},
    ],
)
def test_search_rejects_malformed_bodies(body: Any) -> None:
    with pytest.raises(SearchError):
        parse_search(body)


def test_search_accepts_the_deepest_allowed_nesting() -> None:
    assert parse_search(_nested(MAX_FILTER_DEPTH)).filters


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
_contact_keys = st.sampled_from(
    [*MAX_LENGTH, "type", "country", "phone", "fax", "address", "comment"]
)


@given(st.dictionaries(_contact_keys, _json, max_size=8))
def test_contact_rules_never_crash_on_arbitrary_json(contact: dict[str, Any]) -> None:
    for problem in contact_problems(contact):
        assert problem.field and problem.code.value.startswith("EF")
    same_contact_key(contact)


@given(_json)
def test_search_parser_raises_only_search_errors(body: Any) -> None:
    with contextlib.suppress(SearchError):
        parse_search(body)
