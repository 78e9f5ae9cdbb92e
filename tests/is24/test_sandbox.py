"""The IS24 sandbox over real HTTP: resource, rules, auth, hostile input, kit controls."""

from __future__ import annotations

import json
import time

import pytest

from providers.is24 import rules
from providers.is24.sandbox import API_PREFIX, OTHER_USERNAME, USERNAME, create_is24_sandbox
from providers.is24.sandbox_data import FIRST_ID
from providers.is24.xml_codec import NS_COMMON, ContactDoc, MediaType

from .conftest import Is24Client, minimal
from .test_xml_codec import BILLION_LAUGHS

XML, JSON = MediaType.XML, MediaType.JSON
ACCESS_DENIED = "ERROR_COMMON_ACCESS_DENIED"


async def contacts_of(client: Is24Client) -> dict[str, ContactDoc]:
    reply = await client.call("GET")
    assert reply.status == 200
    return {str(doc["@id"]): doc for doc in reply.contacts()}


# ---------------------------------------------------------------- reads and seed


async def test_list_in_xml_is_the_seed(client: Is24Client) -> None:
    reply = await client.call("GET")
    assert reply.status == 200 and reply.media is XML
    text = reply.body.decode()
    assert f'<common:realtorContactDetailsList xmlns:common="{NS_COMMON}"' in text
    assert "<realtorContactDetails id=" in text
    docs = reply.contacts()
    assert len(docs) == 60
    assert sum(doc["defaultContact"] is True for doc in docs) == 1
    assert 0 < rules.count_on_profile_page(docs) < 20
    assert {doc["countryCode"] for doc in docs} == {"DEU"}
    assert any("/" in str(doc.get("externalId", "")) for doc in docs)
    assert any("phoneNumberSubscriber" in doc for doc in docs)
    assert any("phoneNumber" in doc and "phoneNumberSubscriber" not in doc for doc in docs)


@pytest.mark.parametrize("accept", ["application/json", "application/xml;q=0.5, application/json"])
async def test_list_in_json(client: Is24Client, accept: str) -> None:
    reply = await client.call("GET", accept=accept)
    assert reply.media is JSON
    outer = json.loads(reply.body)
    items = outer["common.realtorContactDetailsList"]["realtorContactDetails"]
    assert len(items) == 60 and all("@id" in item for item in items)


async def test_seed_is_deterministic() -> None:
    first, second = create_is24_sandbox(), create_is24_sandbox()
    assert first.store.contacts == second.store.contacts
    assert create_is24_sandbox(seed=12).store.contacts != first.store.contacts
    small = create_is24_sandbox(contact_count=3).store
    assert len(small.of(USERNAME)) == 3 and len(small.of(OTHER_USERNAME)) == 2
    for username in (USERNAME, OTHER_USERNAME):
        assert small.default_id(username) is not None


async def test_read_fills_defaults_and_combines_parts(client: Is24Client) -> None:
    doc = minimal(
        phoneNumberCountryCode="+49", phoneNumberAreaCode="30", phoneNumberSubscriber="24301999"
    )
    new_id = await client.create(doc)
    for accept in (XML.value, JSON.value):
        read = await client.read(new_id, accept)
        assert read["@id"] == new_id
        assert read["salutation"] == "NO_SALUTATION" and read["realEstateReferenceCount"] == 0
        assert read["defaultContact"] is read["showOnProfilePage"] is False
        assert read["phoneNumber"] == "+49 30 24301999"
        assert read["phoneNumberSubscriber"] == "24301999"


async def test_xml_is_the_default_and_json_documents_are_keyed(client: Is24Client) -> None:
    contact_id = next(iter(client.sandbox.store.of(USERNAME)))
    reply = await client.call("GET", f"/{contact_id}")
    assert reply.media is XML
    assert reply.body.decode().count(f'id="{contact_id}"') == 1
    reply = await client.call("GET", f"/{contact_id}", accept="application/json")
    assert json.loads(reply.body)["common.realtorContactDetail"]["@id"] == contact_id


# ---------------------------------------------------------------- writes


@pytest.mark.parametrize("media", [XML, JSON])
async def test_create_answers_201_with_location(client: Is24Client, media: MediaType) -> None:
    reply = await client.send("POST", "", minimal(), media)
    assert reply.status == 201 and reply.media is media
    [message] = reply.messages()
    assert message.code == "MESSAGE_RESOURCE_CREATED" and message.id
    assert f"[{message.id}]" in message.text
    assert reply.headers["Location"] == client.url(f"/{message.id}")
    if media is JSON:
        assert "common.messages" in json.loads(reply.body)


