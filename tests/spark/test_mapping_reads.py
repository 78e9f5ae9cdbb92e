"""The fast Spark read path returns exactly what the plain one did (`reference_mapping.py`).

Every seeded sandbox contact, as each kind of read shows it, goes through the production
decode (`client._decode`) and both mappings; then malformed attributes, one at a time and
in random mixes, must give the same record or the same error (`tests.read_equivalence`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.model import ContactRecord
from providers.spark.adapter import _select
from providers.spark.attributes import FIELD_ATTRIBUTES
from providers.spark.client import _decode
from providers.spark.reading import _TEXT_ATTRIBUTES, _expect_fields, record_from_spark
from providers.spark.sandbox_data import SparkStore
from providers.spark.sandbox_records import StoredContact
from providers.spark.sandbox_render import View, render
from providers.spark.types import Expansion
from tests.read_equivalence import JSON_VALUES, ODD_VALUES, assert_same_outcome
from tests.spark import reference_mapping

JSON_HEADERS = {"Content-Type": "application/json"}
ALL_EXPANSIONS = tuple(e.value for e in Expansion)
REGIONS = ("US", None, "DE")
PAGE_FIELDS = frozenset(
    {"native_id", "display_name", "given_name", "family_name", "organization", "position"}
    | {"emails", "phones", "addresses", "created_at", "updated_at", "tags", "record_status"}
)
"""The unified fields of the s2 benchmark page: its reads carry a `_select`."""


def assert_same(raw: Mapping[str, Any], expansions: frozenset[str], region: str | None) -> None:
    assert_same_outcome(
        lambda: record_from_spark(raw, expansions, region),
        lambda: reference_mapping.record_from_spark(raw, expansions, region),
    )


def seeded_contacts(seed: int) -> tuple[SparkStore, list[StoredContact]]:
    store = SparkStore(seed=seed)
    return store, [*store.contacts.values(), *store.self_contacts.values()]


def views(store: SparkStore) -> Iterator[tuple[str, View, frozenset[str]]]:
    now, counts = store.reference_time, store.email_counts()
    page_select = frozenset(_select(PAGE_FIELDS) or ())
    assert "DisplayName" in page_select
    yield "all attributes", View(None, (), False, now), frozenset()
    yield "page of 15 fields", View(page_select, (), False, now), frozenset()
    for single in (False, True):
        yield (
            "all expansions",
            View(None, ALL_EXPANSIONS, single, now, counts),
            frozenset(ALL_EXPANSIONS),
        )
    for expansion in ALL_EXPANSIONS:
        yield expansion, View(page_select, (expansion,), True, now, counts), frozenset({expansion})


def served_results(rendered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contacts as the adapter gets them: JSON bytes through the client's decoding."""
    body = json.dumps({"D": {"Success": True, "Results": rendered}}).encode()
    return _decode(200, JSON_HEADERS, body).results


def test_every_seeded_contact_maps_as_before() -> None:
    store, contacts = seeded_contacts(7)
    compared = 0
    for _, view, expansions in views(store):
        for raw in served_results([render(c, view) for c in contacts]):
            for region in REGIONS:
                assert_same(raw, expansions, region)
                compared += 1
    assert compared >= 300 * 3 * (4 + len(ALL_EXPANSIONS))


def test_seeded_contacts_carry_what_the_fast_path_skips_when_absent() -> None:
    """The seeded data exercises every branch: secondary and invalid emails, both address
    kinds, mobile regions, tags, salutations and notes (else the comparison proves little)."""
    _, contacts = seeded_contacts(7)
    attrs = [c.attrs for c in contacts]
    for key in ("SecondaryEmails", "InvalidEmails", "Tags"):
        assert any(a.get(key) for a in attrs), key
    for key in ("HomeStreetAddress", "WorkLocality", "MobilePhoneCountryCode", "Salutation"):
        assert any(a.get(key) for a in attrs), key
    assert any(c.notes for c in contacts)
    assert any(c.portal is not None for c in contacts)


@cache
def full_contact() -> dict[str, Any]:
    """A contact with every attribute and expansion, a portal and notes (never mutated)."""
    store, contacts = seeded_contacts(7)
    view = View(None, ALL_EXPANSIONS, True, store.reference_time, store.email_counts())
    with_portal = next(c for c in contacts if c.portal is not None and c.notes)
    return served_results([render(with_portal, view)])[0]


def test_each_attribute_malformed_maps_as_before() -> None:
    base = full_contact()
    keys = sorted({*base, *_TEXT_ATTRIBUTES, *(a for v in FIELD_ATTRIBUTES.values() for a in v)})
    for key in keys:
        for value in ODD_VALUES:
            for region in ("US", None):
                assert_same({**base, key: value}, frozenset(ALL_EXPANSIONS), region)
        assert_same({k: v for k, v in base.items() if k != key}, frozenset(), "US")


def test_malformed_expansion_items_map_as_before() -> None:
    """Nested shapes: a bad daily date raises (before and now), other oddities read as empty."""
    base = full_contact()
    for value in ODD_VALUES:
        items = [{"Date": value, "Score": value, "RelativeScore": value}, value]
        assert_same({**base, "DailyActivity": items}, frozenset(), "US")
        assert_same(
            {**base, "Activity": {"Score": value, "RelativeScore": value}}, frozenset(), "US"
        )
        notes = [{"Id": value, "Note": value, "CreatedTimestamp": value}, value]
        assert_same({**base, "Notes": notes}, frozenset(), "US")
        portal = {"Id": value, "Username": value, "Enabled": value, "LastLoginTimestamp": value}
        assert_same({**base, "Portal": portal}, frozenset(), "US")
        assert_same({**base, "Settings": {"ReverseProspecting": value}}, frozenset(), "US")


SPARK_KEYS = st.sampled_from(
    sorted({*_TEXT_ATTRIBUTES, *full_contact(), "Id", "LastListingEventTimestamp"})
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.dictionaries(SPARK_KEYS, JSON_VALUES, max_size=6), region=st.sampled_from(REGIONS)
)
def test_random_malformed_contacts_map_as_before(
    changes: dict[str, Any], region: str | None
) -> None:
    assert_same({**full_contact(), **changes}, frozenset(ALL_EXPANSIONS), region)


def test_a_moved_record_field_fails_at_import_not_in_a_wrong_slot() -> None:
    with pytest.raises(TypeError, match="ContactRecord fields changed"):
        _expect_fields(ContactRecord, ("native_id", "provider"))
