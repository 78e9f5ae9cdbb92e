"""`contactChanged` over real WebSockets (graphql-transport-ws on aiohttp) and SSE.

Writes through the gateway reach every subscriber once, at once; changes made at a
provider arrive by polling; a slow subscriber is bounded and never holds up the
others; clients are bounded; tenants never hear each other; with Redis, a write
through one gateway reaches a subscriber of another.
"""

from __future__ import annotations

import asyncio
import json
import signal
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.auth_settings import AuthSettings
from gateway.settings import SandboxSettings, Settings, SparkSettings, TenantSettings
from gateway.subscription_settings import SubscriptionSettings
from providers.model import ContactInput, Email, ProviderName
from providers.sandboxing import ServedApp
from resolvers.access import Role
from resolvers.changes import ChangeKind, ContactChange
from schema.ids import decode_global_id
from tests.gateway.auth_support import issue
from tests.gateway.live_support import (
    LiveClient,
    LiveStack,
    connect,
    listening,
    live_stack,
    sse_events,
)
from tests.harness import Gateway, fresh_data_dir, spark_settings
from tests.processes import serve

EVENT = """kind provider id nativeId source at
  contact { id displayName ... on SparkContact { tags } ... on DomainContact { alias } }"""
FOLLOW = f"""subscription($provider: Provider, $ids: [ID!]) {{
  contactChanged(provider: $provider, ids: $ids) {{ {EVENT} }} }}"""
CREATE = """mutation($name: String!, $email: String! = "live.test@example.org") {
  createContact(input: {provider: SPARK, displayName: $name, emails: [{address: $email}],
  spark: {tags: ["Live"]}})
  { contact { id } userErrors { code } } }"""
RENAME = """mutation($id: ID!, $name: String!) { updateContact(id: $id, input: {displayName: $name})
  { userErrors { code } } }"""
DELETE = "mutation($id: ID!) { deleteContact(id: $id) { deletedId userErrors { code } } }"
IS24_PLAIN = """{ contacts(provider: IS24, first: 5) {
  nodes { id ... on RealtorContact { defaultContact } } } }"""
FIRST = "query($p: Provider!) { contacts(provider: $p, first: 3) { nodes { id nativeId } } }"


WORKING_TREE = {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
"""`serve` subprocesses import this checkout, whatever the installed console script maps."""


def _native(global_id: str) -> str:
    return decode_global_id(global_id)[1]


async def _first_ids(stack: LiveStack, provider: ProviderName) -> list[str]:
    page = await stack.gateway.data(FIRST, p=provider.value)
    return [n["id"] for n in page["contacts"]["nodes"]]


async def test_writes_through_the_gateway_reach_each_subscriber_exactly_once() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=0.2)) as stack:
        first, second = await stack.connect(), await stack.connect()
        await first.subscribe("a", FOLLOW, provider="SPARK")
        await second.subscribe("b", FOLLOW)  # every provider
        await listening(stack.app, 2)
        created = await stack.gateway.data(CREATE, name="Live Ada")
        contact_id = created["createContact"]["contact"]["id"]
        await stack.gateway.data(RENAME, id=contact_id, name="Live Ada King")
        await stack.gateway.data(DELETE, id=contact_id)
        for client, op in ((first, "a"), (second, "b")):
            events = [await client.event(op) for _ in range(3)]
            assert [(e["kind"], e["id"], e["source"]) for e in events] == [
                ("CREATED", contact_id, "WRITE"),
                ("UPDATED", contact_id, "WRITE"),
                ("DELETED", contact_id, "WRITE"),
            ]
            assert events[0]["provider"] == "SPARK"
            assert events[0]["nativeId"] == _native(contact_id)
            # each contact is read when its event goes out: the rename already happened
            assert events[0]["contact"]["id"] == contact_id
            assert events[2]["contact"] is None
        # the pollers see the same writes again (several polls): nobody hears them twice
        assert await first.quiet("a", 1.0) == []
        assert await second.quiet("b", 0.1) == []
        await first.close()
        await second.close()