async def test_location_uses_the_username_of_the_path(client: Is24Client) -> None:
    body = b'{"common.realtorContactDetail": {"email": "n@x.de", "lastname": "N"}}'
    reply = await client.call("POST", username=USERNAME, body=body, content_type="application/json")
    assert reply.status == 201
    assert reply.headers["Location"].startswith(f"{client.base_url}{API_PREFIX}{USERNAME}/contact/")


async def test_update_and_delete(client: Is24Client) -> None:
    new_id = await client.create(minimal(showOnProfilePage=True))
    reply = await client.send("PUT", f"/{new_id}", minimal(firstname="Neu"), JSON)
    assert (reply.status, reply.codes) == (200, ["MESSAGE_RESOURCE_UPDATED"])
    read = await client.read(new_id)
    assert read["firstname"] == "Neu" and read["showOnProfilePage"] is False  # PUT replaces
    reply = await client.call("DELETE", f"/{new_id}")
    assert (reply.status, reply.codes) == (200, ["MESSAGE_RESOURCE_DELETED"])
    assert (await client.call("GET", f"/{new_id}")).status == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_unknown_id_is_404(client: Is24Client, method: str) -> None:
    body = b'{"common.realtorContactDetail": {"email": "a@b.de", "lastname": "X"}}'
    reply = await client.call(method, "/999", body=body if method == "PUT" else None,
                              content_type="application/json")  # fmt: skip
    assert (reply.status, reply.codes) == (404, ["ERROR_RESOURCE_NOT_FOUND"])


async def test_the_default_contact_cannot_be_deleted(client: Is24Client) -> None:
    default_id = client.sandbox.store.default_id(USERNAME)
    reply = await client.call("DELETE", f"/{default_id}")
    assert reply.status == 412
    [message] = reply.messages()
    assert message.code == "ERROR_RESOURCE_VALIDATION"
    assert message.text == "default contact can not be deleted"


async def test_the_default_moves_and_stays_unique(client: Is24Client) -> None:
    old = client.sandbox.store.default_id(USERNAME)
    new_id = await client.create(minimal(defaultContact=True))
    docs = await contacts_of(client)
    assert [cid for cid, doc in docs.items() if doc["defaultContact"] is True] == [new_id]
    await client.send("PUT", f"/{new_id}", minimal(defaultContact=False))
    assert (await client.read(new_id))["defaultContact"] is True
    assert (await client.call("DELETE", f"/{old}")).status == 200


