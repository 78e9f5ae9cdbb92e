"""The fast AutoDNS read path returns exactly what the plain one did (`reference_mapping.py`).

Every seeded sandbox handle, as a search returns it, goes through both mappings; then
malformed fields, one at a time and in random mixes, must give the same record or the
same error (`tests.read_equivalence`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.autodns.mapping import record_from_autodns
from providers.autodns.sandbox_data import ContactStore
from tests.autodns import reference_mapping
from tests.read_equivalence import JSON_VALUES, ODD_VALUES, assert_same_outcome

STIDS = ("20240101-app1-1", None)


def assert_same(raw: Mapping[str, Any], stid: str | None) -> None:
    assert_same_outcome(
        lambda: record_from_autodns(raw, stid),
        lambda: reference_mapping.record_from_autodns(raw, stid),
    )


@cache
def seeded_handles() -> tuple[dict[str, Any], ...]:
    """Every seeded handle as the API returns it (JSON round trip; never mutated)."""
    store = ContactStore(seed=7, contact_count=300)
    return tuple(json.loads(json.dumps([c.to_json() for c in store.contacts.values()])))


def test_every_seeded_handle_maps_as_before() -> None:
    handles = seeded_handles()
    assert len(handles) >= 300
    assert {h.get("type") for h in handles} >= {"PERSON", "ORG"}
    assert any("fax" in h for h in handles) and any("address" in h for h in handles)
    for raw in handles:
        for stid in STIDS:
            assert_same(raw, stid)


FIELDS = sorted(
    {*seeded_handles()[0], "fax", "state", "sip", "title", "organization", "domainsafe"}
)


def test_each_field_malformed_maps_as_before() -> None:
    base = seeded_handles()[0]
    for key in FIELDS:
        for value in ODD_VALUES:
            assert_same({**base, key: value}, STIDS[0])
        assert_same({k: v for k, v in base.items() if k != key}, None)


@settings(max_examples=250, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6))
def test_random_malformed_handles_map_as_before(changes: dict[str, Any]) -> None:
    assert_same({**seeded_handles()[1], **changes}, STIDS[0])