async def test_changes_made_at_the_providers_arrive_by_polling() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=0.2)) as stack:
        autodns_id = (await _first_ids(stack, ProviderName.AUTODNS))[0]
        is24_page = await stack.gateway.data(IS24_PLAIN)
        is24_ids = [n["id"] for n in is24_page["contacts"]["nodes"] if not n["defaultContact"]]
        client = await stack.connect()
        await client.subscribe("all", FOLLOW)
        await client.subscribe("one", FOLLOW, ids=[autodns_id])
        await listening(stack.app, 2)
        spark = stack.direct(ProviderName.SPARK)
        autodns = stack.direct(ProviderName.AUTODNS)
        is24 = stack.direct(ProviderName.IS24)
        try:
            made = await spark.provider.create(
                ContactInput(display_name="Polly Poll", emails=(Email("polly@example.org"),))
            )
            event = await client.event("all")
            assert (event["kind"], event["provider"], event["source"]) == (
                "CREATED",
                "SPARK",
                "POLL",
            )
            assert event["nativeId"] == made.native_id
            assert event["contact"]["displayName"] == "Polly Poll"

            await spark.provider.update(made.native_id, ContactInput(display_name="Polly Later"))
            event = await client.event("all")
            assert (event["kind"], event["contact"]["displayName"]) == ("UPDATED", "Polly Later")

            victim = is24_ids[0]  # not the default contact, which IS24 never deletes
            await is24.provider.delete(_native(victim))  # IS24: no timestamps, the list diff
            event = await client.event("all")
            assert (event["kind"], event["id"], event["contact"]) == ("DELETED", victim, None)

            await autodns.provider.delete(_native(autodns_id))  # a named id: read by id
            seen = {(e["kind"], e["id"]) for e in [await client.event("one")]}
            assert seen == {("DELETED", autodns_id)}
        finally:
            for entry in (spark, autodns, is24):
                await entry.provider.aclose()
        await client.close()


async def _drain(client: LiveClient) -> tuple[list[str], aiohttp.WSMessage]:
    """Read a connection to its end: the native ids of its events, and the close frame."""
    ids: list[str] = []
    while True:
        frame = await asyncio.wait_for(client.ws.receive(), 3)
        if frame.type is not aiohttp.WSMsgType.TEXT:
            return ids, frame
        message = json.loads(frame.data)
        if message.get("type") == "next":
            ids.append(message["payload"]["data"]["contactChanged"]["nativeId"])


async def test_a_subscriber_that_stops_reading_is_cut_off_without_holding_up_others() -> None:
    settings = SubscriptionSettings(poll_interval=60, keepalive=0.2, pong_timeout=0.4)
    async with live_stack(settings) as stack:
        reader = await stack.connect()
        sleeper = await stack.connect(read=False)  # never reads, never answers a ping
        await reader.subscribe("r", FOLLOW, provider="SPARK")
        await sleeper.subscribe("s", FOLLOW, provider="SPARK")
        await listening(stack.app, 2)
        scope = stack.app.state.tenants["default"].get(ProviderName.SPARK).cache_scope
        loop = asyncio.get_running_loop()
        started = loop.time()
        for n in range(200):  # writes announced on the bus, as a busy gateway would
            change = ContactChange(
                "default", scope, ProviderName.SPARK, f"9{n:09d}", ChangeKind.DELETED
            )
            await stack.app.state.changes.publish(change)
            if n % 20 == 19:
                got = [await reader.event("r") for _ in range(20)]
                assert [g["nativeId"] for g in got] == [f"9{m:09d}" for m in range(n - 19, n + 1)]
        assert loop.time() - started < 3, "the reader got every change promptly"
        await asyncio.sleep(0.8)  # a ping, and no pong
        assert stack.app.state.live.stats().subscriptions == 1, "the sleeper left the feed"
        more = ContactChange("default", scope, ProviderName.SPARK, "8000000001", ChangeKind.DELETED)
        await stack.app.state.changes.publish(more)
        assert (await reader.event("r"))["nativeId"] == "8000000001"
        # now the sleeper reads: what its socket already held, then the reason it was cut off
        received, closing = await _drain(sleeper)
        assert "8000000001" not in received, "nothing reached it after it was cut off"
        assert closing.data == 4008 and "too slow" in closing.extra
        await reader.close()
        await sleeper.close()


