"""The schema as an artifact: schema.graphql matches the code, and everything is described."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from gateway.cli import schema_sdl
from resolvers.root import build_schema

ARTIFACT = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    assert ARTIFACT.read_text("utf-8") == schema_sdl(), (
        "schema.graphql is out of date: run `contact-gateway schema > schema.graphql`"
    )


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema()._schema
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in (getattr(field, "args", None) or {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_deprecated_fields_say_why() -> None:
    schema = build_schema()._schema
    deprecated = [
        (name, field_name, field.deprecation_reason)
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in kind.fields.items()
        if field.deprecation_reason is not None
    ]
    assert deprecated, "IS24's company and officeHours are deprecated"
    assert all(len(reason) > 10 for _, _, reason in deprecated)
