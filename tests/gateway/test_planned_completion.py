"""Planned completion against graphql-core's, on real data: two gateways (plan on, plan
off) over the same three sandboxes answer generated selections identically."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)

from gateway.app import create_app
from gateway.settings import (
    Settings,
)
from providers.autodns import sandbox as autodns_sandbox
from providers.is24 import sandbox as is24_sandbox
from providers.sandboxing import ServedApp
from providers.spark import sandbox as spark_sandbox
from resolvers.root import build_schema
from tests.harness import Gateway, all_providers_settings

DOCUMENTS = 60
"""Generated documents per run (seeded: the same ones every run)."""

SKIPPED_FIELDS = frozenset({"freshness", "lastStid", "sameAs"})
"""freshness.fetchedAt and AutoDNS's lastStid (the id of the upstream call) differ between
the two gateways by design; sameAs fans out to every provider per contact and would
exhaust the call budget of every document."""


def _settings(spark: str, is24: str, autodns: str, *, planned: bool) -> Settings:
    return all_providers_settings(spark, is24, autodns, planned_completion=planned)


@pytest.fixture
async def gateways() -> AsyncIterator[tuple[Gateway, Gateway]]:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=30).app) as spark,
        ServedApp(is24_sandbox.create_is24_sandbox().app) as is24,
        ServedApp(autodns_sandbox.create_autodns_sandbox(contact_count=30).app) as autodns,
    ):
        urls = (spark.base_url, is24.base_url, autodns.base_url)
        async with (
            ServedApp(create_app(_settings(*urls, planned=True))) as planned,
            ServedApp(create_app(_settings(*urls, planned=False))) as general,
        ):
            yield Gateway(planned, http), Gateway(general, http)


class SelectionWriter:
    """Random selection sets over the schema's contact types: fields in random order,
    aliases, __typename, fragments, @include/@skip on variables, nested objects."""

    def __init__(self, schema: GraphQLSchema, rng: random.Random) -> None:
        self.schema = schema
        self.rng = rng
        self.aliases = 0

    def selection(self, type_: GraphQLObjectType | GraphQLInterfaceType, depth: int = 0) -> str:
        fields = [
            (name, field)
            for name, field in type_.fields.items()
            if name not in SKIPPED_FIELDS
            and not any(a.type.__class__.__name__ == "GraphQLNonNull" for a in field.args.values())
        ]
        chosen = self.rng.sample(fields, k=self.rng.randint(1, min(len(fields), 8)))
        parts: list[str] = []
        if self.rng.random() < 0.3:
            parts.append("__typename")
        for name, field in chosen:
            named = get_named_type(field.type)
            text = self._aliased(name) + self._directive()
            if not is_leaf_type(named):
                if depth >= 2 or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                text += " { " + self.selection(named, depth + 1) + " }"
            parts.append(text)
        return " ".join(parts) or "__typename"

    def contact_selection(self) -> str:
        contact = self.schema.get_type("Contact")
        assert isinstance(contact, GraphQLInterfaceType)
        parts = [self.selection(contact)]
        for name in ("SparkContact", "RealtorContact", "DomainContact"):
            if self.rng.random() < 0.6:
                concrete = self.schema.get_type(name)
                assert isinstance(concrete, GraphQLObjectType)
                parts.append(f"... on {name} {{ {self.selection(concrete)} }}")
        return " ".join(parts)

    def _aliased(self, name: str) -> str:
        if self.rng.random() < 0.2:
            self.aliases += 1
            return f"a{self.aliases}: {name}"
        return name

    def _directive(self) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return " @include(if: $on)"
        if roll < 0.16:
            return " @skip(if: $on)"
        return ""


def _document(writer: SelectionWriter) -> str:
    provider = writer.rng.choice(["SPARK", "IS24", "AUTODNS", None])
    where = f"provider: {provider}, " if provider else ""
    first = writer.rng.choice([1, 3, 7])
    return (
        "query Generated($on: Boolean!) { "
        f"contacts({where}first: {first}, cache: {{policy: FRESH_ONLY}}) "
        f"{{ totalCount @skip(if: $on) nodes {{ {writer.contact_selection()} }} }} }}"
    )


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """The response without what differs per request by design (request and error ids)."""
    for error in body.get("errors") or ():
        extensions = error.get("extensions") or {}
        extensions.pop("requestId", None)
        extensions.pop("errorId", None)
    body.get("extensions", {}).pop("stale", None)
    return body


async def test_generated_selections_get_identical_answers(
    gateways: tuple[Gateway, Gateway],
) -> None:
    planned, general = gateways
    writer = SelectionWriter(build_schema()._schema, random.Random(20261123))  # noqa: S311  # test data
    answered_with_data = 0
    for _ in range(DOCUMENTS):
        document = _document(writer)
        on = writer.rng.random() < 0.5
        ours = _comparable(await planned.gql(document, on=on))
        reference = _comparable(await general.gql(document, on=on))
        assert ours == reference, document
        answered_with_data += bool((ours.get("data") or {}).get("contacts"))
    assert answered_with_data >= DOCUMENTS * 0.8  # the corpus exercises data, not just errors


@pytest.mark.parametrize(
    "document",
    [
        "{ node(id: $id) { id ... on SparkContact { displayName emails { address kind } } } }",
        "{ nodes(ids: [$id, $id]) { __typename ... on Contact { id nativeId provider } } }",
    ],
)
async def test_node_lookups_agree(gateways: tuple[Gateway, Gateway], document: str) -> None:
    planned, general = gateways
    listed = await general.data("{ contacts(provider: SPARK, first: 1) { nodes { id } } }")
    contact_id = listed["contacts"]["nodes"][0]["id"]
    query = "query ($id: ID!) " + document
    assert _comparable(await planned.gql(query, id=contact_id)) == _comparable(
        await general.gql(query, id=contact_id)
    )