def _spark_scope(stack: LiveStack) -> str:
    scope: str = stack.app.state.tenants["default"].get(ProviderName.SPARK).cache_scope
    return scope


async def _announce(stack: LiveStack, native_ids: list[str], kind: ChangeKind) -> None:
    """Writes announced on the bus, spaced like a busy gateway's (not all in one tick)."""
    scope = _spark_scope(stack)
    for native_id in native_ids:
        change = ContactChange("default", scope, ProviderName.SPARK, native_id, kind)
        await stack.app.state.changes.publish(change)
        await asyncio.sleep(0.02)


SLIM = "subscription { contactChanged(provider: SPARK) { kind nativeId } }"
HEAVY = """subscription { contactChanged(provider: SPARK) {
  kind nativeId contact { displayName } } }"""


async def test_a_subscriber_that_falls_behind_is_ended_and_never_holds_up_others() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60, queue_size=3)) as stack:
        spark_ids = [_native(i) for i in await _spark_ids(stack, 12)]
        await stack.sandboxes[ProviderName.SPARK].faults(latency_ms=400)
        client = await stack.connect()
        await client.subscribe("fast", SLIM)  # reads nothing per event
        await client.subscribe("slow", HEAVY)  # one slow Spark read per event
        await listening(stack.app, 2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await _announce(stack, spark_ids, ChangeKind.UPDATED)
        fast = [(await client.event("fast"))["nativeId"] for _ in spark_ids]
        assert fast == spark_ids and loop.time() - started < 2.0
        slow = [await client.message("slow", 5) for _ in range(3)]
        assert slow[0]["type"] == "next" and "errors" not in slow[0]["payload"]
        ended = slow[1]["payload"]["errors"][0]
        assert ended["extensions"] == {"code": "SUBSCRIBER_TOO_SLOW", "limit": 3}
        assert slow[2]["type"] == "complete"
        assert stack.app.state.live.stats().subscriptions == 1
        await client.close()


async def test_repeated_changes_of_one_contact_coalesce_for_a_slow_subscriber() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60, queue_size=3)) as stack:
        [contact_id] = [_native(i) for i in await _spark_ids(stack, 1)]
        await stack.sandboxes[ProviderName.SPARK].faults(latency_ms=400)
        client = await stack.connect()
        await client.subscribe("fast", SLIM)
        await client.subscribe("slow", HEAVY)
        await listening(stack.app, 2)
        await _announce(stack, [contact_id] * 10, ChangeKind.UPDATED)
        assert [(await client.event("fast"))["nativeId"] for _ in range(10)] == [contact_id] * 10
        slow = [await client.event("slow", 5) for _ in range(2)]
        assert {e["nativeId"] for e in slow} == {contact_id}
        assert await client.quiet("slow", 1.0) == [], "ten changes, two events, not ended"
        await client.close()


async def _spark_ids(stack: LiveStack, count: int) -> list[str]:
    query = "query($n: Int!) { contacts(provider: SPARK, first: $n) { nodes { id } } }"
    page = await stack.gateway.data(query, n=count)
    return [n["id"] for n in page["contacts"]["nodes"]]


async def test_subscriptions_are_bounded_per_client_across_connections() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60, max_per_client=2)) as stack:
        one, two = await stack.connect(), await stack.connect()
        await one.subscribe("a", SLIM)
        await one.subscribe("b", SLIM)
        await listening(stack.app, 2)
        await two.subscribe("c", SLIM)
        refused = await two.message("c")
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 2}
        await one.complete("a")
        await listening(stack.app, 1)
        await two.subscribe("d", SLIM)
        await listening(stack.app, 2)
        await _announce(stack, ["1000000001"], ChangeKind.DELETED)
        assert (await two.event("d"))["nativeId"] == "1000000001"
        assert (await one.event("b"))["nativeId"] == "1000000001"
        await one.close()
        await two.close()


