"""Client roles on every provider: a refused operation is FORBIDDEN and reaches no provider.

The matrix runs each role's API key against the embedded sandboxes (Spark, IS24,
AutoDNS behind one gateway) and counts what the three sandboxes received.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.auth_settings import AuthSettings
from providers.base import Operation
from providers.model import ProviderName
from resolvers.access import ROLE_OPERATIONS, ROOT_FIELD_OPERATIONS, Role
from resolvers.root import build_schema
from schema.ids import encode_global_id
from tests.gateway.auth_support import ROLE_KEYS, AuthedGateway, authed_gateway

SANDBOXES = ("spark", "is24", "autodns")
MISSING = {  # well-formed native ids no sandbox has
    ProviderName.SPARK: "20990101000000000000099",
    ProviderName.IS24: "999999999",
    ProviderName.AUTODNS: "99999999",
}


def _id(provider: ProviderName) -> str:
    return encode_global_id(provider, MISSING[provider])


def _cases() -> list[tuple[Operation, str, str, dict[str, Any]]]:
    """(operation, label, document, variables) for every operation on every provider."""
    cases: list[tuple[Operation, str, str, dict[str, Any]]] = [
        (Operation.LIST, "contacts", "{ contacts(first: 1) { totalCount } }", {}),
        (Operation.READ_ME, "me", "{ me { id } }", {}),
        (
            Operation.UPDATE_ME,
            "updateMyContact",
            'mutation { updateMyContact(input: {givenName: "Me"}) { userErrors { code } } }',
            {},
        ),
        (
            Operation.TRANSFER,
            "transferContact",
            'mutation($id: ID!) { transferContact(id: $id, ownerId: "20110101000000000000002") '
            "{ userErrors { code } } }",
            {"id": _id(ProviderName.SPARK)},
        ),
    ]
    for provider in ProviderName:
        name, ident = provider.value, {"id": _id(provider)}
        cases += [
            (
                Operation.READ,
                f"contact {name}",
                "query($id: ID!) { contact(id: $id) { id } }",
                ident,
            ),
            (
                Operation.CREATE,
                f"create {name}",
                f'mutation {{ createContact(input: {{provider: {name}, familyName: "Role"}}) '
                "{ userErrors { code } } }",
                {},
            ),
            (
                Operation.UPDATE,
                f"update {name}",
                'mutation($id: ID!) { updateContact(id: $id, input: {familyName: "Role"}) '
                "{ userErrors { code } } }",
                ident,
            ),
            (
                Operation.DELETE,
                f"delete {name}",
                "mutation($id: ID!) { deleteContact(id: $id) { userErrors { code } } }",
                ident,
            ),
        ]
    return cases


@pytest.fixture
async def gateway() -> AsyncIterator[AuthedGateway]:
    """The embedded sandboxes (auth open), with one API key per role."""
    auth = AuthSettings(api_keys=tuple(k.client for k in ROLE_KEYS.values()))
    async with authed_gateway(auth=auth) as running:
        yield running


async def _upstream(gateway: AuthedGateway) -> int:
    return sum([await gateway.sandbox(name).count() for name in SANDBOXES])


async def _forget(gateway: AuthedGateway) -> None:
    for name in SANDBOXES:
        await gateway.sandbox(name).forget()


@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix_on_every_provider(gateway: AuthedGateway, role: Role) -> None:
    client = gateway.as_key(ROLE_KEYS[role].key)
    for operation, label, document, variables in _cases():
        await _forget(gateway)
        body = await client.gql(document, **variables)
        codes = [e["extensions"]["code"] for e in body.get("errors", [])]
        if operation in ROLE_OPERATIONS[role]:
            assert "FORBIDDEN" not in codes, (role, label, body)
        else:
            assert codes == ["FORBIDDEN"], (role, label, body)
            assert body["errors"][0]["extensions"]["role"] == role.value
            assert await _upstream(gateway) == 0, (role, label)


async def test_the_table_follows_spark_roles() -> None:
    writes = {Operation.CREATE, Operation.UPDATE, Operation.DELETE}
    assert writes | {Operation.TRANSFER} <= ROLE_OPERATIONS[Role.PRIVATE]
    assert (
        writes <= ROLE_OPERATIONS[Role.IDX] and Operation.TRANSFER not in ROLE_OPERATIONS[Role.IDX]
    )
    assert ROLE_OPERATIONS[Role.PUBLIC] == {Operation.READ, Operation.LIST, Operation.READ_ME}
    for consumer in (Role.VOW, Role.PORTAL):
        assert ROLE_OPERATIONS[consumer] - ROLE_OPERATIONS[Role.PUBLIC] == {Operation.UPDATE_ME}


def test_every_mutation_has_an_operation_in_the_role_table() -> None:
    """A mutation missing from the table would be refused for every role (deny by default)."""
    schema = build_schema()._schema
    mutation = schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) <= set(ROOT_FIELD_OPERATIONS)


async def test_the_anonymous_role_of_an_open_gateway_is_configurable() -> None:
    async with authed_gateway(auth=AuthSettings(open_role=Role.PUBLIC)) as gateway:
        client = gateway.anonymous()
        assert (await client.data("{ contacts(first: 0) { totalCount } }"))["contacts"]
        await _forget(gateway)
        body = await client.gql(_cases()[2][2])  # updateMyContact
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await _upstream(gateway) == 0