# ---------------------------------------------------------------- rules over HTTP


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lastname": ""}, "lastname"),
        ({"email": "  "}, "email"),
        ({"phoneNumber": "0049 30 24301999"}, "phoneNumber"),
        ({"faxNumberCountryCode": "0049", "faxNumberAreaCode": "30", "faxNumberSubscriber": "1"},
         "faxNumberCountryCode"),
        ({"cellPhoneNumber": "+49 0170 2430199"}, "cellPhoneNumber"),
        ({"phoneNumber": "+49-30-24301999"}, "phoneNumber"),
        ({"salutation": "MR"}, "salutation"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("media", [XML, JSON])
async def test_rule_violations_are_400(
    client: Is24Client, fields: ContactDoc, field: str, media: MediaType
) -> None:
    reply = await client.send("POST", "", minimal(**fields), media)
    assert reply.status == 400 and reply.media is media
    [message] = reply.messages()
    assert message.code == "ERROR_REQUEST_DATA_NOT_VALID" and field in message.text


async def test_one_message_per_problem(client: Is24Client) -> None:
    doc: ContactDoc = {"phoneNumberAreaCode": "030", "faxNumber": "00 1"}
    reply = await client.send("POST", "", doc)
    assert reply.status == 400
    assert len(reply.messages()) == 5  # lastname, email, phone cc, phone subscriber, fax


async def test_a_duplicate_differing_in_case_and_spacing_is_refused(client: Is24Client) -> None:
    first = minimal(firstname="Anna Lena", phoneNumber="+49 30 24301999")
    first_id = await client.create(first)
    twin = minimal(
        firstname="  anna   LENA ",
        email="PROBE@example.org",
        phoneNumberCountryCode="+49",
        phoneNumberAreaCode="30",
        phoneNumberSubscriber="24301999",
    )
    for media in (XML, JSON):
        reply = await client.send("POST", "", twin, media)
        assert reply.status == 400
        [message] = reply.messages()
        assert message.code == "ERROR_RESOURCE_DUPLICATE" and f"[{first_id}]" in message.text


async def test_put_runs_the_duplicate_check_without_the_contact_itself(client: Is24Client) -> None:
    a_id = await client.create(minimal(email="a@example.org"))
    b_id = await client.create(minimal(email="b@example.org"))
    assert (await client.send("PUT", f"/{a_id}", minimal(email="A@example.org "))).status == 200
    reply = await client.send("PUT", f"/{b_id}", minimal(email="a@example.org"))
    assert reply.codes == ["ERROR_RESOURCE_DUPLICATE"] and f"[{a_id}]" in reply.messages()[0].text


async def test_the_21st_profile_page_contact_is_refused(client: Is24Client) -> None:
    seeded = rules.count_on_profile_page((await contacts_of(client)).values())
    for index in range(seeded, 20):
        await client.create(minimal(email=f"p{index}@example.org", showOnProfilePage=True))
    reply = await client.send("POST", "", minimal(email="p21@example.org", showOnProfilePage=True))
    assert reply.status == 400
    [message] = reply.messages()
    assert message.code == "ERROR_REQUEST_DATA_NOT_VALID" and "showOnProfilePage" in message.text
    other_id = await client.create(minimal(email="p22@example.org"))
    put = await client.send(
        "PUT", f"/{other_id}", minimal(email="p22@example.org", showOnProfilePage=True)
    )
    assert put.status == 400


async def test_external_ids_are_unique_per_user(client: Is24Client) -> None:
    await client.create(minimal(email="x1@example.org", externalId="crm/1"))
    reply = await client.send("POST", "", minimal(email="x2@example.org", externalId="crm/1"))
    assert reply.codes == ["ERROR_RESOURCE_DUPLICATE"] and "externalId" in reply.messages()[0].text


# ---------------------------------------------------------------- ids and paths


@pytest.mark.parametrize("external_id", ["office/berlin/0002", "a/../b", "..", "x%2Fy", "ä ö/ü"])
async def test_external_ids_round_trip(client: Is24Client, external_id: str) -> None:
    from urllib.parse import quote

    if external_id != "office/berlin/0002":
        await client.create(
            minimal(email=f"{len(external_id)}@example.org", externalId=external_id)
        )
    reply = await client.call("GET", f"/ext-{quote(external_id, safe='')}")
    assert reply.status == 200, reply.body
    assert reply.contact()["externalId"] == external_id


@pytest.mark.parametrize(
    "tail",
    [
        "/ext-a/../b",  # unencoded: never a lookup of "a/../b"
        "/ext-office/berlin/0002",
        "/%2E%2E",
        "/..",
        "/124308575%2F..",
        "/..%2F..%2Fsandbox-realtor-other%2Fcontact",
        "/ext-%FF",
        "/1/2",
    ],
)
async def test_hostile_paths_reach_nothing(client: Is24Client, tail: str) -> None:
    before = client.sandbox.store.contacts
    reply = await client.call("GET", tail)
    assert (reply.status, reply.codes) == (404, ["ERROR_RESOURCE_NOT_FOUND"])
    assert client.sandbox.store.contacts == before


async def test_users_are_isolated(client: Is24Client, other_client: Is24Client) -> None:
    mine = await contacts_of(client)
    theirs = await contacts_of(other_client)
    assert mine.keys().isdisjoint(theirs.keys()) and len(theirs) == 15
    some_id = next(iter(mine))
    assert (await other_client.call("GET", f"/{some_id}")).status == 404
    assert (await other_client.call("DELETE", f"/{some_id}")).status == 404
    for username in (USERNAME, f"{OTHER_USERNAME}x"):
        reply = await other_client.call("GET", username=username)
        assert (reply.status, reply.codes) == (403, [ACCESS_DENIED])
    assert (await other_client.call("GET", username=OTHER_USERNAME)).status == 200


# ---------------------------------------------------------------- authentication


async def test_missing_and_bad_signatures_are_401(client: Is24Client) -> None:
    reply = await client.call("GET", sign=False)
    assert (reply.status, reply.codes) == (401, [ACCESS_DENIED])
    assert reply.headers["WWW-Authenticate"].startswith("OAuth")
    tampered = await client.call("GET", url=client.url("?a=1"), signed_url=client.url("?a=2"))
    assert tampered.status == 401
    decoded = await client.call(
        "GET", url=client.url("/ext-a%2Fb"), signed_url=client.url("/ext-a/b")
    )
    assert decoded.status == 401  # the raw path is what is verified
    stale = await client.call("GET", timestamp=int(time.time()) - 301)
    assert stale.status == 401


async def test_replayed_nonce_is_refused(client: Is24Client) -> None:
    assert (await client.call("GET", nonce="n-once")).status == 200
    reply = await client.call("GET", nonce="n-once")
    assert (reply.status, reply.codes) == (401, [ACCESS_DENIED])
    assert "nonce" in reply.messages()[0].text


async def test_signed_query_strings_verify(client: Is24Client) -> None:
    reply = await client.call("GET", url=client.url("?x=a%20b&y=%2F&z=%C3%A4"))
    assert reply.status == 200


# ---------------------------------------------------------------- hostile bodies


async def test_xml_bomb_is_refused(client: Is24Client) -> None:
    reply = await client.call("POST", body=BILLION_LAUGHS)
    assert (reply.status, reply.codes) == (400, ["ERROR_REQUEST_DATA_NOT_VALID"])


async def test_external_entities_are_never_fetched(client: Is24Client) -> None:
    await client.control("DELETE", "requests")
    probe = f"{client.base_url}{API_PREFIX}me/contact/ext-fetched"
    for doctype in (
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{probe}">]>',
        f'<!DOCTYPE r SYSTEM "{probe}">',
    ):
        body = (
            f'<?xml version="1.0"?>{doctype}'
            f'<common:realtorContactDetail xmlns:common="{NS_COMMON}">'
            "<email>a@b.de</email><lastname>&x;</lastname></common:realtorContactDetail>"
        ).encode()
        reply = await client.call("POST", body=body)
        assert reply.status == 400
    log = await client.control("GET", "requests")
    assert isinstance(log, dict) and log["count"] == 2  # just the two POSTs


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"<common:realtorContactDetail", "application/xml", 400),
        (b"{not json", "application/json", 400),
        (b'{"common.realtorContactDetail": {"lastname": "X", "email": "e", "nick": "n"}}',
         "application/json", 400),
        (b"email=a", "application/x-www-form-urlencoded", 415),
        (b"<" * 70_000, "application/xml", 413),
    ],
)  # fmt: skip
async def test_malformed_bodies(
    client: Is24Client, body: bytes, content_type: str, status: int
) -> None:
    reply = await client.call("POST", body=body, content_type=content_type)
    assert reply.status == status and reply.codes == ["ERROR_REQUEST_DATA_NOT_VALID"]