async def test_limits_and_plain_http_apply_to_subscriptions() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60)) as stack:
        client = await stack.connect()
        aliases = " ".join(f"k{n}: kind" for n in range(16))
        await client.subscribe("x", f"subscription {{ contactChanged {{ {aliases} }} }}")
        refused = await client.message("x")
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
        await client.subscribe("y", "subscription { contactChanged { nope } }")
        invalid = await client.message("y")
        assert invalid["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await client.subscribe("z", FOLLOW, ids=["not-an-id"])
        assert (await client.message("z"))["payload"][0]["extensions"]["code"] == "INVALID_ID"
        assert stack.app.state.live.stats().subscriptions == 0
        body = {"query": SLIM}
        async with stack.http.post(stack.gateway.url, json=body) as resp:
            assert resp.status == 400
            assert "text/event-stream" in (await resp.json())["errors"][0]["message"]
        await client.close()


async def test_sse_delivers_the_same_events() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60)) as stack:
        client = await stack.connect()
        await client.subscribe("ws", FOLLOW, provider="SPARK")
        headers = {"Accept": "text/event-stream"}
        body = {"query": FOLLOW, "variables": {"provider": "SPARK"}}
        async with stack.http.post(stack.gateway.url, json=body, headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            events = sse_events(resp)
            await listening(stack.app, 2)
            created = await stack.gateway.data(CREATE, name="Streamed Ada")
            contact_id = created["createContact"]["contact"]["id"]
            kind, data = await asyncio.wait_for(anext(events), 3)
            over_ws = await client.event("ws")
        assert kind == "next"
        assert data["data"]["contactChanged"] == over_ws
        assert over_ws["id"] == contact_id and over_ws["kind"] == "CREATED"
        await listening(stack.app, 1)  # the stream's end ended its subscription
        bad = {"query": "subscription { contactChanged { nope } }"}
        async with stack.http.post(stack.gateway.url, json=bad, headers=headers) as resp:
            got = [item async for item in sse_events(resp)]
        assert [k for k, _ in got] == ["next", "complete"]
        assert got[0][1]["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await client.close()


A = issue("agent-a-app", Role.PRIVATE)  # the default tenant: Spark agent A
B = issue("agent-b-app", Role.PRIVATE, tenant="b")  # Spark agent B
C = issue("same-token-app", Role.PRIVATE, tenant="c")  # agent A's token, another tenant


@asynccontextmanager
async def tenant_gateway() -> AsyncIterator[tuple[Gateway, Starlette]]:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=30).app) as spark,
    ):

        def account(token: str) -> SparkSettings:
            return SparkSettings(base_url=spark.base_url, access_token=SecretStr(token))

        settings = Settings(
            spark=account(spark_sandbox.PRIVATE_TOKEN),
            tenants={
                "b": TenantSettings(spark=account(spark_sandbox.OTHER_AGENT_TOKEN)),
                "c": TenantSettings(spark=account(spark_sandbox.PRIVATE_TOKEN)),
            },
            sandbox=SandboxSettings(enabled=False),
            auth=AuthSettings(api_keys=(A.client, B.client, C.client)),
            subscriptions=SubscriptionSettings(poll_interval=60),
            data_dir=fresh_data_dir(),
        )
        app = create_app(settings)
        async with ServedApp(app) as served:
            yield Gateway(served, http), app


async def _write_as(gateway: Gateway, key: str, name: str) -> str:
    payload = {"query": CREATE, "variables": {"name": name}}
    headers = {"X-API-Key": key}
    async with gateway.http.post(gateway.url, json=payload, headers=headers) as resp:
        body = await resp.json()
    contact_id: str = body["data"]["createContact"]["contact"]["id"]
    return contact_id


