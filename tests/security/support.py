"""The security battery's stack: all three sandboxes behind one gateway, and the checks
that a refused input left nothing behind (no upstream write, no cache row, no data change).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp
import aiosqlite
from starlette.applications import Starlette

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from tests.harness import Gateway, Sandbox, autodns_settings, is24_settings, spark_settings

PROVIDERS: Final = tuple(ProviderName)
WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIXES: Final = {
    ProviderName.SPARK: "/v1/contacts",
    ProviderName.IS24: f"{is24_sandbox.API_PREFIX}me/contact",
    ProviderName.AUTODNS: "/v1/contact",
}
"""Each provider's contact resource (ids stay below these)."""
ALLOWED_PATHS: Final = {**API_PREFIXES, ProviderName.SPARK: ("/v1/contacts", "/v1/my/contact")}
"""Every upstream path the gateway may reach, per provider."""

USER_ERRORS: Final = "userErrors { field code message providerCode }"
CREATE: Final = f"""mutation($input: CreateContactInput!) {{
  createContact(input: $input) {{ contact {{ id nativeId }} {USER_ERRORS} }} }}"""
UPDATE: Final = f"""mutation($id: ID!, $input: UpdateContactInput!) {{
  updateContact(id: $id, input: $input) {{ contact {{ id }} {USER_ERRORS} }} }}"""
DELETE: Final = f"""mutation($id: ID!) {{ deleteContact(id: $id) {{ deletedId {USER_ERRORS} }} }}"""
TRANSFER: Final = f"""mutation($id: ID!, $owner: String!) {{
  transferContact(id: $id, ownerId: $owner) {{ contact {{ id }} {USER_ERRORS} }} }}"""
UPDATE_ME: Final = f"""mutation($input: UpdateMyContactInput!) {{
  updateMyContact(input: $input) {{ contact {{ id }} {USER_ERRORS} }} }}"""
READ: Final = "query($id: ID!) { contact(id: $id) { id displayName } }"
NODE: Final = "query($id: ID!) { node(id: $id) { id } }"
NODES: Final = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
BY_EXTERNAL_ID: Final = """query($externalId: String!) {
  realtorContactByExternalId(externalId: $externalId) { id } }"""
LIST: Final = """query($provider: Provider, $filter: ContactFilterInput, $first: Int) {
  contacts(provider: $provider, filter: $filter, first: $first) {
    totalCount nodes { id displayName } } }"""


def raw_global_id(text: str) -> str:
    """A global id around any text (`"SPARK:../x"`), built as the gateway builds them."""
    raw = text.encode("utf-8", errors="surrogatepass")  # fuzzed text may hold lone surrogates
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def valid_input(provider: ProviderName) -> dict[str, Any]:
    """A createContact input each provider accepts (unique enough for one test run)."""
    common: dict[str, Any] = {
        "givenName": "Grace",
        "familyName": "Hopper",
        "emails": [{"address": "grace.hopper@example.org"}],
    }
    if provider is ProviderName.SPARK:
        return {
            **common,
            "provider": "SPARK",
            "displayName": "Grace Hopper",
            "phones": [{"kind": "MOBILE", "number": "+1 312 555 0142"}],
            "addresses": [{"kind": "HOME", "streetLines": ["1 Navy Way"], "locality": "Arlington"}],
            "spark": {"tags": ["Buyer"], "note": "met at the conference"},
        }
    if provider is ProviderName.IS24:
        return {
            **common,
            "provider": "IS24",
            "salutation": "MS",
            "phones": [{"kind": "WORK", "number": "+49 30 1234567"}],
            "addresses": [
                {
                    "kind": "WORK",
                    "streetLines": ["Friedrichstraße"],
                    "houseNumber": "12",
                    "postalCode": "10117",
                    "locality": "Berlin",
                    "country": "DEU",
                }
            ],
            "is24": {"externalId": "crm-sec-1", "homepageUrl": "https://makler.example"},
        }
    return {
        **common,
        "provider": "AUTODNS",
        "phones": [{"kind": "PRIMARY", "number": "+49 89 1234567"}],
        "addresses": [
            {
                "streetLines": ["Leopoldstraße 1"],
                "postalCode": "80802",
                "locality": "München",
                "country": "DE",
            }
        ],
        "autodns": {"alias": "hopper-sec", "type": "PERSON", "comment": "security battery"},
    }


def unique_input(provider: ProviderName, tag: str) -> dict[str, Any]:
    """`valid_input` that no other create duplicates (IS24 and AutoDNS refuse duplicates)."""
    data = valid_input(provider)
    data["familyName"] = f"Hopper-{tag}"
    data["emails"] = [{"address": f"grace.{tag}@example.org"}]
    if provider is ProviderName.SPARK:
        data["displayName"] = f"Grace Hopper {tag}"
    if provider is ProviderName.IS24:
        data["is24"] = {**data["is24"], "externalId": f"crm-sec-{tag}"}
    if provider is ProviderName.AUTODNS:
        data["autodns"] = {**data["autodns"], "alias": f"hopper-{tag}"}
    return data


