"""The fast IS24 read path returns exactly what the plain one did (`reference_mapping.py`).

Every seeded sandbox contact, as IS24 serves it (XML through the client's codec), goes
through both mappings; then malformed fields, one at a time and in random mixes, must give
the same record or the same error (`tests.read_equivalence`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.is24 import rules
from providers.is24.mapping import NUMBER_FIELDS, record_from_is24
from providers.is24.sandbox_data import Is24Store, read_view
from providers.is24.xml_codec import ContactDoc, contact_list_from_xml, contact_list_to_xml
from tests.is24 import reference_mapping
from tests.read_equivalence import JSON_VALUES, ODD_VALUES, assert_same_outcome


def assert_same(doc: Mapping[str, Any]) -> None:
    assert_same_outcome(
        lambda: record_from_is24(doc), lambda: reference_mapping.record_from_is24(doc)
    )


@cache
def seeded_documents() -> tuple[ContactDoc, ...]:
    """Every seeded contact as a list read returns it (never mutated)."""
    store = Is24Store(contact_count=120)
    views = [read_view(i, doc) for user in store.contacts for i, doc in store.of(user).items()]
    return tuple(contact_list_from_xml(contact_list_to_xml(views), max_bytes=10**7))


def test_every_seeded_contact_maps_as_before() -> None:
    documents = seeded_documents()
    assert len(documents) >= 120
    assert any(rules.parts_given(d, "phoneNumber") for d in documents)
    assert any("cellPhoneNumber" in d for d in documents) and any("address" in d for d in documents)
    for doc in documents:
        assert_same(doc)


FIELDS = sorted(
    {
        *seeded_documents()[0],
        *(f for name in NUMBER_FIELDS for f in (name, *rules.part_fields(name))),
        *("title", "additionName", "secondaryEmail", "officeHours", "homepageUrl"),
        *("externalId", "clickOutUrl", "countryCode", "company", "position", "address"),
    }
)


def test_each_field_malformed_maps_as_before() -> None:
    base = seeded_documents()[0]
    for key in FIELDS:
        for value in ODD_VALUES:
            assert_same({**base, key: value})
        assert_same({k: v for k, v in base.items() if k != key})


@settings(max_examples=250, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6))
def test_random_malformed_documents_map_as_before(changes: dict[str, Any]) -> None:
    assert_same({**seeded_documents()[1], **changes})
