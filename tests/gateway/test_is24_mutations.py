"""IS24 writes through GraphQL, in both media types: create (201 + Location), update,
delete, the default contact, duplicates and the profile-page limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from providers.is24.sandbox import USERNAME, Is24Sandbox, create_is24_sandbox
from tests.gateway.is24_support import (
    COLLECTION,
    CREATE,
    DELETE,
    READ,
    SEARCH,
    UPDATE,
    create,
    created,
    error_keys,
    gid,
    upstream,
    valid_input,
)
from tests.harness import Gateway, Sandbox, is24_stack

NOT_VALID = "ERROR_REQUEST_DATA_NOT_VALID"
DUPLICATE = "ERROR_RESOURCE_DUPLICATE"


@pytest.fixture
def seeded() -> Is24Sandbox:
    return create_is24_sandbox()


@pytest.fixture(params=["json", "xml"])
async def stack(
    seeded: Is24Sandbox, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with is24_stack(seeded, media_type=request.param) as pair:
        yield pair


async def _update(gateway: Gateway, native_id: str, **changes: Any) -> dict[str, Any]:
    body = await gateway.data(UPDATE, id=gid(native_id), input=changes)
    payload: dict[str, Any] = body["updateContact"]
    return payload


# --- create, read back, update, delete ----------------------------------------------------


async def test_create_posts_once_and_reads_the_new_contact_back(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    contact = await created(gateway)
    native_id = contact["nativeId"]
    assert await upstream(sandbox) == [
        ("GET", COLLECTION),  # the duplicate and profile-page checks
        ("POST", COLLECTION),
        ("GET", f"{COLLECTION}/{native_id}"),  # the id from the Location header
    ]
    assert [r["status"] for r in await sandbox.requests()] == [200, 201, 200]
    assert contact["provider"] == "IS24" and contact["id"] == gid(native_id)
    assert contact["displayName"] == "Dr. Ada Lovelace"
    assert (contact["salutation"], contact["givenName"], contact["familyName"]) == (
        "MS",
        "Ada",
        "Lovelace",
    )
    assert contact["emails"] == [{"address": "ada.lovelace@example.org", "kind": "PRIMARY"}]
    assert contact["addresses"] == [
        {
            "kind": "WORK",
            "streetLines": ["Andreasstr."],
            "houseNumber": "10",
            "postalCode": "10243",
            "locality": "Berlin",
            "region": None,
            "country": "DEU",
        }
    ]
    assert contact["countryCode"] == "DEU"
    assert contact["defaultContact"] is False and contact["realEstateReferenceCount"] == 0


async def test_phones_are_e164_with_the_parts_kept(gateway: Gateway) -> None:
    contact = await created(gateway)
    assert contact["phones"] == [
        {
            "kind": "WORK",
            "e164": "+493024301999",
            "countryCode": "+49",
            "areaCode": "30",
            "subscriber": "24301999",
            "raw": "+49 30 24301999",  # IS24 combines the parts on read
        },
        {
            "kind": "MOBILE",
            "e164": "+491711234567",
            "countryCode": "+49",
            "areaCode": "171",
            "subscriber": "1234567",
            "raw": "+49 171 1234567",
        },
    ]


async def test_every_is24_field_is_written_and_read(gateway: Gateway) -> None:
    is24 = {
        "additionalName": "MBA",
        "homepageUrl": "https://makler.example/ada",
        "officeHours": "Mo-Fr 9-17",
        "defaultContact": False,
        "localPartnerContact": True,
        "businessCardContact": True,
        "showOnProfilePage": True,
        "externalId": "crm/4711",
        "clickOutUrl": "https://makler.example/out",
    }
    contact = await created(gateway, organization="Lovelace Immobilien", is24=is24)
    for name, value in is24.items():
        assert contact[name] == value, name
    assert contact["organization"] == contact["company"] == "Lovelace Immobilien"
    assert contact["displayName"] == "Dr. Ada Lovelace MBA"


async def test_update_puts_the_whole_contact_with_the_changes(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    before = await created(gateway, is24={"externalId": "keep-me"})
    await sandbox.forget()
    payload = await _update(gateway, before["nativeId"], position="Teamleitung", title=None)
    assert payload["userErrors"] == []
    after = payload["contact"]
    assert (after["position"], after["title"]) == ("Teamleitung", None)
    for unchanged in ("phones", "emails", "addresses", "externalId", "givenName"):
        assert after[unchanged] == before[unchanged], unchanged
    path = f"{COLLECTION}/{before['nativeId']}"
    assert await upstream(sandbox) == [("GET", COLLECTION), ("PUT", path), ("GET", path)]


async def test_update_replaces_lists(gateway: Gateway) -> None:
    before = await created(gateway)
    phones = [{"kind": "FAX", "number": "+49 30 24301998"}]
    addresses = [{"locality": "Hamburg", "country": "DEU"}]
    after = (await _update(gateway, before["nativeId"], phones=phones, addresses=addresses))[
        "contact"
    ]
    assert [(p["kind"], p["raw"]) for p in after["phones"]] == [("FAX", "+49 30 24301998")]
    assert after["addresses"][0]["locality"] == "Hamburg"
    assert after["addresses"][0]["streetLines"] == []
    cleared = (await _update(gateway, before["nativeId"], phones=[], addresses=None))["contact"]
    assert cleared["phones"] == [] and cleared["addresses"] == [] and cleared["countryCode"] is None


async def test_delete(gateway: Gateway, sandbox: Sandbox) -> None:
    contact = await created(gateway)
    result = (await gateway.data(DELETE, id=contact["id"]))["deleteContact"]
    assert result == {"deletedId": contact["id"], "userErrors": []}
    assert (await gateway.data(READ, id=contact["id"]))["contact"] is None
    again = (await gateway.data(DELETE, id=contact["id"]))["deleteContact"]
    assert again["deletedId"] is None
    assert [e["code"] for e in again["userErrors"]] == ["NOT_FOUND"]
    assert again["userErrors"][0]["providerCode"] == "ERROR_RESOURCE_NOT_FOUND"


async def test_the_default_contact_cannot_be_deleted(gateway: Gateway, seeded: Is24Sandbox) -> None:
    default_id = seeded.store.default_id(USERNAME)
    assert default_id is not None
    result = (await gateway.data(DELETE, id=gid(default_id)))["deleteContact"]
    assert result["deletedId"] is None
    assert error_keys(result) == [
        {"field": ["input"], "code": "NOT_ALLOWED", "providerCode": "ERROR_RESOURCE_VALIDATION"}
    ]
    assert "default contact" in result["userErrors"][0]["message"]
    assert seeded.store.get(USERNAME, default_id) is not None


async def test_a_new_default_contact_takes_over(gateway: Gateway, seeded: Is24Sandbox) -> None:
    old = seeded.store.default_id(USERNAME)
    contact = await created(gateway, is24={"defaultContact": True})
    assert contact["defaultContact"] is True
    assert seeded.store.default_id(USERNAME) == contact["nativeId"] != old
    result = (await gateway.data(DELETE, id=gid(str(old))))["deleteContact"]
    assert result["userErrors"] == []


async def test_updating_or_deleting_unknown_ids(gateway: Gateway, sandbox: Sandbox) -> None:
    await sandbox.forget()
    payload = await _update(gateway, "99", position="x")
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await upstream(sandbox) == [("GET", COLLECTION)]
    await sandbox.forget()
    refused = (["NOT_FOUND"], ["INVALID"])  # INVALID: not even a well-formed global id
    for hostile in ("../1", "1/../2", "ext-1", "%2e%2e", "1%2F2", ""):
        payload = await _update(gateway, hostile, position="x")
        assert [e["code"] for e in payload["userErrors"]] in refused, hostile
        deleted = (await gateway.data(DELETE, id=gid(hostile)))["deleteContact"]
        assert [e["code"] for e in deleted["userErrors"]] in refused, hostile
    assert await upstream(sandbox) == []


# --- duplicates ---------------------------------------------------------------------------


def _duplicate_error(payload: dict[str, Any], existing_id: str) -> None:
    assert payload["contact"] is None
    assert error_keys(payload) == [
        {"field": ["input"], "code": "DUPLICATE", "providerCode": DUPLICATE}
    ]
    assert f"[{existing_id}]" in payload["userErrors"][0]["message"]
    assert f"existing contact {existing_id}" in payload["userErrors"][0]["message"]


async def test_a_duplicate_create_names_the_existing_contact(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    first = await created(gateway)
    await sandbox.forget()
    _duplicate_error(await create(gateway), first["nativeId"])
    assert await upstream(sandbox) == [("GET", COLLECTION)]  # refused before any POST


async def test_a_duplicate_differing_only_in_case_and_spacing(gateway: Gateway) -> None:
    first = await created(gateway)
    shouting = valid_input(
        salutation="MS",
        givenName="  ADA ",
        familyName="lovelace",
        emails=[{"address": "  Ada.LoveLace@EXAMPLE.org"}],
        phones=[
            {"kind": "WORK", "number": "+49 30 24301999"},  # the same number, complete
            {"kind": "MOBILE", "countryCode": "+49", "areaCode": "171", "subscriber": "123 4567"},
        ],
        addresses=[
            {
                "streetLines": ["ANDREASSTR. "],
                "houseNumber": " 10",
                "postalCode": "10243",
                "locality": "berlin",
                "country": "DEU",
            }
        ],
    )
    payload = (await gateway.data(CREATE, input=shouting))["createContact"]
    _duplicate_error(payload, first["nativeId"])


async def test_only_the_documented_fields_make_a_duplicate(gateway: Gateway) -> None:
    first = await created(gateway)
    # title, position, organization and the IS24 extras are not compared
    again = await create(
        gateway,
        title="Prof.",
        position="Vertrieb",
        organization="Other GmbH",
        is24={"additionalName": "MBA", "externalId": "other"},
    )
    _duplicate_error(again, first["nativeId"])
    # each compared field makes a difference on its own
    for change in (
        {"salutation": "MR"},
        {"givenName": "Augusta"},
        {"emails": [{"address": "ada@example.org"}]},
        {"phones": [{"kind": "FAX", "number": "+49 30 24301999"}]},
        {"addresses": [{"streetLines": ["Andreasstr."], "houseNumber": "11"}]},
        {"is24": {"homepageUrl": "https://ada.example"}},
    ):
        payload = await create(gateway, **change)
        assert payload["userErrors"] == [], change


async def test_a_duplicate_update_names_the_existing_contact(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    first = await created(gateway)
    second = await created(gateway, emails=[{"address": "second@example.org"}])
    unchanged = await _update(gateway, first["nativeId"], position="Maklerin")
    assert unchanged["userErrors"] == []  # a contact is not its own duplicate
    await sandbox.forget()
    payload = await _update(
        gateway, second["nativeId"], emails=[{"address": "ADA.lovelace@example.org "}]
    )
    _duplicate_error(payload, first["nativeId"])
    assert await upstream(sandbox) == [("GET", COLLECTION)]


async def test_an_external_id_names_one_contact(gateway: Gateway) -> None:
    first = await created(gateway, is24={"externalId": "crm/1"})
    payload = await create(
        gateway, emails=[{"address": "other@example.org"}], is24={"externalId": "crm/1"}
    )
    assert error_keys(payload) == [
        {"field": ["input", "is24", "externalId"], "code": "DUPLICATE", "providerCode": DUPLICATE}
    ]
    assert first["nativeId"] in payload["userErrors"][0]["message"]


# --- the profile page ---------------------------------------------------------------------


def _fill_profile_page(seeded: Is24Sandbox, up_to: int) -> None:
    """Give the sandbox user `up_to` contacts on the profile page (setup, not under test)."""
    contacts = seeded.store.of(USERNAME)
    shown = sum(1 for doc in contacts.values() if doc.get("showOnProfilePage") is True)
    for n in range(up_to - shown):
        seeded.store.add(
            USERNAME,
            {"email": f"p{n}@example.org", "lastname": f"Profile {n}", "showOnProfilePage": True},
        )


async def test_the_twentieth_profile_page_contact_is_allowed(
    gateway: Gateway, seeded: Is24Sandbox
) -> None:
    _fill_profile_page(seeded, 19)
    contact = await created(gateway, is24={"showOnProfilePage": True})
    assert contact["showOnProfilePage"] is True


async def test_the_twenty_first_profile_page_contact_is_refused(
    gateway: Gateway, sandbox: Sandbox, seeded: Is24Sandbox
) -> None:
    _fill_profile_page(seeded, 20)
    await sandbox.forget()
    payload = await create(gateway, is24={"showOnProfilePage": True})
    assert payload["contact"] is None
    assert error_keys(payload) == [
        {
            "field": ["input", "is24", "showOnProfilePage"],
            "code": "LIMIT_EXCEEDED",
            "providerCode": NOT_VALID,
        }
    ]
    assert await upstream(sandbox) == [("GET", COLLECTION)]
    shown = await gateway.data(SEARCH, first=100, filter={"is24": {"showOnProfilePage": True}})
    assert shown["contacts"]["totalCount"] == 20
    # one of the twenty may be updated; another contact may not join them
    one_of_them = shown["contacts"]["nodes"][0]["nativeId"]
    assert (await _update(gateway, one_of_them, position="x"))["userErrors"] == []
    other = await created(gateway)
    refused = await _update(gateway, other["nativeId"], is24={"showOnProfilePage": True})
    assert [e["code"] for e in refused["userErrors"]] == ["LIMIT_EXCEEDED"]