@dataclass
class World:
    """One gateway over the three sandboxes, with what the checks need to look at."""

    gateway: Gateway
    sandboxes: dict[ProviderName, Sandbox]
    stores: dict[ProviderName, Any]
    data_dir: Path
    app: Starlette

    async def settled(self) -> None:
        """Wait for the cache writes the gateway still runs behind earlier requests."""
        cache = getattr(self.app.state, "cache", None)
        if cache is not None:
            await cache.settled()

    async def forget(self) -> None:
        for sandbox in self.sandboxes.values():
            await sandbox.forget()

    async def requests(self) -> list[tuple[ProviderName, dict[str, Any]]]:
        """Every provider request any sandbox saw since the last `forget`."""
        return [(n, r) for n, s in self.sandboxes.items() for r in await s.requests()]

    def snapshot(self) -> dict[ProviderName, str]:
        """The sandboxes' stored contacts, comparable before and after."""
        return {name: repr(store.contacts) for name, store in self.stores.items()}

    async def cache_keys(self) -> set[str]:
        async with aiosqlite.connect(self.data_dir / "gateway.sqlite3") as db:
            try:
                rows = await db.execute_fetchall("SELECT key FROM read_cache")
            except aiosqlite.OperationalError:  # the cache is off or not created yet
                return set()
        return {str(row[0]) for row in rows}

    async def reset(self) -> None:
        """Sandbox data, faults and logs back to their seeded state."""
        for sandbox in self.sandboxes.values():
            async with sandbox.http.post(f"{sandbox.base_url}/_sandbox/reset") as resp:
                assert resp.status == 200


@asynccontextmanager
async def world(
    provider_overrides: dict[str, dict[str, Any]] | None = None, **settings_extra: Any
) -> AsyncIterator[World]:
    """Fresh, small sandboxes for all three providers and one gateway configured for all;
    `provider_overrides` changes fields of a provider's settings (`{"spark": {...}}`)."""
    spark = spark_sandbox.create_spark_sandbox(contact_count=40)
    is24 = is24_sandbox.create_is24_sandbox(contact_count=30)
    autodns = autodns_sandbox.create_autodns_sandbox(contact_count=40)
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark.app) as spark_served,
        ServedApp(is24.app) as is24_served,
        ServedApp(autodns.app) as autodns_served,
    ):
        base = spark_settings(spark_served.base_url)
        configured = {
            "spark": base.spark,
            "is24": is24_settings(f"{is24_served.base_url}/restapi/api").is24,
            "autodns": autodns_settings(f"{autodns_served.base_url}/v1", base.data_dir).autodns,
        }
        for name, changes in (provider_overrides or {}).items():
            configured[name] = configured[name].model_copy(update=changes)  # type: ignore[union-attr]
        settings = base.model_copy(update={**configured, **settings_extra})
        app = create_app(settings)
        async with ServedApp(app) as gateway_served:
            yield World(
                gateway=Gateway(gateway_served, http),
                sandboxes={
                    ProviderName.SPARK: Sandbox(spark_served, http),
                    ProviderName.IS24: Sandbox(is24_served, http),
                    ProviderName.AUTODNS: Sandbox(autodns_served, http),
                },
                stores={
                    ProviderName.SPARK: spark.store,
                    ProviderName.IS24: is24.store,
                    ProviderName.AUTODNS: autodns.store,
                },
                data_dir=settings.data_dir,
                app=app,
            )


@asynccontextmanager
async def leaves_nothing_behind(w: World, *, reads_allowed: bool = False) -> AsyncIterator[None]:
    """The block may be refused but must not write upstream, add cache rows or change data;
    with `reads_allowed` False it must not reach any provider at all."""
    await w.settled()  # an earlier request's cache write must not count as this block's
    await w.forget()
    data, keys = w.snapshot(), await w.cache_keys()
    yield
    await w.settled()  # and this block's own writes are in before the rows are compared
    seen = await w.requests()
    strays = [(n, r["path"]) for n, r in seen if not r["path"].startswith(ALLOWED_PATHS[n])]
    assert strays == [], strays  # no other upstream path was reached
    writes = [(n, r["method"], r["path"]) for n, r in seen if r["method"] in WRITE_METHODS]
    assert writes == [] or _only_searches(writes), writes
    if not reads_allowed:
        assert seen == [], [(n, r["method"], r["path"]) for n, r in seen]
    assert w.snapshot() == data
    assert await w.cache_keys() - keys == set()


def _only_searches(writes: list[tuple[ProviderName, str, str]]) -> bool:
    """AutoDNS reads with POST …/_search: a read, not a write."""
    return all(n is ProviderName.AUTODNS and path.endswith("/_search") for n, _, path in writes)


def user_error_codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
