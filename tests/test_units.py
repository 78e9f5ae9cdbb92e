"""Pure pieces: global ids, cursors, Spark filter rendering, mapping, phones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import ValidationFailed
from providers.model import ContactFilter, ContactInput, Email, PhoneInput, PhoneKind, ProviderName
from providers.phones import parse_phone
from providers.spark import filters
from providers.spark.mapping import record_from_spark, write_from_input
from providers.spark.sparkql import Comparison as ParsedComparison
from providers.spark.sparkql import parse_filter
from providers.spark.types import SparkFilter
from resolvers.errors import GatewayError
from resolvers.paging import Position, decode_cursor, encode_cursor
from schema.ids import InvalidGlobalId, decode_global_id, encode_global_id


@given(st.sampled_from(list(ProviderName)), st.text(min_size=1, max_size=200))
def test_global_ids_round_trip(provider: ProviderName, native_id: str) -> None:
    assert decode_global_id(encode_global_id(provider, native_id)) == (provider, native_id)


@pytest.mark.parametrize("bad", ["", "!!!", "U1BBUks", "Rk9POjEy", "U1BBUks6MTI=", "x" * 2000])
def test_malformed_global_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidGlobalId):
        decode_global_id(bad)


def test_cursor_round_trip_and_forgery() -> None:
    position = Position(40, "20110101000000000000001", (1767225600.0, ("SPARK", "2011")))
    cursor = encode_cursor({ProviderName.SPARK: position})
    assert decode_cursor(cursor) == {ProviderName.SPARK: position}
    for forged in ("", "abc", cursor[:-3]):
        with pytest.raises(GatewayError):
            decode_cursor(forged)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\\"),
        min_size=1,
    )
)
def test_any_filter_value_stays_one_comparison(value: str) -> None:
    """The gateway's quoting, read back by the sandbox's SparkQL parser, is one value."""
    rendered = filters.render(filters.terms_for(ContactFilter(display_name=value)))
    assert rendered is not None
    assert parse_filter(rendered) == ParsedComparison("DisplayName", filters.Op.EQ.value, (value,))


def test_or_groups_are_parenthesised_and_timestamps_unquoted() -> None:
    flt = ContactFilter(
        city="Austin",
        updated_since=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        extras=SparkFilter(vow_active=True),
    )
    assert filters.render(filters.terms_for(flt)) == (
        "(HomeLocality Eq 'Austin' Or WorkLocality Eq 'Austin') And "
        "ModificationTimestamp Ge 2026-01-02T03:04:05Z And VowActive Eq true"
    )


def test_more_than_75_conditions_are_refused() -> None:
    terms: list[filters.Term] = [
        filters.Comparison(filters.SearchField.DISPLAY_NAME, filters.Op.EQ, (str(i),))
        for i in range(76)
    ]
    with pytest.raises(ValidationFailed) as info:
        filters.render(terms)
    assert info.value.issues[0].provider_code == "1041"


def test_spark_record_maps_to_the_unified_model() -> None:
    record = record_from_spark(
        {
            "Id": "20101012234275689500000",
            "DisplayName": "Neddy Nederlander",
            "PrimaryEmail": "n@example.org",
            "SecondaryEmails": ["a@example.org", "b@example.org"],
            "AdditionalNotificationEmails": ["b@example.org"],
            "InvalidEmails": ["a@example.org"],
            "MobilePhoneNumber": "(312) 555-0199",
            "MobilePhoneCountryCode": "US",
            "HomeStreetAddress": "1 Main St",
            "HomeLocality": "Springfield",
            "Salutation": "Mrs.",
            "ModificationTimestamp": "2026-03-04T10:11:12+00:00",
            "Tags": ["Buyer"],
        },
        frozenset(),
        "US",
    )
    assert record.native_id == "20101012234275689500000"
    assert [
        (e.address, e.kind.value, e.receives_notifications, e.deliverable) for e in record.emails
    ] == [
        ("n@example.org", "PRIMARY", True, True),
        ("a@example.org", "SECONDARY", False, False),
        ("b@example.org", "SECONDARY", True, True),
    ]
    (phone,) = record.phones
    assert (phone.kind, phone.e164, phone.area_code) == (PhoneKind.MOBILE, "+13125550199", "312")
    assert record.addresses[0].locality == "Springfield"
    assert record.salutation is not None and record.salutation.value == "MS"
    assert record.updated_at == datetime(2026, 3, 4, 10, 11, 12, tzinfo=UTC)


def test_update_sends_only_what_was_given_and_clears_replaced_lists() -> None:
    write = write_from_input(
        ContactInput(
            given_name="Ada",
            phones=(
                PhoneInput(PhoneKind.WORK, country_code="+49", area_code="30", subscriber="123456"),
            ),
        ),
        creating=False,
    )
    assert write.attributes["GivenName"] == "Ada"
    assert write.attributes["WorkPhoneNumber"] == "+49 30 123456"
    assert write.attributes["HomePhoneNumber"] is None
    assert "DisplayName" not in write.attributes
    create = write_from_input(
        ContactInput(display_name="A", emails=(Email("a@b.co"),)), creating=True
    )
    assert set(create.attributes) == {
        "DisplayName",
        "PrimaryEmail",
        "SecondaryEmails",
        "AdditionalNotificationEmails",
    }


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+49 30 24301999", None, "+493024301999"),
        ("(312) 555-0199", "US", "+13125550199"),
        ("not a number", "US", None),
    ],
)
def test_phone_parsing(raw: str, region: str | None, e164: str | None) -> None:
    parsed = parse_phone(raw, region)
    assert (parsed.e164 if parsed else None) == e164