@pytest.mark.parametrize(("method", "tail"), [("POST", "/124308575"), ("PUT", "/ext-crm-0001"),
                                              ("DELETE", ""), ("PATCH", "")])  # fmt: skip
async def test_wrong_methods_are_405(client: Is24Client, method: str, tail: str) -> None:
    reply = await client.call(method, tail)
    assert reply.status == 405 and reply.media is XML


# ---------------------------------------------------------------- kit controls


async def test_injected_faults_are_is24_shaped(client: Is24Client) -> None:
    await client.control("POST", "faults", {"fail_next": 1, "error_status": 503})
    reply = await client.call("GET")
    assert (reply.status, reply.codes) == (503, ["ERROR_COMMON_INTERNAL_SERVER_ERROR"])
    await client.control("POST", "faults", {"rate_limit_next": 1, "retry_after_s": 1.5})
    reply = await client.call("GET")
    assert reply.status == 429 and reply.headers["Retry-After"] == "2" and reply.codes
    assert (await client.call("GET")).status == 200


async def test_requests_are_counted(client: Is24Client) -> None:
    await client.control("DELETE", "requests")
    await client.call("GET")
    await client.call("GET", "/1")
    await client.control("GET", "faults")
    log = await client.control("GET", "requests")
    assert isinstance(log, dict) and log["count"] == 2
    assert [entry["status"] for entry in log["requests"]] == [200, 404]


async def test_reset_restores_the_seed_exactly(client: Is24Client) -> None:
    before = (await client.call("GET")).body
    new_id = await client.create(minimal())
    assert int(new_id) > FIRST_ID
    victim = next(
        cid
        for cid, doc in client.sandbox.store.of(USERNAME).items()
        if not doc.get("defaultContact")
    )
    await client.call("DELETE", f"/{victim}")
    assert await client.control("POST", "reset") == {"reset": True}
    assert (await client.call("GET")).body == before
    assert await client.create(minimal()) == new_id  # ids restart too
