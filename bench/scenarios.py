"""The scenarios of issue 9: GraphQL documents, and how many provider requests each may cost.

`limits` are the provider requests one operation may make, per provider (a provider not
named may get none). They state today's behaviour, read from the adapters and
`resolvers/loaders.py`, and the quick mode fails when an operation makes more:
- Spark returns at most 25 records per request, so 100 contacts are 4 requests, sent at
  once, and expansions ride in the same requests (`_expand`); ids are batched 25 per
  request (`_filter=Id Eq ...`).
- IS24 has no batch read and no paging: a list is one request for the whole list, and
  more than 4 ids are read from that one list request.
- AutoDNS reads a list with one `_search`, and up to 50 ids with one `_search`.
- A create is one POST and one read-back; a refused input costs no request.
s4 is one operation holding a page of 20 from each provider (three aliased `contacts`):
exactly 60 contacts, 20 per provider, the providers asked at once. A merged
`contacts(first: 60)` cannot promise that mix (it asks every provider for 60 and keeps
the first 60 in order: with the seeds and the default order all are AutoDNS's), so it
is measured beside s4 as `s4-merged`.
The scenarios' POST bodies (AutoDNS searches, the Spark create) are written out here,
since the sandboxes log paths and queries but not bodies.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from bench.upstream import AUTODNS, IS24, SPARK, UNIQUE

SPARK_PAGE_CAP: Final = 25
AUTODNS_IDS_PER_SEARCH: Final = 50
NODES_MIX: Final = {SPARK: 34, IS24: 33, AUTODNS: 33}
"""The 100 ids of scenario 5, per provider."""

FIELDS_15: Final = """id provider nativeId displayName givenName familyName organization position
  emails { address kind } phones { kind e164 } addresses { kind locality postalCode country }
  createdAt updatedAt ... on SparkContact { tags recordStatus }"""
EXPANSIONS: Final = (
    "... on SparkContact { activity { score } notes { text } portal { username enabled } }"
)
LIST_FIELDS: Final = "id provider displayName givenName familyName emails { address } updatedAt"
FRESH: Final = "cache: {policy: FRESH_ONLY}"
NO_ERRORS: Final = ('"errors":',)

Ids = Mapping[str, list[tuple[str, str]]]
"""Seeded contacts per provider: (global id, native id), in the providers' default order."""


def _no_variables(ids: Ids) -> dict[str, Any]:
    return {}


