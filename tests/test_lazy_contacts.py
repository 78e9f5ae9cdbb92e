"""Lazy contact objects: each field read from the record equals what the record says."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime

import pytest
import strawberry
from strawberry.types.base import get_object_definition

from providers.autodns.types import AccountRef, AutoDnsExtras
from providers.is24.types import Is24Extras
from providers.model import (
    Address,
    AddressKind,
    ContactRecord,
    Email,
    EmailKind,
    Freshness,
    Phone,
    PhoneKind,
    ProviderName,
)
from providers.spark.types import RecordStatus, SparkExtras
from schema import contact as schema_contact
from schema.autodns import DomainContact, DomainContactAccount
from schema.contact import ServedFrom
from schema.convert import contact_object
from schema.ids import encode_global_id
from schema.is24 import RealtorContact
from schema.lazy import MissingReader, lazy_contact_type
from schema.spark import SparkContact

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _record(provider: ProviderName, extras: object | None) -> ContactRecord:
    return ContactRecord(
        provider=provider,
        native_id="42",
        display_name="Ada Example",
        given_name="Ada",
        family_name="Example",
        emails=(Email("ada@example.org", EmailKind.PRIMARY, True, False),),
        phones=(Phone(PhoneKind.MOBILE, "030 1234", "+49301234", "+49", "30", "1234"),),
        addresses=(Address(AddressKind.HOME, ("Main St 1",), None, "10115", "Berlin"),),
        created_at=AT,
        extras=extras,  # type: ignore[arg-type]
        freshness=Freshness(from_cache=True, fetched_at=AT, stale=True),
    )


def test_unified_fields_are_read_from_the_record() -> None:
    obj = contact_object(_record(ProviderName.SPARK, None))
    assert isinstance(obj, SparkContact)
    assert obj.id == encode_global_id(ProviderName.SPARK, "42")
    assert (obj.provider, obj.native_id, obj.display_name) == (
        ProviderName.SPARK,
        "42",
        "Ada Example",
    )
    assert [(e.address, e.kind, e.receives_notifications, e.deliverable) for e in obj.emails] == [
        ("ada@example.org", EmailKind.PRIMARY, True, False)
    ]
    assert [p.e164 for p in obj.phones] == ["+49301234"]
    assert list(obj.addresses[0].street_lines) == ["Main St 1"]
    assert obj.addresses[0].locality == "Berlin"
    assert obj.created_at == AT and obj.updated_at is None
    assert obj.freshness == schema_contact.Freshness(
        served_from=ServedFrom.CACHE, fetched_at=AT, stale=True
    )


@pytest.mark.parametrize(
    ("graphql_type", "model_type"),
    [
        (schema_contact.Email, Email),
        (schema_contact.Phone, Phone),
        (schema_contact.Address, Address),
    ],
)
def test_the_model_value_objects_carry_every_field_their_graphql_type_reads(
    graphql_type: type, model_type: type
) -> None:
    """Records serve their emails, phones and addresses as the GraphQL objects."""
    definition = get_object_definition(graphql_type, strict=True)
    model_fields = {f.name for f in dataclass_fields(model_type)}
    assert all(f.base_resolver is None for f in definition.fields)
    assert {f.python_name for f in definition.fields} <= model_fields


def test_provider_fields_come_from_the_extras_or_their_defaults() -> None:
    spark = contact_object(
        _record(
            ProviderName.SPARK, SparkExtras(tags=("a", "b"), record_status=RecordStatus.CONNECTED)
        )
    )
    assert isinstance(spark, SparkContact)
    assert spark.tags == ["a", "b"] and spark.record_status is RecordStatus.CONNECTED
    bare = contact_object(_record(ProviderName.SPARK, None))
    assert isinstance(bare, SparkContact)
    assert bare.tags == [] and bare.record_status is None

    realtor = contact_object(_record(ProviderName.IS24, Is24Extras(company="ACME")))
    assert isinstance(realtor, RealtorContact) and realtor.company == "ACME"

    owner = AccountRef(user="u1", context=4)
    domain = contact_object(_record(ProviderName.AUTODNS, AutoDnsExtras(owner=owner, stid="s-1")))
    assert isinstance(domain, DomainContact)
    assert domain.owner == DomainContactAccount(context=4, user="u1")
    assert domain.updater is None and domain.last_stid == "s-1"


def test_a_record_with_foreign_extras_reads_as_empty_extras() -> None:
    obj = contact_object(_record(ProviderName.SPARK, Is24Extras(company="ACME")))
    assert isinstance(obj, SparkContact) and obj.tags == [] and obj.note is None


def test_the_schema_resolves_a_lazy_object_to_its_type() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def contact(self) -> schema_contact.Contact:
            return contact_object(_record(ProviderName.IS24, Is24Extras(company="ACME")))

    schema = strawberry.Schema(query=Query, types=[SparkContact, RealtorContact, DomainContact])
    result = schema.execute_sync(
        "{ contact { __typename nativeId ... on RealtorContact { company } } }"
    )
    assert result.errors is None
    assert result.data == {
        "contact": {"__typename": "RealtorContact", "nativeId": "42", "company": "ACME"}
    }


def test_a_field_without_a_reader_is_refused_when_the_type_is_built() -> None:
    with pytest.raises(MissingReader, match=r"DomainContact\.alias has no reader"):
        lazy_contact_type(DomainContact, SparkExtras)
    with pytest.raises(MissingReader, match="no_such_field"):
        lazy_contact_type(SparkContact, SparkExtras, {"no_such_field": lambda extras: None})
