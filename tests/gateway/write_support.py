"""Shared bits of the safe-write tests: the three sandboxes behind one gateway (which can be
restarted on the same data_dir), write documents with idempotency keys, inputs that carry
a unique marker, and a look at what the sandboxes actually store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.settings import (
    IdempotencySettings,
    Settings,
)
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, all_providers_settings, fresh_data_dir

PROVIDERS = ("SPARK", "IS24", "AUTODNS")
CONTACT = "id nativeId displayName givenName familyName position emails { address }"
ERRORS = "userErrors { field code message providerCode }"
CREATE = f"""mutation($input: CreateContactInput!, $key: String) {{
  createContact(input: $input, idempotencyKey: $key) {{ contact {{ {CONTACT} }} {ERRORS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateContactInput!, $key: String) {{
  updateContact(id: $id, input: $input, idempotencyKey: $key) {{
    contact {{ {CONTACT} }} {ERRORS}
  }}
}}"""
DELETE = f"""mutation($id: ID!, $key: String) {{
  deleteContact(id: $id, idempotencyKey: $key) {{ deletedId traceId {ERRORS} }}
}}"""
READ = f"""query($id: ID!) {{ contact(id: $id, cache: {{policy: FRESH_ONLY}}) {{ {CONTACT} }} }}"""


def create_input(provider: str, marker: str) -> dict[str, Any]:
    """A valid create for `provider` whose email, names and alias carry `marker`."""
    email = f"{marker}@battery.example"
    family = f"Fam-{marker}"
    if provider == "SPARK":
        return {
            "provider": "SPARK",
            "displayName": f"Writer {marker}",
            "givenName": "Ada",
            "familyName": family,
            "emails": [{"address": email}],
        }
    if provider == "IS24":
        return {
            "provider": "IS24",
            "salutation": "MS",
            "givenName": "Lena",
            "familyName": family,
            "emails": [{"address": email}],
            "phones": [{"kind": "WORK", "number": "+49 30 1234567"}],
        }
    return {
        "provider": "AUTODNS",
        "givenName": "Jana",
        "familyName": family,
        "emails": [{"address": email}],
        "phones": [{"kind": "PRIMARY", "number": "+49 89 1234567"}],
        "addresses": [{"streetLines": ["Hauptstr. 1"], "locality": "Berlin", "country": "DE"}],
        "autodns": {"alias": f"a-{marker}", "type": "PERSON"},
    }


def update_input(marker: str) -> dict[str, Any]:
    """An update all three providers take: a new given name."""
    return {"givenName": f"Upd-{marker}"}


@dataclass
class WriteStack:
    """Three sandboxes (with their stores) and the settings of the gateway in front."""

    http: aiohttp.ClientSession
    sandboxes: dict[str, Sandbox]
    objects: dict[str, Any]
    settings: Settings

    def stored(self, provider: str, marker: str) -> list[dict[str, Any]]:
        """What the provider's sandbox holds that carries `marker` (its own data, not an
        answer the gateway relayed)."""
        return [c for c in self._contacts(provider) if marker in json.dumps(c, default=str)]

    def _contacts(self, provider: str) -> list[dict[str, Any]]:
        store = self.objects[provider].store
        if provider == "SPARK":
            return [c.snapshot() for c in store.contacts.values()]
        if provider == "IS24":
            return [dict(doc) for docs in store.contacts.values() for doc in docs.values()]
        return [c.to_json() for c in store.contacts.values()]

    @asynccontextmanager
    async def gateway(self) -> AsyncIterator[Gateway]:
        """A gateway process (app) on the stack's data_dir; a new one on each call."""
        async with ServedApp(create_app(self.settings)) as served:
            yield Gateway(served, self.http)


@asynccontextmanager
async def write_stack(
    data_dir: Path | None = None,
    *,
    total_timeout: float = 2.0,
    idempotency: IdempotencySettings | None = None,
    **upstream_extra: Any,
) -> AsyncIterator[WriteStack]:
    """Fresh Spark, IS24 and AutoDNS sandboxes; the gateway is started by `stack.gateway()`.
    `upstream_extra` are UpstreamSettings fields for all three providers."""
    objects: dict[str, Any] = {
        "SPARK": spark_sandbox.create_spark_sandbox(contact_count=40),
        "IS24": is24_sandbox.create_is24_sandbox(contact_count=10),
        "AUTODNS": autodns_sandbox.create_autodns_sandbox(contact_count=40),
    }
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(objects["SPARK"].app) as spark,
        ServedApp(objects["IS24"].app) as is24,
        ServedApp(objects["AUTODNS"].app) as autodns,
    ):
        upstream = {"total_timeout": total_timeout, **upstream_extra}
        settings = all_providers_settings(
            spark.base_url,
            is24.base_url,
            autodns.base_url,
            upstream=upstream,
            data_dir=data_dir or fresh_data_dir(),
            idempotency=idempotency or IdempotencySettings(),
        )
        served = {"SPARK": spark, "IS24": is24, "AUTODNS": autodns}
        sandboxes = {name: Sandbox(s, http) for name, s in served.items()}
        yield WriteStack(http, sandboxes, objects, settings)


async def writes_seen(sandbox: Sandbox) -> list[tuple[str, str]]:
    """(method, path) of the state-changing requests the sandbox received (AutoDNS
    searches are POSTs, but read)."""
    return [
        (r["method"], r["path"])
        for r in await sandbox.requests()
        if r["method"] != "GET" and not r["path"].endswith("/_search")
    ]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [str(e.get("extensions", {}).get("code")) for e in body.get("errors", [])]
