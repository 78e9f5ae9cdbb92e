"""The subgraph SDL as an artifact: schema.subgraph.graphql matches the code, it is the
public schema plus federation only, and an Apollo composition accepts it beside another
subgraph (Node.js and @apollo/composition, pinned in tests/federation/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from gateway.cli import schema_sdl
from resolvers.root import build_schema

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "schema.subgraph.graphql"
COMPOSER = ROOT / "tests" / "federation"
FEDERATION_TYPES = {"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"}
FEDERATION_FIELDS = {"_entities", "_service"}
ENTITY_TYPES = ("Contact", "SparkContact", "RealtorContact", "DomainContact")


def test_committed_subgraph_sdl_matches_the_code() -> None:
    assert ARTIFACT.read_text("utf-8") == schema_sdl(federation=True), (
        "schema.subgraph.graphql is out of date: run "
        "`contact-gateway schema --federation > schema.subgraph.graphql`"
    )


def _shape(schema: GraphQLSchema) -> dict[str, Any]:
    """Every type's kind, description and fields (with their types), federation left out."""
    shape: dict[str, Any] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in FEDERATION_TYPES:
            continue
        fields = {}
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            fields = {f: str(v.type) for f, v in kind.fields.items() if f not in FEDERATION_FIELDS}
        shape[name] = (type(kind).__name__, kind.description, fields)
    return shape


def test_the_subgraph_is_the_public_schema_plus_federation() -> None:
    public, subgraph = build_schema()._schema, build_schema(federation=True)._schema
    assert _shape(subgraph) == _shape(public)
    assert set(subgraph.query_type.fields) - set(public.query_type.fields) == FEDERATION_FIELDS
    assert public.get_type("_Entity") is None and "key" not in {d.name for d in public.directives}


def test_the_public_sdl_stays_free_of_federation() -> None:
    sdl = schema_sdl()
    assert "@key" not in sdl and "@link" not in sdl and "_entities" not in sdl


# --- composition ------------------------------------------------------------------------


@dataclass(frozen=True)
class Composer:
    node: str
    script: Path


@pytest.fixture(scope="module")
def composer() -> Composer:
    """node and compose.mjs, with its pinned packages installed beforehand."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "Node.js (node and npm) is not installed: the composition check needs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI installs nodejs and npm)")
        pytest.skip(reason)
    if not (COMPOSER / "node_modules" / "@apollo" / "composition").is_dir():
        # Installing is a set-up step (tests reach nothing beyond 127.0.0.1): .ci/run does it.
        reason = "the pinned composer is not installed: npm ci --prefix tests/federation"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (.ci/run installs it)")
        pytest.skip(reason)
    return Composer(node, COMPOSER / "compose.mjs")


def compose(composer: Composer, subgraphs: dict[str, str]) -> dict[str, Any]:
    payload = [
        {"name": name, "url": f"http://{name}.example/graphql", "sdl": sdl}
        for name, sdl in subgraphs.items()
    ]
    done = subprocess.run(
        [composer.node, str(composer.script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_subgraph_composes_with_another_subgraph(composer: Composer) -> None:
    listings = (COMPOSER / "listings.graphql").read_text("utf-8")
    result = compose(composer, {"contacts": schema_sdl(federation=True), "listings": listings})
    assert result["errors"] == []
    assert result["hints"] == []
    supergraph: str = result["supergraphSdl"]
    for name in ENTITY_TYPES:
        start = supergraph.index(f"{'interface' if name == 'Contact' else 'type'} {name} ")
        head = supergraph[start : supergraph.index("{", start)]
        assert '@join__type(graph: CONTACTS, key: "id")' in head, head
    assert '@join__type(graph: LISTINGS, key: "id", isInterfaceObject: true)' in supergraph
    assert "listingCount: Int! @join__field(graph: LISTINGS)" in supergraph


def test_composition_reports_a_conflicting_subgraph(composer: Composer) -> None:
    """The check is real: a second subgraph that redefines a contact field wrongly fails."""
    clash = """extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",
      import: ["@key"])
    type Query { other: Int }
    type SparkContact @key(fields: "id") { id: ID! tags: Int }"""
    result = compose(composer, {"contacts": schema_sdl(federation=True), "other": clash})
    assert result["supergraphSdl"] is None
    assert any("tags" in error for error in result["errors"]), result["errors"]
