"""AutoDNS writes through GraphQL: every task, every EF code as a typed userError, the stid."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest

import providers.autodns.sandbox as autodns_sandbox
from providers.autodns.sandbox import AutoDnsSandbox, create_autodns_sandbox
from providers.model import ProviderName
from schema.ids import encode_global_id
from tests.gateway.autodns_support import (
    CREATE,
    DELETE,
    READ,
    UPDATE,
    create,
    direct,
    provider_requests,
    valid_input,
)
from tests.harness import Gateway, Sandbox, autodns_stack

STID = re.compile(r"\d{8}-app1-sbx-\d{6}")


@pytest.fixture
def seeded() -> AutoDnsSandbox:
    return create_autodns_sandbox()


@pytest.fixture
async def stack(seeded: AutoDnsSandbox) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with autodns_stack(seeded) as pair:
        yield pair


def _gid(native_id: object) -> str:
    return encode_global_id(ProviderName.AUTODNS, str(native_id))


def _errors(payload: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


# --- create, info, update, delete ---------------------------------------------------------


async def test_create_returns_the_stored_contact_with_its_stid(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    await sandbox.forget()
    payload = await create(gateway)
    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["provider"] == "AUTODNS" and contact["displayName"] == "Jane Doe"
    assert contact["phones"] == [
        {
            "kind": "PRIMARY",
            "e164": "+499411234567",
            "countryCode": "+49",
            "areaCode": "941",
            "subscriber": "1234567",
            "raw": "+49-941-1234567",
        }
    ]
    assert contact["addresses"][0]["kind"] == "OTHER"
    assert (contact["alias"], contact["type"], contact["protection"]) == (
        "jdoe-gw",
        "PERSON",
        "SHOW_NONE",
    )
    assert contact["owner"] == {"context": 4, "user": autodns_sandbox.USER}
    assert STID.fullmatch(contact["lastStid"])
    (request,) = await provider_requests(sandbox)
    assert (request["method"], request["path"], request["query"]) == ("POST", "/v1/contact", "")
    status, info = await direct(sandbox, "GET", f"/contact/{contact['nativeId']}")
    assert status == 200 and info.data[0]["phone"] == "+49-941-1234567"


async def test_info_reads_it_back(gateway: Gateway) -> None:
    created = (await create(gateway))["contact"]
    read = (await gateway.data(READ, id=created["id"]))["contact"]
    assert {k: v for k, v in read.items() if k not in ("lastStid", "freshness")} == {
        k: v for k, v in created.items() if k not in ("lastStid", "freshness")
    }
    assert STID.fullmatch(read["lastStid"]) and read["lastStid"] != created["lastStid"]


async def test_update_sends_only_the_given_fields(gateway: Gateway, sandbox: Sandbox) -> None:
    created = (await create(gateway, autodns={"alias": "upd", "type": "PERSON"}))["contact"]
    await sandbox.forget()
    changes = {
        "organization": "Doe Hosting GmbH",
        "phones": [
            {"kind": "PRIMARY", "countryCode": "+49", "areaCode": "89", "subscriber": "12345678"},
            {"kind": "FAX", "number": "+49 941 7654321"},
        ],
        "autodns": {"type": "ORG", "comment": "registrant of doe.de"},
    }
    payload = (await gateway.data(UPDATE, id=created["id"], input=changes))["updateContact"]
    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["displayName"] == "Doe Hosting GmbH"
    assert contact["givenName"] == "Jane" and contact["alias"] == "upd"
    assert [p["raw"] for p in contact["phones"]] == ["+49-89-12345678", "+49-941-7654321"]
    assert [p["e164"] for p in contact["phones"]] == ["+498912345678", "+499417654321"]
    assert contact["lastStid"] != created["lastStid"]
    (request,) = await provider_requests(sandbox)
    assert (request["method"], request["path"]) == ("PUT", f"/v1/contact/{created['nativeId']}")
    cleared = await gateway.data(UPDATE, id=created["id"], input={"phones": []})
    assert cleared["updateContact"]["contact"]["phones"] == []


async def test_delete_then_read_is_null_and_a_second_delete_not_found(gateway: Gateway) -> None:
    created = (await create(gateway))["contact"]
    deleted = (await gateway.data(DELETE, id=created["id"]))["deleteContact"]
    assert (deleted["deletedId"], deleted["userErrors"]) == (created["id"], [])
    assert STID.fullmatch(deleted["traceId"]) and deleted["traceId"] != created["lastStid"]
    assert (await gateway.data(READ, id=created["id"]))["contact"] is None
    (error,) = (await gateway.data(DELETE, id=created["id"]))["deleteContact"]["userErrors"]
    assert (error["code"], error["providerCode"]) == ("NOT_FOUND", "EF03021")
    assert STID.fullmatch(error["traceId"])


async def test_a_contact_used_by_a_domain_cannot_be_deleted(
    gateway: Gateway, seeded: AutoDnsSandbox
) -> None:
    used = next(c for c in seeded.store.owned_by(autodns_sandbox.USER) if c.domains)
    payload = (await gateway.data(DELETE, id=_gid(used.id)))["deleteContact"]
    (error,) = payload["userErrors"]
    assert (error["code"], error["providerCode"]) == ("CONFLICT", "EF03022")
    assert used.domains[0] in error["message"] and STID.fullmatch(error["traceId"])
    assert used.id in seeded.store.contacts


async def test_another_accounts_contact_is_forbidden_with_its_stid(
    gateway: Gateway, seeded: AutoDnsSandbox
) -> None:
    theirs = seeded.store.owned_by(autodns_sandbox.OTHER_USER)[0]
    assert (await gateway.data(READ, id=_gid(theirs.id)))["contact"] is None
    body = await gateway.gql(UPDATE, id=_gid(theirs.id), input={"organization": "Mine Now"})
    (error,) = body["errors"]
    extensions = error["extensions"]
    assert (extensions["code"], extensions["providerCode"]) == ("FORBIDDEN", "EF03016")
    assert STID.fullmatch(extensions["traceId"])
    assert seeded.store.contacts[theirs.id].fields.get("organization") != "Mine Now"


# --- EF codes -------------------------------------------------------------------------------

LOCAL_RULES = [
    (
        {"phones": [{"kind": "PRIMARY", "number": "+1 123"}]},
        ["input", "phones", "0", "number"],
        "INVALID_FORMAT",
        "EF03010",
    ),
    (
        {"phones": [{"kind": "FAX", "number": "+999 12345"}]},
        ["input", "phones", "0", "number"],
        "INVALID_FORMAT",
        "EF03011",
    ),
    ({"autodns": {"type": "PERSON"}}, ["input", "autodns", "alias"], "REQUIRED", "EF030110"),
    (
        {"autodns": {"alias": "a", "type": "PERSON", "comment": "c" * 501}},
        ["input", "autodns", "comment"],
        "TOO_LONG",
        "EF03012",
    ),
    (
        {"addresses": [{"streetLines": ["x 1"], "locality": "x" * 65, "country": "DE"}]},
        ["input", "addresses", "0", "locality"],
        "TOO_LONG",
        "EF03015",
    ),
    (
        {"autodns": {"alias": "a" * 65, "type": "PERSON"}},
        ["input", "autodns", "alias"],
        "TOO_LONG",
        "EF03015",
    ),
    ({"givenName": "4711"}, ["input", "givenName"], "INVALID", "EF03017"),
    ({"givenName": None}, ["input", "givenName"], "REQUIRED", "EF03017"),
    ({"familyName": "\x1b[31m"}, ["input", "familyName"], "INVALID", "EF03018"),
    (
        {"autodns": {"alias": "a", "type": "ORG"}},
        ["input", "organization"],
        "REQUIRED",
        "EF03019",
    ),
    ({"organization": "12345"}, ["input", "organization"], "INVALID", "EF03019"),
    (
        {"addresses": [{"streetLines": ["x 1"], "locality": "Graz", "country": "Austria"}]},
        ["input", "addresses", "0", "country"],
        "INVALID",
        "EF03023",
    ),
    (
        {"emails": [{"address": "not-an-email"}]},
        ["input", "emails", "0", "address"],
        "INVALID",
        "EF03023",
    ),
]


@pytest.mark.parametrize(("change", "field", "code", "provider_code"), LOCAL_RULES)
async def test_each_rule_is_a_user_error_before_any_upstream_call(
    gateway: Gateway,
    sandbox: Sandbox,
    change: dict[str, Any],
    field: list[str],
    code: str,
    provider_code: str,
) -> None:
    await sandbox.forget()
    payload = (await gateway.data(CREATE, input=valid_input(**change)))["createContact"]
    assert payload["contact"] is None
    assert {"field": field, "code": code, "providerCode": provider_code, "traceId": None} in [
        {k: e[k] for k in ("field", "code", "providerCode", "traceId")} for e in _errors(payload)
    ]
    assert await sandbox.count() == 0


WIRE_RULES = [
    ({"phone": "+1-123"}, "EF03010"),
    ({"fax": "12"}, "EF03011"),
    ({"alias": None}, "EF030110"),
    ({"comment": "c" * 501}, "EF03012"),
    ({"city": "x" * 65}, "EF03015"),
    ({"fname": "4711"}, "EF03017"),
    ({"lname": "\x1b[31m"}, "EF03018"),
    ({"type": "ORG"}, "EF03019"),
    ({"country": "Austria"}, "EF03023"),
]


@pytest.mark.parametrize(("change", "code"), WIRE_RULES)
async def test_the_sandbox_enforces_each_rule_on_its_own(
    sandbox: Sandbox, change: dict[str, Any], code: str
) -> None:
    body = {
        "alias": "direct",
        "type": "PERSON",
        "fname": "Jane",
        "lname": "Doe",
        "address": ["Lindenstraße 5"],
        "city": "Regensburg",
        "country": "DE",
        "email": "jane@example.de",
        **change,
    }
    status, envelope = await direct(sandbox, "POST", "/contact", body)
    assert status == 400 and code in envelope.message_codes


async def test_a_rule_only_autodns_can_check_comes_back_with_the_stid(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    created = (await create(gateway, autodns={"alias": "p", "type": "PERSON"}))["contact"]
    await sandbox.forget()
    payload = await gateway.data(UPDATE, id=created["id"], input={"autodns": {"type": "ORG"}})
    (error,) = _errors(payload["updateContact"])
    assert error["field"] == ["input", "organization"]
    assert (error["code"], error["providerCode"]) == ("REQUIRED", "EF03019")
    assert STID.fullmatch(error["traceId"])
    assert await sandbox.count() == 1


async def test_all_broken_rules_are_reported_together(gateway: Gateway) -> None:
    payload = (await gateway.data(CREATE, input=valid_input(givenName="4711", familyName="1")))[
        "createContact"
    ]
    assert {e["providerCode"] for e in _errors(payload)} == {"EF03017", "EF03018"}


SHAPES = [
    (
        {"emails": [{"address": "a@example.de"}, {"address": "b@example.de"}]},
        ["input", "emails", "1"],
        "LIMIT_EXCEEDED",
    ),
    (
        {"emails": [{"address": "a@example.de", "kind": "SECONDARY"}]},
        ["input", "emails", "0", "kind"],
        "UNSUPPORTED",
    ),
    (
        {"phones": [{"kind": "MOBILE", "number": "+4915112345678"}]},
        ["input", "phones", "0", "kind"],
        "UNSUPPORTED",
    ),
    (
        {"phones": [{"kind": "FAX", "number": "+499411"}, {"kind": "FAX", "number": "+49941"}]},
        ["input", "phones", "1", "kind"],
        "LIMIT_EXCEEDED",
    ),
    (
        {"addresses": [{"kind": "HOME", "streetLines": ["a 1"], "country": "DE"}]},
        ["input", "addresses", "0", "kind"],
        "UNSUPPORTED",
    ),
    ({"displayName": "Jane D."}, ["input", "displayName"], "UNSUPPORTED"),
    ({"middleName": "Q"}, ["input", "middleName"], "UNSUPPORTED"),
]


@pytest.mark.parametrize(("change", "field", "code"), SHAPES)
async def test_input_that_does_not_fit_a_handle_is_refused_locally(
    gateway: Gateway, sandbox: Sandbox, change: dict[str, Any], field: list[str], code: str
) -> None:
    await sandbox.forget()
    payload = (await gateway.data(CREATE, input=valid_input(**change)))["createContact"]
    assert {"field": field, "code": code} in [
        {k: e[k] for k in ("field", "code")} for e in _errors(payload)
    ]
    assert await sandbox.count() == 0


async def test_a_spark_block_does_not_apply_to_autodns(gateway: Gateway) -> None:
    payload = (await gateway.data(CREATE, input=valid_input(spark={"note": "x"})))["createContact"]
    assert _errors(payload)[0]["field"] == ["input", "spark"]
    assert _errors(payload)[0]["code"] == "NOT_ALLOWED"


# --- same contact data: force_handle_create -------------------------------------------------


async def test_same_data_is_refused_unless_forced(gateway: Gateway, sandbox: Sandbox) -> None:
    first = (await create(gateway))["contact"]
    await sandbox.forget()
    again = await create(gateway, autodns={"alias": "jdoe-2", "type": "PERSON"})
    (error,) = _errors(again)
    assert (error["code"], error["providerCode"], error["field"]) == (
        "DUPLICATE",
        "EF03020",
        ["input"],
    )
    assert first["nativeId"] in error["message"] and STID.fullmatch(error["traceId"])
    forced = await create(
        gateway, autodns={"alias": "jdoe-2", "type": "PERSON", "forceHandleCreate": True}
    )
    assert forced["userErrors"] == []
    assert forced["contact"]["nativeId"] not in (first["nativeId"], None)
    refused, allowed = await provider_requests(sandbox)
    assert refused["query"] == "" and refused["status"] == 409
    assert parse_qs(allowed["query"]) == {"keys[]": ["force_handle_create"]}


async def test_force_applies_to_creates_only(gateway: Gateway, sandbox: Sandbox) -> None:
    created = (await create(gateway))["contact"]
    await sandbox.forget()
    changes = {"autodns": {"forceHandleCreate": True, "comment": "ok"}}
    payload = (await gateway.data(UPDATE, id=created["id"], input=changes))["updateContact"]
    assert payload["userErrors"] == [] and payload["contact"]["comment"] == "ok"
    (request,) = await provider_requests(sandbox)
    assert request["query"] == ""


# --- hostile ids ------------------------------------------------------------------------------

HOSTILE = [
    "../../_sandbox/reset",
    "..%2F..%2F_sandbox%2Freset",
    "1/../../x",
    "%2e%2e",
    "23151400?x=1",
    "23151400#x",
    "0023151400",
    "-1",
    "23151400\r\nX-Injected: yes",
    "1 OR 1=1",
]


@pytest.mark.parametrize("native_id", HOSTILE)
async def test_hostile_ids_never_reach_upstream(
    gateway: Gateway, sandbox: Sandbox, native_id: str
) -> None:
    await sandbox.forget()
    hostile = _gid(native_id)
    assert (await gateway.data(READ, id=hostile))["contact"] is None
    update = await gateway.data(UPDATE, id=hostile, input={"organization": "x"})
    assert [e["code"] for e in _errors(update["updateContact"])] == ["NOT_FOUND"]
    delete = await gateway.data(DELETE, id=hostile)
    assert [e["code"] for e in _errors(delete["deleteContact"])] == ["NOT_FOUND"]
    assert await sandbox.count() == 0
