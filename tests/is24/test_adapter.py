"""The IS24 adapter's own decisions: mapping both ways, local filter and order, and the
sandbox refusing what slipped past the adapter's checks (the two enforce the rules alone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from providers.errors import DuplicateContact, ValidationFailed
from providers.is24 import filters
from providers.is24.adapter import Is24Provider
from providers.is24.client import Is24Client
from providers.is24.mapping import is24_number, record_from_is24, write_from_input
from providers.is24.sandbox import USERNAME, Is24Sandbox, create_is24_sandbox
from providers.is24.types import Is24ContactInput, Is24Extras, Is24Filter
from providers.is24.xml_codec import ContactDoc, FieldValue, MediaType
from providers.model import (
    UNSET,
    Address,
    AddressKind,
    ContactFilter,
    ContactInput,
    Email,
    EmailKind,
    Phone,
    PhoneInput,
    PhoneKind,
    Salutation,
    SortDirection,
    SortField,
    SortOrder,
)
from providers.sandboxing import ServedApp
from tests.contract.test_is24_contract import is24_config

# --- mapping ------------------------------------------------------------------------------

READ_DOC: ContactDoc = {
    "@id": "124309506",
    "email": "anna@example.org",
    "secondaryEmail": "office@example.org",
    "salutation": "FEMALE",
    "firstname": "Anna",
    "lastname": "Müller",
    "phoneNumberCountryCode": "+49",
    "phoneNumberAreaCode": "30",
    "phoneNumberSubscriber": "24301999",
    "phoneNumber": "+49 30 24301999",
    "faxNumber": "not a number",
    "cellPhoneNumber": "+49 171 1234567",
    "address": {
        "street": "Andreasstr.",
        "houseNumber": "10",
        "postcode": "10243",
        "city": "Berlin",
    },
    "countryCode": "DEU",
    "title": "Dr.",
    "additionName": "MBA",
    "company": "Müller Immobilien",
    "officeHours": "Mo-Fr",
    "defaultContact": True,
    "realEstateReferenceCount": 4,
    "externalId": "crm/7",
    "showOnProfilePage": False,
}


def test_a_read_document_maps_to_the_unified_record() -> None:
    record = record_from_is24(READ_DOC)
    assert record.native_id == "124309506"
    assert record.display_name == "Dr. Anna Müller MBA"
    assert record.salutation is Salutation.MS
    assert record.organization == "Müller Immobilien"
    assert record.emails == (
        Email("anna@example.org", EmailKind.PRIMARY),
        Email("office@example.org", EmailKind.SECONDARY),
    )
    assert record.phones == (
        Phone(PhoneKind.WORK, "+49 30 24301999", "+493024301999", "+49", "30", "24301999"),
        Phone(PhoneKind.MOBILE, "+49 171 1234567", "+491711234567", "+49", "171", "1234567"),
        Phone(PhoneKind.FAX, "not a number"),  # kept as IS24 holds it, no E.164
    )
    assert record.addresses == (
        Address(AddressKind.WORK, ("Andreasstr.",), "10", "10243", "Berlin", None, "DEU"),
    )
    assert record.extras == Is24Extras(
        company="Müller Immobilien",
        office_hours="Mo-Fr",
        additional_name="MBA",
        default_contact=True,
        real_estate_reference_count=4,
        external_id="crm/7",
        country_code="DEU",
    )


@pytest.mark.parametrize(
    ("is24", "unified"),
    [("MALE", Salutation.MR), ("FEMALE", Salutation.MS), ("NO_SALUTATION", Salutation.NONE)],
)
def test_salutations_map_both_ways(is24: str, unified: Salutation) -> None:
    assert record_from_is24({"salutation": is24}).salutation is unified
    assert write_from_input(ContactInput(salutation=unified)).doc == {"salutation": is24}


def test_an_input_maps_to_is24_fields() -> None:
    write = write_from_input(
        ContactInput(
            given_name="Anna",
            family_name="Müller",
            organization="Müller Immobilien",
            emails=(Email("anna@example.org"), Email("office@example.org", EmailKind.SECONDARY)),
            phones=(
                PhoneInput(PhoneKind.WORK, country_code="+49", area_code="30", subscriber="1"),
                PhoneInput(PhoneKind.FAX, number="+4930123456"),
                PhoneInput(PhoneKind.MOBILE, number="+49 171 1"),
            ),
            addresses=(Address(street_lines=("Andreasstr.",), locality="Berlin", country="DEU"),),
            extras=Is24ContactInput(external_id="crm/7", show_on_profile_page=True),
        )
    )
    assert write.doc == {
        "firstname": "Anna",
        "lastname": "Müller",
        "company": "Müller Immobilien",
        "email": "anna@example.org",
        "secondaryEmail": "office@example.org",
        "phoneNumberCountryCode": "+49",
        "phoneNumberAreaCode": "30",
        "phoneNumberSubscriber": "1",
        "faxNumber": "+49 30 123456",  # a compact E.164 number is divided the IS24 way
        "cellPhoneNumber": "+49 171 1",
        "address": {"street": "Andreasstr.", "city": "Berlin"},
        "countryCode": "DEU",
        "externalId": "crm/7",
        "showOnProfilePage": True,
    }
    assert write.paths["phoneNumberAreaCode"] == ("phones", "0", "areaCode")
    assert write.paths["faxNumber"] == ("phones", "1", "number")
    assert write.paths["countryCode"] == ("addresses", "0", "country")
    assert write.paths["address.street"] == ("addresses", "0", "streetLines", "0")


def test_an_update_is_the_current_contact_with_the_changes() -> None:
    changes = ContactInput(position="Teamleitung", title=None, phones=UNSET)
    doc = write_from_input(changes, READ_DOC).doc
    assert doc["position"] == "Teamleitung" and "title" not in doc
    assert "@id" not in doc and "realEstateReferenceCount" not in doc  # read-only
    assert "phoneNumber" not in doc  # IS24 derives it from the parts, which stay
    assert doc["phoneNumberSubscriber"] == "24301999"
    assert doc["cellPhoneNumber"] == "+49 171 1234567"
    assert doc["externalId"] == "crm/7"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+4930123456", "+49 30 123456"),
        ("+491711234567", "+49 171 1234567"),
        ("+49 30 123456", "+49 30 123456"),
        ("004930123456", "004930123456"),  # not E.164: left for the rules to refuse
        ("+49-30-123456", "+49-30-123456"),
    ],
)
def test_only_compact_e164_numbers_are_divided(number: str, expected: str) -> None:
    assert is24_number(number) == expected


# --- local filter and order ---------------------------------------------------------------


def _record(native_id: str, last: str | None, **doc: FieldValue) -> ContactDoc:
    base: ContactDoc = {"@id": native_id, "email": f"{native_id}@example.org"}
    if last is not None:
        base["lastname"] = last
    base.update(doc)
    return base


RECORDS = [
    record_from_is24(d)
    for d in (
        _record("3", "müller", cellPhoneNumber="+49 171 1234567"),
        _record("1", "Meyer", showOnProfilePage=True, externalId="a/b"),
        _record("2", None),
        _record("10", "Becker", address={"city": "Köln", "postcode": "50667"}),
    )
]


@pytest.mark.parametrize(
    ("flt", "ids"),
    [
        (ContactFilter(family_name="M*"), ["1", "3"]),
        (ContactFilter(family_name="MÜLLER"), ["3"]),
        (ContactFilter(family_name="*e*"), ["1", "10", "3"]),
        (ContactFilter(email="1*"), ["1", "10"]),
        (ContactFilter(city="köln", postal_code="506*"), ["10"]),
        (ContactFilter(phone="+491711234567"), ["3"]),
        (ContactFilter(phone="+49 171*"), ["3"]),
        (ContactFilter(ids=("2", "10", "99")), ["2", "10"]),
        (ContactFilter(tags=("VIP",)), []),
        (ContactFilter(extras=Is24Filter(show_on_profile_page=True)), ["1"]),
        (ContactFilter(extras=Is24Filter(external_id="a/b")), ["1"]),
        (ContactFilter(extras=Is24Filter(show_on_profile_page=False)), ["3", "2", "10"]),
    ],
)
def test_filters_match_locally(flt: ContactFilter, ids: list[str]) -> None:
    assert sorted(r.native_id for r in RECORDS if filters.matches(r, flt)) == sorted(ids)


def test_timestamp_filters_are_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        filters.check_filter(ContactFilter(created_since=datetime(2024, 1, 1, tzinfo=UTC)))
    assert [i.field for i in info.value.issues] == [("filter", "createdSince")]


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        ((), ["1", "10", "2", "3"]),  # by id, as text (the gateway's merge order)
        ((SortOrder(SortField.FAMILY_NAME),), ["10", "1", "3", "2"]),  # missing last
        ((SortOrder(SortField.FAMILY_NAME, SortDirection.DESC),), ["3", "1", "10", "2"]),
        ((SortOrder(SortField.UPDATED_AT, SortDirection.DESC),), ["1", "10", "2", "3"]),
    ],
)
def test_order_is_the_gateways_merge_order(order: tuple[SortOrder, ...], ids: list[str]) -> None:
    assert [r.native_id for r in filters.sort_records(RECORDS, order)] == ids


# --- the sandbox enforces the rules on its own --------------------------------------------


class StaleListClient(Is24Client):
    """A client whose list read predates every contact: the adapter's own cross-contact
    checks pass, as in a race with another writer, so only the sandbox can refuse."""

    async def list_contacts(self) -> list[ContactDoc]:
        return []


@dataclass
class Stale:
    provider: Is24Provider
    sandbox: Is24Sandbox


@pytest.fixture(params=list(MediaType))
async def stale(request: pytest.FixtureRequest) -> AsyncIterator[Stale]:
    sandbox = create_is24_sandbox()
    async with ServedApp(sandbox.app) as served:
        provider = Is24Provider(StaleListClient(is24_config(served.base_url, request.param)))
        try:
            yield Stale(provider, sandbox)
        finally:
            await provider.aclose()


def _input(email: str = "race@example.org", **extras: Any) -> ContactInput:
    return ContactInput(
        family_name="Race",
        emails=(Email(email),),
        extras=Is24ContactInput(**extras),
    )


async def test_the_sandbox_refuses_a_duplicate_the_adapter_could_not_see(stale: Stale) -> None:
    first = await stale.provider.create(_input())
    with pytest.raises(DuplicateContact) as info:
        await stale.provider.create(_input(email=" RACE@example.org"))
    assert info.value.existing_id == first.native_id
    assert info.value.provider_code == "ERROR_RESOURCE_DUPLICATE"


async def test_the_sandbox_refuses_the_21st_profile_page_contact(stale: Stale) -> None:
    docs = stale.sandbox.store.of(USERNAME)
    shown = sum(1 for d in docs.values() if d.get("showOnProfilePage") is True)
    for n in range(20 - shown):
        await stale.provider.create(_input(email=f"p{n}@example.org", show_on_profile_page=True))
    with pytest.raises(ValidationFailed) as info:
        await stale.provider.create(_input(email="p21@example.org", show_on_profile_page=True))
    assert [(i.field, i.provider_code) for i in info.value.issues] == [
        (("is24", "showOnProfilePage"), "ERROR_REQUEST_DATA_NOT_VALID")
    ]


async def test_the_sandbox_refuses_a_taken_external_id(stale: Stale) -> None:
    first = await stale.provider.create(_input(external_id="crm/1"))
    with pytest.raises(DuplicateContact) as info:
        await stale.provider.create(_input(email="other@example.org", external_id="crm/1"))
    assert (info.value.existing_id, info.value.field) == (first.native_id, ("is24", "externalId"))
