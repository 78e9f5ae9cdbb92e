"""Enough contacts in every sandbox, and their ids, before anything is measured.

The scenarios need 100 Spark contacts (a full page) and 33 IS24 and AutoDNS contacts
(scenario 5's ids). The default seeds hold 300, 60 and 120; if a seed ever holds fewer,
the missing contacts are created through the API (the gateway's `createContact`, which
writes to the sandbox like any client would), never by changing sandbox code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import aiohttp

from bench.scenarios import Ids
from bench.upstream import AUTODNS, IS24, PROVIDERS, SPARK

NEEDED: Final[Mapping[str, int]] = {SPARK: 100, IS24: 33, AUTODNS: 33}
_PAGES: Final = " ".join(
    f"{p}: contacts(provider: {p}, first: {n}) {{ totalCount nodes {{ id nativeId }} }}"
    for p, n in NEEDED.items()
)
IDS_QUERY: Final = f"{{ {_PAGES} }}"
CREATE: Final = """mutation ($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } } }"""


class SeedError(RuntimeError):
    """The sandboxes cannot be brought to the contacts the scenarios need."""


def new_contact(provider: str, n: int) -> dict[str, Any]:
    """A valid create input for contact number `n` of a provider (unique where it must be)."""
    email = f"seed.{provider.lower()}.{n}@example.org"
    base: dict[str, Any] = {"provider": provider, "givenName": "Seed", "familyName": f"Person{n}"}
    if provider == SPARK:
        return {**base, "displayName": f"Seed Person{n}", "emails": [{"address": email}]}
    if provider == IS24:
        return {**base, "emails": [{"address": email}], "is24": {"showOnProfilePage": False}}
    address = {"streetLines": ["Seedweg 1"], "postalCode": "10115", "locality": "Berlin"}
    return {
        **base,
        "emails": [{"address": email}],
        "addresses": [{**address, "country": "DE"}],
        "autodns": {"alias": f"bench-seed-{n}", "type": "PERSON"},
    }


async def _graphql(http: aiohttp.ClientSession, url: str, query: str, **variables: Any) -> Any:
    async with http.post(url, json={"query": query, "variables": variables}) as response:
        body = await response.json()
    if body.get("errors"):
        codes = [e.get("extensions", {}).get("code") for e in body["errors"]]
        raise SeedError(f"the gateway answered errors {codes}")
    return body["data"]


async def seeded_ids(http: aiohttp.ClientSession, graphql_url: str) -> Ids:
    """Ids (global, native) of the contacts the scenarios use; tops the sandboxes up first."""
    data = await _graphql(http, graphql_url, IDS_QUERY)
    for provider in PROVIDERS:
        missing = NEEDED[provider] - int(data[provider]["totalCount"])
        for n in range(max(missing, 0)):
            created = await _graphql(http, graphql_url, CREATE, input=new_contact(provider, n))
            if created["createContact"]["userErrors"]:
                raise SeedError(f"cannot create {provider} contacts for the bench")
    if any(NEEDED[p] > int(data[p]["totalCount"]) for p in PROVIDERS):
        data = await _graphql(http, graphql_url, IDS_QUERY)
    return {p: [(n["id"], n["nativeId"]) for n in data[p]["nodes"]] for p in PROVIDERS}