async def test_a_subscriber_hears_only_its_own_tenant() -> None:
    async with tenant_gateway() as (gateway, app):
        base = gateway.served.base_url
        a = await connect(gateway.http, base, headers={"X-API-Key": A.key})
        b = await connect(gateway.http, base, payload={"X-API-Key": B.key})
        c = await connect(gateway.http, base, payload={"x-api-key": C.key})
        for client in (a, b, c):
            await client.subscribe("s", SLIM)
        await listening(app, 3)
        by_a = await _write_as(gateway, A.key, "Tenant A Contact")
        assert (await a.event("s")) == {"kind": "CREATED", "nativeId": _native(by_a)}
        by_b = await _write_as(gateway, B.key, "Tenant B Contact")
        assert (await b.event("s")) == {"kind": "CREATED", "nativeId": _native(by_b)}
        assert await a.quiet("s", 0.5) == []
        assert await b.quiet("s", 0.0) == []
        assert await c.quiet("s", 0.0) == [], "the same credential, but another tenant"
        for client in (a, b, c):
            await client.close()


async def test_websockets_authenticate_like_http() -> None:
    async with tenant_gateway() as (gateway, _):
        base = gateway.served.base_url
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await connect(gateway.http, base, headers={"X-API-Key": "cgw_wrong"})
        assert refused.value.status == 401
        for payload in ({"X-API-Key": "cgw_wrong"}, {}):
            client = await connect(gateway.http, base, payload=payload)
            closed = await client.messages[None].get()
            assert closed["code"] == 4403
            assert closed["data"].extra.startswith("UNAUTHENTICATED")
            await client.close()
        both = await connect(
            gateway.http, base, headers={"X-API-Key": A.key}, payload={"X-API-Key": A.key}
        )
        assert (await both.messages[None].get())["code"] == 4403, "one credential only"
        await both.close()


async def test_a_write_through_one_gateway_reaches_a_subscriber_of_another(
    redis_url: str,
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox(contact_count=30).app) as sandbox,
    ):
        settings = spark_settings(sandbox.base_url).model_copy(
            update={
                "cache_url": SecretStr(redis_url),
                "subscriptions": SubscriptionSettings(poll_interval=60),
            }
        )
        writer_app, listener_app = create_app(settings), create_app(settings)
        async with ServedApp(writer_app) as writer, ServedApp(listener_app) as listener:
            client = await connect(http, listener.base_url)
            await client.subscribe("s", FOLLOW, provider="SPARK")
            await listening(listener_app, 1)
            created = await Gateway(writer, http).data(CREATE, name="Across Processes")
            contact_id = created["createContact"]["contact"]["id"]
            event = await client.event("s")
            assert (event["kind"], event["id"], event["source"]) == ("CREATED", contact_id, "WRITE")
            assert event["contact"]["displayName"] == "Across Processes"
            assert await client.quiet("s", 0.3) == []
            await client.close()


async def test_mutations_stay_on_the_json_endpoint() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=60)) as stack:
        client = await stack.connect()
        await client.subscribe("m", CREATE, name="Over The Socket")
        refused = await client.message("m")
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
        await client.subscribe("q", "{ providers { name } }")
        answer = await client.message("q")
        assert answer["type"] == "next" and len(answer["payload"]["data"]["providers"]) == 3
        assert (await client.message("q"))["type"] == "complete"
        await client.close()


async def test_serve_with_two_workers_delivers_writes_through_either_worker_once() -> None:
    """Real `contact-gateway serve --workers 2` on SQLite: the change bus reaches one
    worker only, so a write through the other worker arrives by polling, still once."""
    env = {
        "CONTACT_GATEWAY_DATA_DIR": "data",
        "CONTACT_GATEWAY_SUBSCRIPTIONS__POLL_INTERVAL": "0.3",
    }
    new_connections = aiohttp.TCPConnector(force_close=True)  # spread over the workers
    with (
        tempfile.TemporaryDirectory(prefix="contact-gateway-live-") as name,
        serve(["--workers", "2"], Path(name), {**env, **WORKING_TREE}) as parent,
    ):
        async with (
            aiohttp.ClientSession() as http,
            aiohttp.ClientSession(connector=new_connections) as spread,
        ):
            await parent.wait_ready(http)
            client = await connect(http, parent.base_url)
            await client.subscribe("s", SLIM)
            await asyncio.sleep(1.0)  # its pollers take their baselines
            made = [await _create_through(spread, parent.graphql_url, n) for n in range(4)]
            heard = [await client.event("s", 5) for _ in made]
            assert sorted(e["nativeId"] for e in heard) == sorted(made)
            assert {e["kind"] for e in heard} == {"CREATED"}
            assert await client.quiet("s", 1.0) == []
            await client.close()


