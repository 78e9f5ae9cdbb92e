"""Stamping a record with its freshness keeps every other field as it was."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

from providers.model import (
    Address,
    ContactRecord,
    Email,
    Freshness,
    Phone,
    PhoneKind,
    ProviderName,
    Salutation,
    with_freshness,
)
from providers.spark.types import SparkExtras

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_with_freshness_equals_replace_on_a_record_with_every_field_set() -> None:
    record = ContactRecord(
        provider=ProviderName.SPARK,
        native_id="n1",
        display_name="d",
        salutation=Salutation.MS,
        title="t",
        given_name="g",
        middle_name="m",
        family_name="f",
        organization="o",
        position="p",
        emails=(Email("e@example.org"),),
        phones=(Phone(PhoneKind.HOME, "1"),),
        addresses=(Address(locality="l"),),
        created_at=AT,
        updated_at=AT.replace(hour=10),
        extras=SparkExtras(note="n"),
        expansions_loaded=frozenset({"Notes"}),
        freshness=Freshness(from_cache=True, fetched_at=AT),
    )
    unset = ContactRecord(provider=ProviderName.IS24, native_id="n2")
    assert all(getattr(record, f.name) != getattr(unset, f.name) for f in fields(record))
    stamp = Freshness(from_cache=False, fetched_at=AT.replace(hour=11), stale=True)
    assert with_freshness(record, stamp) == replace(record, freshness=stamp)
    assert with_freshness(record, None) == replace(record, freshness=None)
