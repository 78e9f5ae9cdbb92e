"""Idempotency keys and unknown outcomes, end to end: real sandboxes, a real gateway, and
connection resets injected by the sandboxes (tests/gateway/write_support.py)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.settings import IdempotencySettings
from tests.gateway.write_support import (
    CREATE,
    DELETE,
    PROVIDERS,
    UPDATE,
    WriteStack,
    create_input,
    error_codes,
    update_input,
    write_stack,
    writes_seen,
)
from tests.harness import Gateway

TRANSFER = """mutation($id: ID!, $owner: String!, $key: String) {
  transferContact(id: $id, ownerId: $owner, idempotencyKey: $key) {
    contact { id ... on SparkContact { ownerId recordStatus } }
    userErrors { field code message }
  }
}"""


@pytest.fixture
async def stack() -> AsyncIterator[WriteStack]:
    async with write_stack() as pair:
        yield pair


@pytest.fixture
async def gateway(stack: WriteStack) -> AsyncIterator[Gateway]:
    async with stack.gateway() as served:
        yield served


async def _create(gateway: Gateway, provider: str, marker: str, key: str | None) -> dict[str, Any]:
    return await gateway.gql(CREATE, input=create_input(provider, marker), key=key)


def _created(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"]["createContact"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


# --- the ledger ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_same_key_same_input_answers_the_first_result_without_writing_again(
    stack: WriteStack, gateway: Gateway, provider: str
) -> None:
    sandbox = stack.sandboxes[provider]
    first = _created(await _create(gateway, provider, "same1", "key-same-1"))
    await sandbox.forget()
    again = await _create(gateway, provider, "same1", "key-same-1")
    assert again["data"]["createContact"] == first
    assert await sandbox.count() == 0  # not even a read
    assert len(stack.stored(provider, "same1")) == 1


async def test_user_errors_are_the_first_result_too(stack: WriteStack, gateway: Gateway) -> None:
    sandbox = stack.sandboxes["AUTODNS"]
    _created(await _create(gateway, "AUTODNS", "dup1", "key-dup-a"))
    refused = await _create(gateway, "AUTODNS", "dup1", "key-dup-b")  # same data: EF03020
    errors = refused["data"]["createContact"]["userErrors"]
    assert [e["providerCode"] for e in errors] == ["EF03020"]
    await sandbox.forget()
    again = await _create(gateway, "AUTODNS", "dup1", "key-dup-b")
    assert again["data"]["createContact"] == refused["data"]["createContact"]
    assert await sandbox.count() == 0


async def test_the_same_key_with_another_input_is_refused(
    stack: WriteStack, gateway: Gateway
) -> None:
    _created(await _create(gateway, "SPARK", "reuse1", "key-reuse"))
    await stack.sandboxes["SPARK"].forget()
    other = await _create(gateway, "SPARK", "reuse2", "key-reuse")
    extensions = _only_error(other)
    assert (extensions["code"], extensions["idempotencyKey"]) == (
        "IDEMPOTENCY_KEY_REUSED",
        "key-reuse",
    )
    assert other["data"] is None
    assert await stack.sandboxes["SPARK"].count() == 0
    assert stack.stored("SPARK", "reuse2") == []


async def test_the_same_key_while_the_first_runs_is_refused(
    stack: WriteStack, gateway: Gateway
) -> None:
    await stack.sandboxes["SPARK"].faults(latency_ms=600)

    async def second() -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return await _create(gateway, "SPARK", "flight1", "key-flight")

    first, concurrent = await asyncio.gather(
        _create(gateway, "SPARK", "flight1", "key-flight"), second()
    )
    assert _only_error(concurrent)["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
    await stack.sandboxes["SPARK"].faults(latency_ms=0)
    again = await _create(gateway, "SPARK", "flight1", "key-flight")
    assert again["data"]["createContact"] == _created(first)
    assert len(stack.stored("SPARK", "flight1")) == 1


async def test_the_ledger_survives_a_gateway_restart(stack: WriteStack) -> None:
    async with stack.gateway() as before:
        first = _created(await _create(before, "IS24", "restart1", "key-restart"))
    await stack.sandboxes["IS24"].forget()
    async with stack.gateway() as after:  # a new process on the same data_dir
        again = await _create(after, "IS24", "restart1", "key-restart")
    assert again["data"]["createContact"] == first
    assert await stack.sandboxes["IS24"].count() == 0


async def test_keys_expire() -> None:
    async with (
        write_stack(idempotency=IdempotencySettings(ttl=1)) as stack,
        stack.gateway() as gateway,
    ):
        contact = _created(await _create(gateway, "SPARK", "expiry1", None))["contact"]
        sandbox = stack.sandboxes["SPARK"]
        await sandbox.forget()
        for _ in range(2):
            body = await gateway.gql(
                UPDATE, id=contact["id"], input=update_input("e1"), key="key-expiry"
            )
            assert body["data"]["updateContact"]["userErrors"] == []
        assert len(await writes_seen(sandbox)) == 1  # the second was the first's result
        await asyncio.sleep(1.1)
        await gateway.gql(UPDATE, id=contact["id"], input=update_input("e1"), key="key-expiry")
        assert len(await writes_seen(sandbox)) == 2  # the key had expired: written again


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ümlaut", "tab\t"])
async def test_malformed_keys_are_user_errors(gateway: Gateway, key: str) -> None:
    body = await _create(gateway, "SPARK", "badkey", key)
    (error,) = body["data"]["createContact"]["userErrors"]
    assert (error["field"], error["code"]) == (["idempotencyKey"], "INVALID")


# --- unknown outcomes and reconciliation --------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_lost_answer_is_outcome_unknown_and_the_retry_finds_the_contact(
    stack: WriteStack, gateway: Gateway, provider: str
) -> None:
    sandbox = stack.sandboxes[provider]
    await sandbox.faults(reset_after_next=1, reset_writes_only=True)
    lost = await _create(gateway, provider, "lost1", "key-lost")
    extensions = _only_error(lost)
    assert (extensions["code"], extensions["idempotencyKey"]) == ("OUTCOME_UNKNOWN", "key-lost")
    assert len(stack.stored(provider, "lost1")) == 1  # the provider did create it
    retried = _created(await _create(gateway, provider, "lost1", "key-lost"))
    assert retried["contact"]["emails"] == [{"address": "lost1@battery.example"}]
    assert len(await writes_seen(sandbox)) == 1  # reconciled: found, not written again
    assert len(stack.stored(provider, "lost1")) == 1
    again = await _create(gateway, provider, "lost1", "key-lost")
    assert again["data"]["createContact"] == retried


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_dropped_request_is_written_once_on_retry(
    stack: WriteStack, gateway: Gateway, provider: str
) -> None:
    sandbox = stack.sandboxes[provider]
    await sandbox.faults(reset_before_next=1, reset_writes_only=True)
    assert error_codes(await _create(gateway, provider, "drop1", "key-drop")) == ["OUTCOME_UNKNOWN"]
    assert stack.stored(provider, "drop1") == []
    _created(await _create(gateway, provider, "drop1", "key-drop"))
    assert len(await writes_seen(sandbox)) == 2
    assert len(stack.stored(provider, "drop1")) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_updates_and_deletes_reconcile(
    stack: WriteStack, gateway: Gateway, provider: str
) -> None:
    sandbox = stack.sandboxes[provider]
    contact = _created(await _create(gateway, provider, "ud1", None))["contact"]
    await sandbox.forget()
    await sandbox.faults(reset_after_next=1, reset_writes_only=True)
    variables = {"id": contact["id"], "input": update_input("ud1"), "key": "key-ud-u"}
    assert error_codes(await gateway.gql(UPDATE, **variables)) == ["OUTCOME_UNKNOWN"]
    updated = (await gateway.data(UPDATE, **variables))["updateContact"]
    assert updated["contact"]["givenName"] == "Upd-ud1"
    await sandbox.faults(reset_after_next=1, reset_writes_only=True)
    assert error_codes(await gateway.gql(DELETE, id=contact["id"], key="key-ud-d")) == [
        "OUTCOME_UNKNOWN"
    ]
    deleted = (await gateway.data(DELETE, id=contact["id"], key="key-ud-d"))["deleteContact"]
    assert (deleted["deletedId"], deleted["userErrors"]) == (contact["id"], [])
    assert [method for method, _ in await writes_seen(sandbox)] in (
        ["PUT", "DELETE"],  # IS24 and Spark: the update's retry saw it applied
        ["PUT", "PUT", "DELETE"],  # a provider that normalises the name: sent once more
    )
    assert stack.stored(provider, "ud1") == []


async def test_a_transfer_whose_answer_was_lost_is_not_sent_twice(
    stack: WriteStack, gateway: Gateway
) -> None:
    sandbox = stack.sandboxes["SPARK"]
    contact = _created(await _create(gateway, "SPARK", "move1", None))["contact"]
    await sandbox.forget()
    await sandbox.faults(reset_after_next=1, reset_writes_only=True)
    owner = "20110101000000000000002"
    variables = {"id": contact["id"], "owner": owner, "key": "key-move"}
    assert error_codes(await gateway.gql(TRANSFER, **variables)) == ["OUTCOME_UNKNOWN"]
    moved = (await gateway.data(TRANSFER, **variables))["transferContact"]
    assert moved["contact"]["ownerId"] == owner
    assert len(await writes_seen(sandbox)) == 1


async def test_without_a_key_a_lost_answer_is_still_outcome_unknown(
    stack: WriteStack, gateway: Gateway
) -> None:
    await stack.sandboxes["SPARK"].faults(reset_after_next=1, reset_writes_only=True)
    extensions = _only_error(await _create(gateway, "SPARK", "nokey1", None))
    assert extensions["code"] == "OUTCOME_UNKNOWN"
    assert "idempotencyKey" not in extensions


async def test_a_failure_before_anything_was_applied_frees_the_key(
    stack: WriteStack, gateway: Gateway
) -> None:
    await stack.sandboxes["SPARK"].faults(fail_next=1, error_status=503)
    refused = await _create(gateway, "SPARK", "free1", "key-free")
    assert error_codes(refused) == ["PROVIDER_UNAVAILABLE"]
    _created(await _create(gateway, "SPARK", "free1", "key-free"))
    assert len(stack.stored("SPARK", "free1")) == 1


async def test_a_deleted_contact_leaves_no_bytes_in_the_ledger(
    stack: WriteStack, gateway: Gateway
) -> None:
    marker = "erase7c1"
    contact = _created(await _create(gateway, "AUTODNS", marker, "key-erase"))["contact"]
    await gateway.data(DELETE, id=contact["id"])
    again = (await _create(gateway, "AUTODNS", marker, "key-erase"))["data"]["createContact"]
    assert again["contact"] is None
    assert [e["code"] for e in again["userErrors"]] == ["NOT_FOUND"]
    files = stack.settings.data_dir.glob("gateway.sqlite3*")
    assert not any(marker.encode() in path.read_bytes() for path in files)


async def test_the_users_own_contact_update_reconciles(stack: WriteStack, gateway: Gateway) -> None:
    document = """mutation($input: UpdateMyContactInput!, $key: String) {
      updateMyContact(input: $input, idempotencyKey: $key) {
        contact { givenName } userErrors { code }
      }
    }"""
    sandbox = stack.sandboxes["SPARK"]
    await sandbox.faults(reset_after_next=1, reset_writes_only=True)
    variables = {"input": {"givenName": "Me-1"}, "key": "key-me"}
    assert error_codes(await gateway.gql(document, **variables)) == ["OUTCOME_UNKNOWN"]
    mine = (await gateway.data(document, **variables))["updateMyContact"]
    assert mine == {"contact": {"givenName": "Me-1"}, "userErrors": []}
    assert len(await writes_seen(sandbox)) == 1  # found applied: not sent again


async def test_a_proxy_error_on_a_write_is_outcome_unknown(
    stack: WriteStack, gateway: Gateway
) -> None:
    """502/504: a proxy lost the upstream's answer, which may have applied the write."""
    await stack.sandboxes["SPARK"].faults(fail_next=1, error_status=504)
    assert error_codes(await _create(gateway, "SPARK", "proxy1", "key-proxy")) == [
        "OUTCOME_UNKNOWN"
    ]
    _created(await _create(gateway, "SPARK", "proxy1", "key-proxy"))  # nothing found: written
    assert len(stack.stored("SPARK", "proxy1")) == 1


async def test_a_provider_never_reached_is_not_an_unknown_outcome() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    async with write_stack() as stack:
        assert stack.settings.spark is not None
        dead = stack.settings.spark.model_copy(update={"base_url": f"http://127.0.0.1:{closed}"})
        stack.settings = stack.settings.model_copy(update={"spark": dead})
        async with stack.gateway() as gateway:
            refused = await _create(gateway, "SPARK", "dead1", "key-dead")
    assert error_codes(refused) == ["PROVIDER_UNAVAILABLE"]
