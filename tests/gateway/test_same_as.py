"""`sameAs`: the same person across providers, resolved only when selected."""

from __future__ import annotations

from typing import Any

from tests.gateway.autodns_support import valid_input
from tests.harness import Gateway, Sandbox

CREATE = """mutation($input: CreateContactInput!) { createContact(input: $input) {
  contact { id } userErrors { field code message } } }"""
SAME_AS = """query($id: ID!) { contact(id: $id) { id
  sameAs { score matchedOn contact { id provider } } } }"""


async def _create(gateway: Gateway, data: dict[str, Any]) -> str:
    payload = (await gateway.data(CREATE, input=data))["createContact"]
    assert payload["userErrors"] == [], payload["userErrors"]
    created: str = payload["contact"]["id"]
    return created


async def test_the_same_email_in_another_provider_is_the_same_person(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, _ = graph
    email = "grace.hopper@example.org"
    spark_id = await _create(
        gateway,
        {
            "provider": "SPARK",
            "displayName": "Grace Hopper",
            "givenName": "Grace",
            "familyName": "Hopper",
            "emails": [{"address": email.upper()}],
            "phones": [{"kind": "MOBILE", "number": "+49 941 7654321"}],
        },
    )
    autodns_id = await _create(
        gateway,
        valid_input(
            givenName="Grace",
            familyName="Hopper",
            emails=[{"address": email}],
            phones=[{"kind": "PRIMARY", "number": "+499417654321"}],
            autodns={"alias": "ghopper", "type": "PERSON"},
        ),
    )
    matches = (await gateway.data(SAME_AS, id=spark_id))["contact"]["sameAs"]
    (match,) = [m for m in matches if m["contact"]["id"] == autodns_id]
    assert match["contact"]["provider"] == "AUTODNS"
    assert set(match["matchedOn"]) == {"email", "phone"}
    assert match["score"] == 0.9
    back = (await gateway.data(SAME_AS, id=autodns_id))["contact"]["sameAs"]
    assert spark_id in [m["contact"]["id"] for m in back]


async def test_unrelated_contacts_have_no_matches_and_cost_nothing_unselected(
    graph: tuple[Gateway, dict[str, Sandbox]],
) -> None:
    gateway, sandboxes = graph
    page = "{ contacts(provider: SPARK, first: 5) { nodes { id displayName } } }"
    for sandbox in sandboxes.values():
        await sandbox.forget()
    await gateway.data(page)
    assert await sandboxes["AUTODNS"].count() == 0, "sameAs not selected: no searches"
    with_matches = """{ contacts(provider: SPARK, first: 5) { nodes {
        id familyName emails { address } sameAs { score } } } }"""
    nodes = (await gateway.data(with_matches))["contacts"]["nodes"]
    assert all(isinstance(n["sameAs"], list) for n in nodes)
    emails = {e["address"].casefold() for n in nodes for e in n["emails"]}
    names = {n["familyName"] for n in nodes if n["familyName"]}
    searches = await sandboxes["AUTODNS"].count()
    assert 0 < searches <= len(emails) + len(names), "one search per distinct email and name"
