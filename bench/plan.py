"""Planning: run each scenario once through the gateway and record what it asked upstream.

The sandboxes' request logs give every provider call of the operation (method, path,
query as on the wire); the scenario supplies the bodies of its POSTs. Those calls
become the floor (sent straight to the sandboxes) and the ceiling (sent by the bare
passthrough), so all three fetch the same data. The counts are checked against the
scenario's limits here: this is what `--quick` reports and CI relies on. The floor
and ceiling operations are each run once too, so a broken plan fails before timing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.control import Sandboxes
from bench.ops import HttpRequest, Operation, graphql_request, perform, provider_request
from bench.scenarios import Ids, Scenario
from bench.upstream import PROVIDERS, Call

_tokens = itertools.count()


class PlanError(RuntimeError):
    """A scenario failed, or made a call the bench cannot replay."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    graphql: str
    passthrough: str
    roots: Mapping[str, str]


@dataclass(slots=True)
class Planned:
    """One scenario with the provider calls it made, and any limit it broke."""

    scenario: Scenario
    payload: dict[str, Any]
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {p: sum(c.provider == p for c in self.calls) for p in PROVIDERS}

    @property
    def has_floor(self) -> bool:
        """Whether there is an own floor: the same data straight from the sandboxes."""
        return bool(self.calls) and not (self.scenario.gateway_only or self.scenario.warm)

    @property
    def has_ceiling(self) -> bool:
        return not (self.scenario.gateway_only or self.scenario.warm)

    def stages(self) -> list[list[Call]]:
        """Reads go out at once, as the gateway sends them; a write's calls one by one."""
        if not self.calls:
            return []
        return [[c] for c in self.calls] if self.scenario.write else [list(self.calls)]

    def gateway_op(self, endpoints: Endpoints) -> Operation:
        s = self.scenario
        request = graphql_request(endpoints.graphql, self.payload, must=s.must, must_not=s.must_not)
        return Operation(((request,),))

    def floor_op(self, endpoints: Endpoints) -> Operation:
        return Operation(
            tuple(tuple(provider_request(c, endpoints.roots) for c in st) for st in self.stages())
        )

    def ceiling_op(self, endpoints: Endpoints) -> Operation:
        url = f"{endpoints.passthrough}/op/{self.scenario.key}"
        body = json.dumps(self.payload)
        return Operation(((HttpRequest("POST", url, body, {"Content-Type": "application/json"}),),))


def check_counts(scenario: Scenario, counts: Mapping[str, int]) -> list[str]:
    """The limits this operation broke (more calls than allowed; or not exactly, if `exact`)."""
    problems = []
    for provider in PROVIDERS:
        limit, made = scenario.limits.get(provider, 0), counts.get(provider, 0)
        if made > limit or (scenario.exact and made != limit):
            relation = "exactly" if scenario.exact else "at most"
            problems.append(f"{scenario.key}: {provider} got {made} requests, {relation} {limit}")
    return problems


def calls_from_logs(
    scenario: Scenario, logs: Mapping[str, Sequence[Mapping[str, Any]]], ids: Ids
) -> list[Call]:
    """The logged requests as replayable calls, with the scenario's bodies for its POSTs."""
    bodies = scenario.bodies(ids)
    calls = []
    for provider in PROVIDERS:
        for entry in logs.get(provider, ()):
            method, path, query = entry["method"], entry["path"], entry["query"]
            body = None
            if method in ("POST", "PUT", "PATCH"):
                key = f"{provider} {method} {path}"
                if key not in bodies:
                    raise PlanError(f"{scenario.key} sent {key}; bench/scenarios.py has no body")
                body = bodies[key]
            calls.append(Call(provider, method, path + (f"?{query}" if query else ""), body))
    return calls


async def plan(
    http: aiohttp.ClientSession,
    endpoints: Endpoints,
    sandboxes: Sandboxes,
    scenarios: Sequence[Scenario],
    ids: Ids,
) -> list[Planned]:
    """Every scenario recorded and checked; the passthrough learns the calls."""
    planned = [await _record(http, endpoints, sandboxes, s, ids) for s in scenarios]
    ceiling_plan = {
        p.scenario.key: [[c.as_dict() for c in stage] for stage in p.stages()]
        for p in planned
        if p.has_ceiling
    }
    async with http.post(f"{endpoints.passthrough}/_plan", json=ceiling_plan) as response:
        response.raise_for_status()
    for p in planned:
        if p.has_floor:
            await _once(http, p.floor_op(endpoints), f"{p.scenario.key} (floor)")
        if p.has_ceiling:
            await _once(http, p.ceiling_op(endpoints), f"{p.scenario.key} (ceiling)")
    return planned


async def _record(
    http: aiohttp.ClientSession,
    endpoints: Endpoints,
    sandboxes: Sandboxes,
    scenario: Scenario,
    ids: Ids,
) -> Planned:
    planned = Planned(scenario, {"query": scenario.query, "variables": scenario.variables(ids)})
    op = planned.gateway_op(endpoints)
    if scenario.warm:
        await _once(http, op, scenario.key)
    await sandboxes.forget()
    await _once(http, op, scenario.key)
    planned.calls = calls_from_logs(scenario, await sandboxes.logs(), ids)
    planned.problems = check_counts(scenario, planned.counts)
    return planned


async def _once(http: aiohttp.ClientSession, op: Operation, what: str) -> None:
    failure = await perform(http, op, f"plan.{next(_tokens)}")
    if failure is not None:
        raise PlanError(f"{what} failed: {failure}")
