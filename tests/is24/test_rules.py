"""The documented IS24 field rules, the duplicate decision and the profile-page limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import IssueCode
from providers.is24 import rules
from providers.is24.xml_codec import ContactDoc, FieldValue

from .conftest import minimal


def fields_of(problems: list[rules.Problem]) -> list[str]:
    return [problem.field for problem in problems]


def parts(kind: str, cc: str, area: str, sub: str) -> dict[str, FieldValue]:
    cc_field, area_field, sub_field = rules.part_fields(kind)
    return {cc_field: cc, area_field: area, sub_field: sub}


def test_a_minimal_contact_is_valid() -> None:
    assert rules.field_problems(minimal()) == []


@pytest.mark.parametrize("value", [None, "", "   "])
@pytest.mark.parametrize("field", ["lastname", "email"])
def test_lastname_and_email_are_mandatory(field: str, value: str | None) -> None:
    doc = minimal()
    if value is None:
        del doc[field]
    else:
        doc[field] = value
    [problem] = rules.field_problems(doc)
    assert (problem.field, problem.code, problem.issue) == (
        field,
        rules.NOT_VALID,
        IssueCode.REQUIRED,
    )
    assert field in problem.message


KINDS = rules.NUMBER_KINDS


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("cc", "area", "sub"),
    [
        ("+49", "30", "24301999"),
        ("+49", "170", "2430 1999"),
        ("+43", "01", "5123"),
        ("+1", "212", "5550100"),
    ],
)
def test_valid_parts(kind: str, cc: str, area: str, sub: str) -> None:
    assert rules.field_problems(minimal(**parts(kind, cc, area, sub))) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("cc", "area", "sub", "bad", "text"),
    [
        ("0049", "30", "24301999", "CountryCode", "'00' is not allowed"),
        ("49", "30", "24301999", "CountryCode", "'+'"),
        ("+0", "30", "24301999", "CountryCode", "'+'"),
        ("+ 49", "30", "24301999", "CountryCode", "'+'"),
        ("+49", "030", "24301999", "AreaCode", "may not start with 0"),
        ("+49", "3 0", "2430-1999", "Subscriber", "single spaces"),
        ("+49", "30", "2430  1999", "Subscriber", "single spaces"),
        ("+49", "30", " 24301999", "Subscriber", "single spaces"),
        ("+49", "30/", "24301999", "AreaCode", "single spaces"),
        ("+49", "30", "2430\t1999", "Subscriber", "single spaces"),
    ],
)
def test_invalid_parts(kind: str, cc: str, area: str, sub: str, bad: str, text: str) -> None:
    [problem] = rules.field_problems(minimal(**parts(kind, cc, area, sub)))
    assert problem.field == f"{kind}{bad}"
    assert problem.code == rules.NOT_VALID
    assert text in problem.message and problem.field in problem.message


@pytest.mark.parametrize("kind", KINDS)
def test_parts_go_together(kind: str) -> None:
    cc_field, area_field, sub_field = rules.part_fields(kind)
    problems = rules.field_problems(minimal(**{area_field: "30"}))
    assert sorted(fields_of(problems)) == sorted([cc_field, sub_field])
    assert {p.issue for p in problems} == {IssueCode.REQUIRED}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("number", ["+49 30 24301999", "+49 170 2430 1999", "+43 01 5123"])
def test_valid_complete_numbers(kind: str, number: str) -> None:
    assert rules.field_problems(minimal(**{kind: number})) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("number", "text"),
    [
        ("0049 30 24301999", "'00' is not allowed"),
        ("+49 030 24301999", "may not start with 0"),
        ("+4930 24301999", "+CC AREA SUBSCRIBER"),
        ("+49-30-24301999", "+CC AREA SUBSCRIBER"),
        ("+49 30 24301999 ", "+CC AREA SUBSCRIBER"),
        ("+49  30 24301999", "+CC AREA SUBSCRIBER"),
        ("49 30 24301999", "'+'"),
        ("+49 30", "+CC AREA SUBSCRIBER"),
    ],
)
def test_invalid_complete_numbers(kind: str, number: str, text: str) -> None:
    [problem] = rules.field_problems(minimal(**{kind: number}))
    assert problem.field == kind and text in problem.message


@pytest.mark.parametrize("kind", KINDS)
def test_a_complete_number_only_counts_without_parts(kind: str) -> None:
    doc = minimal(**parts(kind, "+49", "30", "24301999"), **{kind: "garbage"})
    assert rules.field_problems(doc) == []
    assert rules.normalised_number(doc, kind) == "+493024301999"
    assert rules.combined_number(doc, kind) == "+49 30 24301999"


def test_empty_parts_count_as_not_given() -> None:
    doc = minimal(phoneNumberCountryCode="", phoneNumber="+49 30 24301999")
    assert not rules.parts_given(doc, "phoneNumber")
    assert rules.field_problems(doc) == []


def test_salutation_and_country_code() -> None:
    doc = minimal(salutation="MR", countryCode="DE")
    assert sorted(fields_of(rules.field_problems(doc))) == ["countryCode", "salutation"]
    assert rules.field_problems(minimal(salutation="FEMALE", countryCode="DEU")) == []


# ---------------------------------------------------------------- duplicates

FULL: ContactDoc = {
    "salutation": "FEMALE",
    "firstname": "Maxine",
    "lastname": "Mustermann",
    "address": {
        "street": "Andreasstr.",
        "houseNumber": "10",
        "postcode": "10243",
        "city": "Berlin",
    },
    "countryCode": "DEU",
    "phoneNumber": "+49 30 243010001",
    "faxNumber": "+49 30 243010002",
    "cellPhoneNumber": "+49 179 24301000",
    "homepageUrl": "https://www.example.org",
    "email": "maxine@example.org",
}


def test_duplicates_ignore_case_and_whitespace() -> None:
    other: ContactDoc = {
        **FULL,
        "firstname": "  MAXINE ",
        "lastname": "mustermann",
        "address": {
            "street": "andreasstr. ",
            "houseNumber": " 10",
            "postcode": "10243",
            "city": "BERLIN",
        },
        "homepageUrl": "HTTPS://WWW.EXAMPLE.ORG",
        "email": "Maxine@Example.org",
        "title": "Dr.",  # not part of the check
    }
    assert rules.find_duplicate(other, {"1": FULL}) == "1"
    [problem] = rules.duplicate_problems(other, {"1": FULL})
    assert (problem.code, problem.existing_id, problem.issue) == (
        rules.DUPLICATE,
        "1",
        IssueCode.DUPLICATE,
    )
    assert "[1]" in problem.message


def test_inner_whitespace_runs_collapse() -> None:
    a = {**FULL, "firstname": "Anna  Lena"}
    b = {**FULL, "firstname": "anna\tlena"}
    assert rules.duplicate_key(a) == rules.duplicate_key(b)


def test_phone_in_parts_equals_the_complete_number() -> None:
    split = {k: v for k, v in FULL.items() if k != "phoneNumber"}
    split.update(parts("phoneNumber", "+49", "30", "243010001"))
    assert rules.find_duplicate(split, {"7": FULL}) == "7"


def test_missing_salutation_equals_no_salutation() -> None:
    a = minimal()
    assert rules.find_duplicate(a, {"2": minimal(salutation="NO_SALUTATION")}) == "2"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("salutation", "MALE"),
        ("firstname", "Max"),
        ("lastname", "Muster"),
        ("street", "Andreasstr. 1"),
        ("houseNumber", "11"),
        ("postcode", "10245"),
        ("city", "Potsdam"),
        ("countryCode", "AUT"),
        ("phoneNumber", "+49 30 243010009"),
        ("faxNumber", "+49 30 243010009"),
        ("cellPhoneNumber", "+49 179 24301009"),
        ("homepageUrl", "https://other.example.org"),
        ("email", "other@example.org"),
    ],
)
def test_each_key_field_distinguishes(field: str, value: str) -> None:
    other = dict(FULL)
    if field in ("street", "houseNumber", "postcode", "city"):
        address = FULL["address"]
        assert isinstance(address, dict)
        other["address"] = {**address, field: value}
    else:
        other[field] = value
    assert rules.find_duplicate(other, {"1": FULL}) is None
    assert len(rules.DUPLICATE_KEY_FIELDS) == 13


def test_an_update_is_not_its_own_duplicate() -> None:
    assert rules.find_duplicate(FULL, {"1": FULL}, exclude_id="1") is None
    assert rules.contact_problems(FULL, {"1": FULL}, contact_id="1") == []


@given(
    st.lists(st.sampled_from([" ", "\t", "  "]), min_size=2, max_size=2),
    st.booleans(),
)
def test_duplicate_key_is_blind_to_padding_and_case(pads: list[str], upper: bool) -> None:
    def vary(value: str) -> str:
        value = value.upper() if upper else value.lower()
        return f"{pads[0]}{value}{pads[1]}"

    varied = {
        k: vary(v) if isinstance(v, str) and "Number" not in k else v for k, v in FULL.items()
    }
    assert rules.duplicate_key(varied) == rules.duplicate_key(FULL)


# ---------------------------------------------------------------- profile page


def profile_contacts(count: int) -> dict[str, ContactDoc]:
    return {str(i): minimal(email=f"{i}@example.org", showOnProfilePage=True) for i in range(count)}


def test_the_twentieth_profile_page_contact_is_allowed() -> None:
    assert rules.profile_page_problems(minimal(showOnProfilePage=True), profile_contacts(19)) == []


def test_the_twenty_first_is_refused() -> None:
    [problem] = rules.profile_page_problems(minimal(showOnProfilePage=True), profile_contacts(20))
    assert (problem.field, problem.code, problem.issue) == (
        "showOnProfilePage",
        rules.NOT_VALID,
        IssueCode.LIMIT_EXCEEDED,
    )
    assert "showOnProfilePage" in problem.message


def test_updating_one_of_the_twenty_is_allowed() -> None:
    existing = profile_contacts(20)
    assert rules.profile_page_problems(existing["3"], existing, exclude_id="3") == []
    assert rules.profile_page_problems(minimal(showOnProfilePage=False), existing) == []
    assert rules.count_on_profile_page(existing.values()) == 20


def test_field_problems_come_alone() -> None:
    doc = {**FULL, "lastname": ""}
    problems = rules.contact_problems(doc, {"1": FULL})
    assert fields_of(problems) == ["lastname"]
