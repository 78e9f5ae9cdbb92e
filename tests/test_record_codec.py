"""The cache's record codec: pages come back equal to what was stored, whatever extras
their records carry, and anything else is a miss (CacheDecodeError), never a guess."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from gateway.record_codec import CacheDecodeError, decode_page, decode_records, encode_page
from providers.autodns.types import AccountRef, AutoDnsExtras
from providers.model import ContactPage, ContactRecord, Email, Freshness, ProviderName
from providers.spark.types import Activity, DailyActivity, Note, RecordStatus, SparkExtras

PLUS_TWO = timezone(timedelta(hours=2))
SPARK = ContactRecord(
    ProviderName.SPARK,
    "1",
    display_name="Ada Example",
    emails=(Email("ada@example.org"),),
    created_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    extras=SparkExtras(
        record_status=RecordStatus.CONNECTED,
        tags=("Buyer", "Investor"),
        portal_invitation_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=PLUS_TWO),
        activity=Activity(3, 0.5, (DailyActivity(date(2024, 1, 1), 2, 0.25),)),
        notes=(Note("n1", "Call back", None),),
    ),
    expansions_loaded=frozenset({"Activity", "Notes"}),
)
AUTODNS = ContactRecord(
    ProviderName.AUTODNS, "2", extras=AutoDnsExtras(alias="al", owner=AccountRef(4, "user"))
)
BARE = ContactRecord(ProviderName.SPARK, "3", display_name="No Extras")


@pytest.mark.parametrize(
    "records",
    [(SPARK, BARE, replace(SPARK, native_id="4")), (SPARK, AUTODNS, BARE), (BARE,), ()],
    ids=["one extras type", "mixed extras types", "no extras", "empty"],
)
def test_a_page_round_trips_with_its_extras_and_time_offsets(
    records: tuple[ContactRecord, ...],
) -> None:
    page = ContactPage(records, total=42, offset=7)
    back = decode_page(encode_page(page))
    assert back == page
    for stored, original in zip(back.records, records, strict=True):
        assert type(stored.extras) is type(original.extras)
        assert stored.created_at == original.created_at
    if records and isinstance(records[0].extras, SparkExtras):
        stamped = back.records[0].extras
        assert isinstance(stamped, SparkExtras) and stamped.portal_invitation_at is not None
        assert stamped.portal_invitation_at.utcoffset() == timedelta(hours=2)


def test_a_page_does_not_keep_where_an_earlier_answer_came_from() -> None:
    served = replace(SPARK, freshness=Freshness(True, datetime.now(UTC), stale=True))
    back = decode_page(encode_page(ContactPage((served, BARE), 2, 0)))
    assert back.records == (SPARK, BARE)


@pytest.mark.parametrize(
    "raw",
    [
        b'["page/2",1,0,"NotAnExtrasType",[{"provider":"SPARK","native_id":"1"}]]',
        b'["page/2",1,0,null,[{"provider":"SPARK","native_id":"1","extras":{"tags":[]}}]]',
        b'["page/2",1,0,["SparkExtras","SparkExtras"],[{"provider":"SPARK","native_id":"1"}]]',
        b'["page/2",1,0,"SparkExtras",[{"provider":"SPARK","native_id":"1","extras":{"tags":3}}]]',
        b'[1,0,[[{"provider":"SPARK","native_id":"1"},null,null]]]',
        b"not json",
    ],
    ids=["unknown type", "extras not announced", "type count", "wrong field", "old layout", "junk"],
)
def test_anything_but_a_page_in_this_layout_is_a_miss(raw: bytes) -> None:
    with pytest.raises(CacheDecodeError):
        decode_page(raw)


def test_record_lists_keep_the_layout_the_idempotency_ledger_stored() -> None:
    """The ledger keeps a write's result for a day in this layout: it must still read."""
    raw = (
        b'[[{"provider":"SPARK","native_id":"9","display_name":"Kept","salutation":null,'
        b'"title":null,"given_name":null,"middle_name":null,"family_name":null,'
        b'"organization":null,"position":null,"emails":[],"phones":[],"addresses":[],'
        b'"created_at":null,"updated_at":null,"extras":null,"expansions_loaded":[],'
        b'"freshness":null},"SparkExtras",{"tags":["Buyer"]}]]'
    )
    (record,) = decode_records(raw)
    assert record.display_name == "Kept"
    assert record.extras == SparkExtras(tags=("Buyer",))
