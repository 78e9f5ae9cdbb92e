"""Shared bits of the AutoDNS gateway tests: documents, inputs, and direct sandbox calls."""

from __future__ import annotations

from typing import Any

import providers.autodns.sandbox as autodns_sandbox
from providers.autodns.client import basic_authorization
from providers.autodns.envelope import Envelope, parse_envelope
from tests.harness import Gateway, Sandbox

CONTACT_FIELDS = """
  id nativeId provider displayName title givenName familyName organization
  emails { address kind }
  phones { kind e164 countryCode areaCode subscriber raw }
  addresses { kind streetLines postalCode locality region country }
  createdAt updatedAt
  ... on DomainContact {
    alias type protection comment sip verification domainsafe lastStid
    owner { context user } updater { context user }
  }
"""
CREATE = f"""mutation($input: CreateContactInput!) {{
  createContact(input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    userErrors {{ field code message providerCode traceId }}
  }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateContactInput!) {{
  updateContact(id: $id, input: $input) {{
    contact {{ {CONTACT_FIELDS} }}
    userErrors {{ field code message providerCode traceId }}
  }}
}}"""
DELETE = """mutation($id: ID!) {
  deleteContact(id: $id) {
    deletedId traceId userErrors { field code message providerCode traceId }
  }
}"""
READ = f"""query($id: ID!) {{ contact(id: $id) {{ {CONTACT_FIELDS} }} }}"""
SEARCH = """query($filter: ContactFilterInput, $first: Int!, $after: String,
                 $orderBy: [ContactOrderInput!]) {
  contacts(provider: AUTODNS, filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      nativeId displayName givenName familyName organization createdAt updatedAt
      emails { address } phones { kind e164 raw } addresses { locality postalCode country }
      ... on DomainContact { alias type verification domainsafe lastStid }
    }
  }
}"""


def valid_input(**overrides: Any) -> dict[str, Any]:
    """A createContact input that passes every AutoDNS rule; None removes a field."""
    data: dict[str, Any] = {
        "provider": "AUTODNS",
        "givenName": "Jane",
        "familyName": "Doe",
        "emails": [{"address": "jane.doe@example.de"}],
        "phones": [{"kind": "PRIMARY", "number": "+499411234567"}],
        "addresses": [
            {
                "streetLines": ["Lindenstraße 5"],
                "postalCode": "93047",
                "locality": "Regensburg",
                "country": "DE",
            }
        ],
        "autodns": {"alias": "jdoe-gw", "type": "PERSON"},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


async def direct(
    sandbox: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    user: str = autodns_sandbox.USER,
    password: str = autodns_sandbox.PASSWORD,
) -> tuple[int, Envelope]:
    """Call the AutoDNS sandbox itself (no gateway), by default as the sandbox user."""
    headers = {
        "Authorization": basic_authorization(user, password),
        "X-Domainrobot-Context": autodns_sandbox.CONTEXT,
    }
    url = f"{sandbox.base_url}/v1{path}"
    async with sandbox.http.request(method, url, json=body, headers=headers) as resp:
        return resp.status, parse_envelope(await resp.read())


async def provider_requests(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [r for r in await sandbox.requests() if r["path"].startswith("/v1/")]


async def create(gateway: Gateway, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gateway.data(CREATE, input=valid_input(**overrides)))[
        "createContact"
    ]
    return payload
