"""Shared bits of the IS24 gateway tests: documents, inputs and the upstream request log."""

from __future__ import annotations

from typing import Any

from providers.is24.sandbox import API_PREFIX
from providers.model import ProviderName
from schema.ids import encode_global_id
from tests.harness import Gateway, Sandbox

COLLECTION = f"{API_PREFIX}me/contact"
CONTACT_FIELDS = """
  id nativeId provider displayName salutation title givenName familyName organization position
  emails { address kind }
  phones { kind e164 countryCode areaCode subscriber raw }
  addresses { kind streetLines houseNumber postalCode locality region country }
  ... on RealtorContact {
    additionalName homepageUrl defaultContact localPartnerContact businessCardContact
    showOnProfilePage realEstateReferenceCount externalId clickOutUrl countryCode
    company officeHours
  }
"""
USER_ERRORS = "userErrors { field code message providerCode }"
CREATE = f"""mutation($input: CreateContactInput!) {{
  createContact(input: $input) {{ contact {{ {CONTACT_FIELDS} }} {USER_ERRORS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateContactInput!) {{
  updateContact(id: $id, input: $input) {{ contact {{ {CONTACT_FIELDS} }} {USER_ERRORS} }}
}}"""
DELETE = f"""mutation($id: ID!) {{ deleteContact(id: $id) {{ deletedId {USER_ERRORS} }} }}"""
READ = f"""query($id: ID!) {{
  contact(id: $id, cache: {{policy: FRESH_ONLY}}) {{ {CONTACT_FIELDS} }}
}}"""
BY_EXTERNAL_ID = f"""query($externalId: String!) {{
  realtorContactByExternalId(externalId: $externalId) {{ {CONTACT_FIELDS} }}
}}"""
SEARCH = f"""query($filter: ContactFilterInput, $first: Int!, $after: String,
                 $orderBy: [ContactOrderInput!]) {{
  contacts(provider: IS24, filter: $filter, first: $first, after: $after, orderBy: $orderBy,
           cache: {{policy: FRESH_ONLY}}) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {CONTACT_FIELDS} }}
  }}
}}"""


def gid(native_id: str) -> str:
    return encode_global_id(ProviderName.IS24, native_id)


def valid_input(**overrides: Any) -> dict[str, Any]:
    """A createContact input that passes every IS24 rule; None removes a field."""
    data: dict[str, Any] = {
        "provider": "IS24",
        "salutation": "MS",
        "title": "Dr.",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "position": "Maklerin",
        "emails": [{"address": "ada.lovelace@example.org"}],
        "phones": [
            {"kind": "WORK", "countryCode": "+49", "areaCode": "30", "subscriber": "24301999"},
            {"kind": "MOBILE", "number": "+49 171 1234567"},
        ],
        "addresses": [
            {
                "streetLines": ["Andreasstr."],
                "houseNumber": "10",
                "postalCode": "10243",
                "locality": "Berlin",
                "country": "DEU",
            }
        ],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


async def create(gateway: Gateway, **overrides: Any) -> dict[str, Any]:
    body = await gateway.data(CREATE, input=valid_input(**overrides))
    payload: dict[str, Any] = body["createContact"]
    return payload


async def created(gateway: Gateway, **overrides: Any) -> dict[str, Any]:
    """The contact of a create that must succeed."""
    payload = await create(gateway, **overrides)
    assert payload["userErrors"] == [], payload["userErrors"]
    contact: dict[str, Any] = payload["contact"]
    return contact


async def upstream(sandbox: Sandbox) -> list[tuple[str, str]]:
    """(method, path) of every provider request the sandbox saw since the last forget."""
    return [(r["method"], r["path"]) for r in await sandbox.requests()]


def error_keys(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparable part of each userError (everything but the message)."""
    return [{k: e[k] for k in ("field", "code", "providerCode")} for e in payload["userErrors"]]