def _no_bodies(ids: Ids) -> dict[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    query: str
    limits: Mapping[str, int]
    exact: bool = False
    """The limits are the exact counts (the issue states them as equalities)."""
    variables: Callable[[Ids], dict[str, Any]] = _no_variables
    bodies: Callable[[Ids], dict[str, str]] = _no_bodies
    """POST bodies by `"PROVIDER METHOD path"`."""
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = NO_ERRORS
    write: bool = False
    """Measured after every read (creates change the data); its calls run one after another."""
    warm: bool = False
    """Served from a warm cache: compared with the floor and ceiling of `baseline`."""
    baseline: str | None = None
    gateway_only: bool = False
    """Measured through the gateway only: a yardstick for a target, or a variant."""


def _search_body(limit: int) -> str:
    orders = [{"key": "updated", "ordertype": "DESC"}, {"key": "id", "ordertype": "ASC"}]
    return json.dumps({"filters": [], "view": {"limit": limit, "offset": 0}, "orders": orders})


def _ids_body(native_ids: list[str]) -> str:
    filters = [{"key": "id", "value": i, "operator": "EQUAL", "link": "OR"} for i in native_ids]
    view = {"limit": len(native_ids), "offset": 0}
    return json.dumps(
        {"filters": filters, "view": view, "orders": [{"key": "id", "ordertype": "ASC"}]}
    )


AUTODNS_SEARCH: Final = f"{AUTODNS} POST /v1/contact/_search"
SPARK_CREATE: Final = f"{SPARK} POST /v1/contacts"
CREATE_EMAIL: Final = f"bench.{UNIQUE}@example.org"
SPARK_CREATE_BODY: Final = json.dumps(
    {
        "D": {
            "DisplayName": "Bench Person",
            "GivenName": "Bench",
            "FamilyName": "Person",
            "PrimaryEmail": CREATE_EMAIL,
            "SecondaryEmails": [],
            "AdditionalNotificationEmails": [],
            "MobilePhoneNumber": "+1 312 555 0199",
            "MobilePhoneCountryCode": "US",
        }
    }
)


def _page(provider: str | None, first: int, fields: str, cache: str = FRESH) -> str:
    where = f"provider: {provider}, " if provider else ""
    return f"{{ contacts({where}first: {first}, {cache}) {{ nodes {{ {fields} }} }} }}"


def _one_spark(ids: Ids) -> dict[str, Any]:
    return {"id": ids[SPARK][0][0]}


def _nodes_ids(ids: Ids) -> dict[str, Any]:
    return {"ids": [g for name, n in NODES_MIX.items() for g, _ in ids[name][:n]]}


def _nodes_bodies(ids: Ids) -> dict[str, str]:
    return {AUTODNS_SEARCH: _ids_body([n for _, n in ids[AUTODNS][: NODES_MIX[AUTODNS]]])}


def _page_bodies(ids: Ids) -> dict[str, str]:
    return {AUTODNS_SEARCH: _search_body(20)}


def _merged_bodies(ids: Ids) -> dict[str, str]:
    return {AUTODNS_SEARCH: _search_body(60)}


def _create_variables(ids: Ids) -> dict[str, Any]:
    return {"email": CREATE_EMAIL}


def _create_bodies(ids: Ids) -> dict[str, str]:
    return {SPARK_CREATE: SPARK_CREATE_BODY}


PAGE_LIMITS: Final = {SPARK: 1, IS24: 1, AUTODNS: 1}
"""A page of 20 from each provider: one request each."""
MERGED_LIMITS: Final = {SPARK: math.ceil(60 / SPARK_PAGE_CAP), IS24: 1, AUTODNS: 1}
"""A merged page of 60 asks every provider for 60 (any of them may fill the page)."""
CREATE: Final = """mutation ($email: String!) { createContact(input: {provider: SPARK,
  displayName: "Bench Person", givenName: "Bench", familyName: "Person",
  emails: [{address: $email}], phones: [{kind: MOBILE, number: "+1 312 555 0199"}]})
  { contact { id nativeId displayName } userErrors { field code message } } }"""
INVALID: Final = """mutation { createContact(input: {provider: SPARK, displayName: "Bench Person",
  emails: [{address: "not-an-email"}]})
  { contact { nativeId } userErrors { field code message } } }"""


def _yardstick(provider: str) -> Scenario:
    return Scenario(
        key=f"s4-{provider}",
        title=f"s4's yardstick: {provider}'s page of 20 alone",
        query=_page(provider, 20, LIST_FIELDS),
        limits={provider: PAGE_LIMITS[provider]},
        bodies=_page_bodies if provider == AUTODNS else _no_bodies,
        gateway_only=True,
    )


def _cross_provider_page() -> str:
    pages = " ".join(
        f"{p.lower()}: contacts(provider: {p}, first: 20, {FRESH}) {{ nodes {{ {LIST_FIELDS} }} }}"
        for p in (SPARK, IS24, AUTODNS)
    )
    return f"{{ {pages} }}"


SCENARIOS: Final = (
    Scenario(
        key="s1",
        title="one contact by id (Spark, 15 fields)",
        query=f"query ($id: ID!) {{ contact(id: $id, {FRESH}) {{ {FIELDS_15} }} }}",
        limits={SPARK: 1},
        exact=True,
        variables=_one_spark,
        must=('"nativeId"',),
    ),
    Scenario(
        key="s2",
        title="a page of 100 Spark contacts x 15 fields",
        query=_page(SPARK, 100, FIELDS_15),
        limits={SPARK: math.ceil(100 / SPARK_PAGE_CAP)},
        exact=True,
    ),
    Scenario(
        key="s3",
        title="s2 with three expansions (activity, notes, portal)",
        query=_page(SPARK, 100, f"{FIELDS_15} {EXPANSIONS}"),
        limits={SPARK: math.ceil(100 / SPARK_PAGE_CAP)},
        exact=True,
    ),
    Scenario(
        key="s4",
        title="60 contacts, a page of 20 from each provider, in one operation",
        query=_cross_provider_page(),
        limits=PAGE_LIMITS,
        bodies=_page_bodies,
    ),
    *(_yardstick(p) for p in (SPARK, IS24, AUTODNS)),
    Scenario(
        key="s4-merged",
        title="contacts(first: 60) merged over the three providers (default order)",
        query=_page(None, 60, LIST_FIELDS),
        limits=MERGED_LIMITS,
        bodies=_merged_bodies,
        gateway_only=True,
    ),
    Scenario(
        key="s5",
        title="nodes: 100 ids over the three providers (34/33/33)",
        query=f"query ($ids: [ID!]!) {{ nodes(ids: $ids, {FRESH}) {{ id ... on Contact "
        "{ provider nativeId displayName emails { address } phones { e164 } } } }",
        limits={
            SPARK: math.ceil(NODES_MIX[SPARK] / SPARK_PAGE_CAP),
            IS24: 1,
            AUTODNS: math.ceil(NODES_MIX[AUTODNS] / AUTODNS_IDS_PER_SEARCH),
        },
        variables=_nodes_ids,
        bodies=_nodes_bodies,
    ),
    Scenario(
        key="s6",
        title="s2 from a warm cache",
        query=_page(SPARK, 100, FIELDS_15, cache="cache: {policy: CACHE_OK}"),
        limits={},
        exact=True,
        warm=True,
        baseline="s2",
    ),
    Scenario(
        key="s7-create",
        title="createContact (Spark, valid input)",
        query=CREATE,
        limits={SPARK: 2},
        variables=_create_variables,
        bodies=_create_bodies,
        must=('"nativeId"',),
        write=True,
    ),
    Scenario(
        key="s7-invalid",
        title="createContact refused by validation (userErrors, no provider call)",
        query=INVALID,
        limits={},
        exact=True,
        must=('"code"',),
        must_not=(*NO_ERRORS, '"nativeId"'),
        write=True,
    ),
)
BY_KEY: Final = {s.key: s for s in SCENARIOS}