async def _create_through(http: aiohttp.ClientSession, url: str, n: int) -> str:
    variables = {"name": f"Worker Made {n}", "email": f"worker.{n}@example.org"}
    async with http.post(url, json={"query": CREATE, "variables": variables}) as resp:
        body = await resp.json()
    return _native(body["data"]["createContact"]["contact"]["id"])


async def test_one_poller_per_provider_runs_only_while_someone_follows_it() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=0.1)) as stack:
        spark = stack.sandboxes[ProviderName.SPARK]
        await asyncio.sleep(0.3)
        assert await spark.count() == 0, "nobody subscribed: nothing polled"
        one, two = await stack.connect(), await stack.connect()
        await one.subscribe("s", SLIM)
        await two.subscribe("s", SLIM)
        await listening(stack.app, 2)
        assert len(stack.app.state.live.stats().pollers) == 1, "shared by both"
        await spark.forget()
        await asyncio.sleep(0.55)
        polls = await spark.count()
        assert 3 <= polls <= 7, f"one request per 0.1 s poll, not one per subscriber: {polls}"
        await one.complete("s")
        await listening(stack.app, 1)
        await two.close()
        await listening(stack.app, 0)
        assert stack.app.state.live.stats().pollers == {}
        await spark.forget()
        await asyncio.sleep(0.3)
        assert await spark.count() == 0, "the last one left: polling stopped"
        await one.close()


async def test_polling_rides_out_a_failing_provider() -> None:
    async with live_stack(SubscriptionSettings(poll_interval=0.1)) as stack:
        [target] = await _spark_ids(stack, 1)
        client = await stack.connect()
        await client.subscribe("s", FOLLOW, provider="SPARK")
        await listening(stack.app, 1)
        spark = stack.sandboxes[ProviderName.SPARK]
        await spark.faults(fail_next=3)  # one poll fails, retries included
        for _ in range(100):  # until the failing poll is over
            if sum(r["status"] >= 500 for r in await spark.requests()) >= 3:
                break
            await asyncio.sleep(0.05)
        direct = stack.direct(ProviderName.SPARK)
        try:
            await direct.provider.update(_native(target), ContactInput(display_name="Back Again"))
        finally:
            await direct.provider.aclose()
        event = await client.event("s", 5)
        assert (event["id"], event["kind"], event["source"]) == (target, "UPDATED", "POLL")
        assert event["contact"]["displayName"] == "Back Again"
        await client.close()


async def test_stopping_serve_ends_streams_at_once() -> None:
    """SIGTERM to a real `serve`: subscriptions complete at once (uvicorn would otherwise
    wait out its graceful-shutdown timeout, here 32 s, for the event stream)."""
    env = {"CONTACT_GATEWAY_DATA_DIR": "data", "CONTACT_GATEWAY_REQUEST_DEADLINE": "30"}
    with (
        tempfile.TemporaryDirectory(prefix="contact-gateway-stop-") as name,
        serve([], Path(name), {**env, **WORKING_TREE}) as process,
    ):
        async with aiohttp.ClientSession() as http:
            await process.wait_ready(http)
            client = await connect(http, process.base_url)
            await client.subscribe("s", SLIM)
            headers = {"Accept": "text/event-stream"}
            body = {"query": SLIM}
            async with http.post(process.graphql_url, json=body, headers=headers) as resp:
                events = sse_events(resp)
                await asyncio.sleep(1.0)
                await _create_through(http, process.graphql_url, 0)
                assert (await client.event("s"))["kind"] == "CREATED"
                assert (await asyncio.wait_for(anext(events), 3))[0] == "next"
                loop = asyncio.get_running_loop()
                started = loop.time()
                code = await asyncio.to_thread(process.stop)
                # uvicorn re-raises the SIGTERM it handled once it has stopped
                assert code in (0, -signal.SIGTERM) and loop.time() - started < 5
                assert [k async for k, _ in events] == ["complete"]
            assert (await client.message("s"))["type"] == "complete"
            await client.close()
