"""SparkQL parser and evaluator: syntax, typing, limits, matching rules, and robustness."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.spark.sparkql import (
    And,
    Comparison,
    Not,
    Op,
    Or,
    SparkQLError,
    matches,
    parse_filter,
)

NEDDY = {"DisplayName": "Neddy Nederlander", "Tags": ["IDX Lead", "Buyer"]}


def quote(value: str) -> str:
    return "'" + value.replace("'", "\\'") + "'"


def error_of(text: str) -> SparkQLError:
    with pytest.raises(SparkQLError) as caught:
        parse_filter(text)
    return caught.value


# ---------------------------------------------------------------- parsing


def test_one_comparison_parses_to_a_typed_node() -> None:
    assert parse_filter("PrimaryEmail Eq 'a@example.com'") == Comparison(
        "PrimaryEmail", Op.EQ, ("a@example.com",)
    )


def test_precedence_is_not_then_and_then_or() -> None:
    node = parse_filter("GivenName Eq 'a' Or Not GivenName Eq 'b' And FamilyName Eq 'c'")
    assert isinstance(node, Or)
    assert node.operands[0] == Comparison("GivenName", Op.EQ, ("a",))
    second = node.operands[1]
    assert isinstance(second, And)
    assert isinstance(second.operands[0], Not)


def test_parentheses_group() -> None:
    node = parse_filter("(GivenName Eq 'a' Or GivenName Eq 'b') And FamilyName Eq 'c'")
    assert isinstance(node, And)
    assert isinstance(node.operands[0], Or)


def test_double_negation_cancels() -> None:
    assert parse_filter("Not Not Id Eq '1'") == Comparison("Id", Op.EQ, ("1",))


def test_value_lists_and_literals() -> None:
    node = parse_filter("Tags Eq 'Buyer','Seller'")
    assert node == Comparison("Tags", Op.EQ, ("Buyer", "Seller"))
    when = parse_filter("ModificationTimestamp Bt 2025-01-01,2026-01-01T10:00:00+02:00")
    assert isinstance(when, Comparison)
    assert when.values[0] == date(2025, 1, 1)
    assert when.values[1] == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert parse_filter("VowActive Eq true") == Comparison("VowActive", Op.EQ, (True,))


def test_naive_timestamp_is_utc() -> None:
    node = parse_filter("CreatedTimestamp Gt 2026-01-01T00:00:00")
    assert isinstance(node, Comparison)
    assert node.values == (datetime(2026, 1, 1, tzinfo=UTC),)


def test_escaped_quote_is_the_only_escape() -> None:
    expected = Comparison("FamilyName", Op.EQ, ("O'Brien",))
    assert parse_filter(r"FamilyName Eq 'O\'Brien'") == expected
    assert error_of(r"FamilyName Eq 'O\nBrien'").code == 1040
    assert error_of(r"FamilyName Eq 'O\\Brien'").code == 1040


def test_hostile_value_stays_one_string() -> None:
    node = parse_filter("PrimaryEmail Eq " + quote("x' Or Id Ne '"))
    assert node == Comparison("PrimaryEmail", Op.EQ, ("x' Or Id Ne '",))


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("", ""),
        ("GivenName", ""),
        ("GivenName Eq", ""),
        ("GivenName Is 'a'", "Is"),
        ("GivenName Eq 'a", "'a"),
        ("GivenName Eq 'a' And", ""),
        ("(GivenName Eq 'a'", ""),
        ("GivenName Eq 'a')", ")"),
        ("GivenName Eq 'a' GivenName Eq 'b'", "GivenName"),
        ("GivenName eq 'a'", "eq"),
        ("GivenName Eq 'a' and FamilyName Eq 'b'", "and"),
        ("GivenName Eq a", "a"),
        ("GivenName Eq 'a',", ""),
        ("GivenName Eq 12", "12"),
        ("CreatedTimestamp Gt 2026-13-01", "2026-13-01"),
        ("CreatedTimestamp Gt 2026-01-01x", "2026-01-01x"),
        ("CreatedTimestamp Gt 'yesterday'", "yesterday"),
        ("CreatedTimestamp Bt 2026-01-01", "CreatedTimestamp"),
        ("CreatedTimestamp Bt 2025-01-01,2025-02-01,2025-03-01", "CreatedTimestamp"),
        ("VowActive Eq 'yes'", "yes"),
        ("VowActive Gt true", "VowActive"),
        ("GivenName Eq 'a' ; drop", ";"),
    ],
)
def test_syntax_errors_are_1040(text: str, token: str) -> None:
    error = error_of(text)
    assert (error.code, error.token) == (1040, token)


@pytest.mark.parametrize("field", ["Note", "RecordStatus", "OwnerId", "SecondaryEmails", "City"])
def test_unsearchable_or_unknown_fields_are_1040(field: str) -> None:
    error = error_of(f"{field} Eq 'x'")
    assert (error.code, error.token) == (1040, field)


def test_portal_login_name_refuses_wildcards() -> None:
    assert error_of("PortalLoginName Eq 'ned*'").code == 1040
    assert error_of("PortalLoginName Gt 'ned'").code == 1040
    assert parse_filter("PortalLoginName Eq 'ned_1234'") == Comparison(
        "PortalLoginName", Op.EQ, ("ned_1234",)
    )


# ---------------------------------------------------------------- limits


def chain(count: int) -> str:
    return " Or ".join(f"GivenName Eq 'n{i}'" for i in range(count))


def test_75_expressions_pass_76_are_1041() -> None:
    parse_filter(chain(75))
    assert error_of(chain(76)).code == 1041


def test_depth_two_passes_three_is_1041() -> None:
    parse_filter("((GivenName Eq 'a') Or GivenName Eq 'b')")
    error = error_of("(((GivenName Eq 'a')))")
    assert (error.code, error.token) == (1041, "(")


def test_absurd_depth_stops_early_with_1041() -> None:
    assert error_of("(" * 5000 + "GivenName Eq 'a'" + ")" * 5000).code == 1041


def test_200_values_pass_201_are_1041() -> None:
    values = ",".join(f"'v{i}'" for i in range(201))
    parse_filter("Tags Eq " + values.rsplit(",", 1)[0])
    assert error_of("Tags Eq " + values).code == 1041


def test_syntax_errors_win_over_limits() -> None:
    assert error_of(chain(80) + " Or").code == 1040


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DisplayName Eq 'Neddy*'", True),
        ("DisplayName Eq 'Neder*'", True),
        ("DisplayName Eq 'neddy*'", True),
        ("DisplayName Eq '*lander'", True),
        ("DisplayName Eq 'Nederlander'", False),
        ("DisplayName Eq 'neddy nederlander'", True),
        ("DisplayName Eq 'Ned* Neder*'", True),
        ("DisplayName Eq 'Neder* Neddy*'", False),
        ("DisplayName Eq 'Neddy'", False),
        ("DisplayName Ne 'Neddy*'", False),
        ("DisplayName Eq 'Smith*','Neddy*'", True),
    ],
)
def test_display_name_wildcard_rule(text: str, expected: bool) -> None:
    assert matches(parse_filter(text), NEDDY) is expected


def test_other_text_fields_match_the_whole_value() -> None:
    contact = {"HomeLocality": "Fort Collins"}
    assert matches(parse_filter("HomeLocality Eq 'Fort*'"), contact)
    assert not matches(parse_filter("HomeLocality Eq 'Coll*'"), contact)
    assert matches(parse_filter("HomeLocality Eq '*coll*'"), contact)


def test_list_attributes_match_any_element() -> None:
    assert matches(parse_filter("Tags Eq 'buyer'"), NEDDY)
    assert matches(parse_filter("Tags Eq 'Seller','IDX*'"), NEDDY)
    assert not matches(parse_filter("Tags Eq 'Seller'"), NEDDY)
    assert matches(parse_filter("Tags Ne 'Seller'"), NEDDY)
    assert not matches(parse_filter("Tags Ne 'Buyer'"), NEDDY)
    assert not matches(parse_filter("Tags Eq 'Buyer'"), {"Tags": []})


def test_null_fails_all_but_ne() -> None:
    contact = {"Organization": None}
    assert not matches(parse_filter("Organization Eq '*'"), contact)
    assert not matches(parse_filter("Organization Gt 'a'"), contact)
    assert matches(parse_filter("Organization Ne 'Acme'"), contact)


def test_string_ranges_are_case_insensitive() -> None:
    contact = {"FamilyName": "garcia"}
    assert matches(parse_filter("FamilyName Gt 'F'"), contact)
    assert matches(parse_filter("FamilyName Bt 'G','GZ'"), contact)
    assert not matches(parse_filter("FamilyName Lt 'GARCIA'"), contact)
    assert matches(parse_filter("FamilyName Le 'GARCIA'"), contact)


def test_timestamps_compare_by_moment_or_by_utc_date() -> None:
    contact = {"ModificationTimestamp": "2025-12-31T23:30:00-01:00"}  # 2026-01-01T00:30Z
    assert matches(parse_filter("ModificationTimestamp Eq 2026-01-01"), contact)
    assert matches(parse_filter("ModificationTimestamp Ge 2026-01-01T00:30:00Z"), contact)
    assert not matches(parse_filter("ModificationTimestamp Gt 2026-01-01T00:30:00Z"), contact)
    assert matches(parse_filter("ModificationTimestamp Bt 2025-12-31,2026-01-01"), contact)
    assert not matches(parse_filter("ModificationTimestamp Lt 2026-01-01"), contact)


def test_booleans_and_connectives() -> None:
    contact = {"VowActive": True, "GivenName": "Rod"}
    assert matches(parse_filter("VowActive Eq true And GivenName Eq 'rod'"), contact)
    assert matches(parse_filter("VowActive Eq false Or Not GivenName Eq 'Todd'"), contact)
    assert not matches(parse_filter("VowActive Ne true"), contact)


# ---------------------------------------------------------------- properties

_SAFE_TEXT = st.text(st.characters(exclude_characters="\\", exclude_categories=["Cs"]))


@settings(max_examples=300, deadline=None)
@given(value=_SAFE_TEXT)
def test_any_quoted_string_is_one_comparison_with_the_same_value(value: str) -> None:
    node = parse_filter("PrimaryEmail Eq " + quote(value))
    assert node == Comparison("PrimaryEmail", Op.EQ, (value,))


@settings(max_examples=300, deadline=None)
@given(value=_SAFE_TEXT)
def test_a_quoted_string_matches_itself_exactly(value: str) -> None:
    node = parse_filter("PrimaryEmail Eq " + quote(value.replace("*", "")))
    assert matches(node, {"PrimaryEmail": value.replace("*", "")})


_FRAGMENTS = st.sampled_from(
    ["GivenName", "Tags", "Eq", "Ne", "Bt", "And", "Or", "Not", "(", ")", ",", "'a'", "'",
     "\\'", "true", "2026-01-01", "12", "*", " ", "VowActive", "Note", "\\", "\n"]
)  # fmt: skip
_GARBAGE = st.one_of(
    st.text(), st.lists(_FRAGMENTS).map(" ".join), st.lists(_FRAGMENTS).map("".join)
)


@settings(max_examples=500, deadline=None)
@given(text=_GARBAGE)
def test_garbage_raises_only_sparkql_errors(text: str) -> None:
    try:
        node = parse_filter(text)
    except SparkQLError as error:
        assert error.code in (1040, 1041)
        return
    matches(node, NEDDY)
