"""Spark roles: what each key may do, refused locally (FORBIDDEN) before any upstream call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from providers.spark.types import SparkRole
from tests.harness import Gateway, Sandbox, spark_stack

CREATE = """mutation { createContact(input: {provider: SPARK, displayName: "A B",
  emails: [{address: "a.b@example.org"}]}) { contact { id } userErrors { code } } }"""
LIST = "{ contacts(first: 5) { totalCount nodes { id } } }"
ACTIVITY = "{ contacts(first: 5) { nodes { ... on SparkContact { activity { score } } } } }"
ME = "{ me { id displayName } }"


@pytest.fixture
async def as_role(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with spark_stack(request.param) as pair:
        yield pair


def _code(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


@pytest.mark.parametrize("as_role", [SparkRole.PUBLIC], indirect=True)
async def test_public_reads_but_cannot_write(as_role: tuple[Sandbox, Gateway]) -> None:
    sandbox, gateway = as_role
    assert (await gateway.data(LIST))["contacts"]["totalCount"] > 0
    await sandbox.forget()
    assert _code(await gateway.gql(CREATE)) == "FORBIDDEN"
    assert await sandbox.count() == 0


@pytest.mark.parametrize("as_role", [SparkRole.VOW, SparkRole.PORTAL], indirect=True)
async def test_vow_and_portal_reach_only_their_own_contact(
    as_role: tuple[Sandbox, Gateway],
) -> None:
    sandbox, gateway = as_role
    assert (await gateway.data(ME))["me"]["displayName"]
    await sandbox.forget()
    assert _code(await gateway.gql(LIST)) == "FORBIDDEN"
    assert _code(await gateway.gql(CREATE)) == "FORBIDDEN"
    assert await sandbox.count() == 0


@pytest.mark.parametrize("as_role", [SparkRole.VOW], indirect=True)
async def test_vow_sees_its_portal_on_its_own_contact(as_role: tuple[Sandbox, Gateway]) -> None:
    _, gateway = as_role
    data = await gateway.data("{ me { portal { enabled } vowEnabled } }")
    assert "portal" in data["me"]


@pytest.mark.parametrize("as_role", [SparkRole.IDX, SparkRole.PUBLIC], indirect=True)
async def test_activity_needs_the_private_role(as_role: tuple[Sandbox, Gateway]) -> None:
    sandbox, gateway = as_role
    await sandbox.forget()
    body = await gateway.gql(ACTIVITY)
    assert _code(body) == "FORBIDDEN"
    assert await sandbox.count() == 0


@pytest.mark.parametrize("as_role", [SparkRole.IDX], indirect=True)
async def test_idx_reads_and_writes(as_role: tuple[Sandbox, Gateway]) -> None:
    _, gateway = as_role
    body = await gateway.data(CREATE)
    assert body["createContact"]["userErrors"] == []
    providers = await gateway.data("{ providers { capabilities { expansions sortableFields } } }")
    caps = providers["providers"][0]["capabilities"]
    assert "Activity" not in caps["expansions"]
    assert "ACTIVITY_SCORE" not in caps["sortableFields"]
