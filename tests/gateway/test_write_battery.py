"""The write battery (RELIABILITY.md): concurrent clients mix reads and writes on Spark,
IS24 and AutoDNS while the sandboxes inject latency, server errors and connection resets
(before and after processing a write). Every write is sent by two clients at once under
the same idempotency key (a double submit), and each retries until it gets a definite
answer. Then every acknowledged write is checked against what the sandboxes store:
nothing lost, nothing duplicated (one contact per create key), no 5xx from the gateway,
and both clients of a key got the same result."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from tests.gateway.write_support import (
    CREATE,
    DELETE,
    PROVIDERS,
    READ,
    UPDATE,
    WriteStack,
    create_input,
    error_codes,
    update_input,
    write_stack,
)
from tests.harness import Gateway

CLIENTS: Final = 8
ROUNDS: Final = 3
SUBMITTERS: Final = 2
PATIENCE: Final = 20.0  # seconds a client keeps retrying one write (the breaker may open)
RETRY: Final = frozenset(
    {
        "OUTCOME_UNKNOWN",
        "IDEMPOTENCY_KEY_IN_FLIGHT",
        "PROVIDER_UNAVAILABLE",
        "PROVIDER_TIMEOUT",
        "RATE_LIMITED",
    }
)
FAULTS: Final = {
    "latency_ms": 15,
    "jitter_ms": 10,
    "error_rate": 0.1,  # 503 before processing
    "reset_rate": 0.1,  # connection reset, half before and half after processing
    "reset_writes_only": True,
}
LIST = """query($provider: Provider) {
  contacts(provider: $provider, first: 5, cache: {policy: FRESH_ONLY}) { nodes { id } }
}"""


@dataclass
class Tally:
    """What the clients saw: each key's answers, and the error codes met on the way."""

    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    codes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Planned:
    provider: str
    marker: str
    deleted: bool


async def _until_definite(
    gateway: Gateway, tally: Tally, document: str, name: str, **variables: Any
) -> dict[str, Any]:
    """Send until the answer is definite (a payload): retry codes only, the same key each
    time, backing off with full jitter as a polite client does."""
    rng = random.Random(str(variables))  # noqa: S311  # jitter, not cryptography
    ends = asyncio.get_running_loop().time() + PATIENCE
    for attempt in itertools.count():
        body = await gateway.gql(document, **variables)  # asserts: no 5xx
        codes = error_codes(body)
        tally.codes.update(codes)
        if not codes:
            payload: dict[str, Any] = body["data"][name]
            return payload
        assert set(codes) <= RETRY, body["errors"]
        assert asyncio.get_running_loop().time() < ends, f"no answer for {variables['key']}"
        await asyncio.sleep(rng.uniform(0, min(0.4, 0.02 * 2**attempt)))
    raise AssertionError("unreachable")


async def _write(
    gateway: Gateway, tally: Tally, document: str, name: str, **variables: Any
) -> dict[str, Any]:
    """The same write from SUBMITTERS clients at once; both must get the same answer."""
    answers = await asyncio.gather(
        *(_until_definite(gateway, tally, document, name, **variables) for _ in range(SUBMITTERS))
    )
    tally.answers[variables["key"]] = list(answers)
    return answers[0]


async def _client(gateway: Gateway, tally: Tally, index: int) -> list[Planned]:
    planned = []
    for round_ in range(ROUNDS):
        provider = PROVIDERS[(index + round_) % len(PROVIDERS)]
        marker = f"bat{index}x{round_}"
        created = await _write(
            gateway,
            tally,
            CREATE,
            "createContact",
            input=create_input(provider, marker),
            key=f"c-{marker}",
        )
        contact_id = created["contact"]["id"]
        await gateway.gql(READ, id=contact_id)
        await gateway.gql(LIST, provider=provider)
        await _write(
            gateway,
            tally,
            UPDATE,
            "updateContact",
            id=contact_id,
            input=update_input(marker),
            key=f"u-{marker}",
        )
        deleted = round_ % 2 == 1
        if deleted:
            await _write(gateway, tally, DELETE, "deleteContact", id=contact_id, key=f"d-{marker}")
        planned.append(Planned(provider, marker, deleted))
    return planned


async def _dropped(stack: WriteStack) -> int:
    logs = await asyncio.gather(*(s.requests() for s in stack.sandboxes.values()))
    return sum(1 for log in logs for r in log if r["dropped"])


def _check(stack: WriteStack, tally: Tally, planned: list[Planned]) -> None:
    for key, answers in tally.answers.items():
        assert all(a == answers[0] for a in answers), f"{key}: clients got different results"
        assert answers[0]["userErrors"] == [], f"{key}: {answers[0]['userErrors']}"
    for plan in planned:
        stored = stack.stored(plan.provider, plan.marker)
        created = tally.answers[f"c-{plan.marker}"][0]["contact"]
        if plan.deleted:
            assert stored == [], f"{plan.marker}: deleted, yet stored"
            assert tally.answers[f"d-{plan.marker}"][0]["deletedId"] == created["id"]
            continue
        assert len(stored) == 1, f"{plan.marker}: {len(stored)} contacts for one create key"
        assert f"Upd-{plan.marker}" in str(stored[0]), f"{plan.marker}: update lost"
        updated = tally.answers[f"u-{plan.marker}"][0]["contact"]
        assert (updated["id"], updated["givenName"]) == (created["id"], f"Upd-{plan.marker}")


async def test_no_write_is_lost_or_duplicated_under_faults() -> None:
    # The breaker may open under these faults; 1 s open (not 30) keeps the run bounded.
    async with (
        write_stack(total_timeout=1.0, circuit_open_seconds=1.0) as stack,
        stack.gateway() as gateway,
    ):
        for sandbox in stack.sandboxes.values():
            await sandbox.faults(**FAULTS)
        tally = Tally()
        async with asyncio.timeout(60):
            plans = await asyncio.gather(*(_client(gateway, tally, i) for i in range(CLIENTS)))
        dropped = await _dropped(stack)
    planned = [plan for client in plans for plan in client]
    _check(stack, tally, planned)
    assert len(planned) == CLIENTS * ROUNDS
    assert tally.codes["OUTCOME_UNKNOWN"] > 0 and dropped > 0, "the faults never bit"
    print(f"\nwrite battery: {len(tally.answers)} keys, dropped {dropped}, codes {tally.codes}")
