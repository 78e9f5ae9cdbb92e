"""Document limits: each abusive request is refused with its code before any provider call.

Every stack here runs all three provider sandboxes behind one gateway, so the upstream
request counts cover every provider the gateway could have called.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from graphql import Lexer, Source, TokenKind, get_introspection_query, specified_rules
from pydantic import ValidationError

import providers.autodns.sandbox as autodns_sandbox
import providers.is24.sandbox as is24_sandbox
import providers.spark.sandbox as spark_sandbox
from gateway.app import create_app
from gateway.limits.documents import DocumentCache
from gateway.limits.extension import hides_suggestions
from gateway.settings import (
    LimitSettings,
    Settings,
    load_settings,
)
from providers.model import ProviderName
from providers.sandboxing import ServedApp
from providers.spark.adapter import SparkProvider
from resolvers.root import build_schema
from schema.ids import encode_global_id
from tests.harness import OPEN, Gateway, Sandbox, all_providers_settings, fresh_data_dir

GQL_RESPONSE = "application/graphql-response+json"


@dataclass
class Stack:
    gateway: Gateway
    sandboxes: dict[str, Sandbox]

    async def upstream(self) -> int:
        """Requests the three providers received since the last `forget`."""
        return sum([await s.count() for s in self.sandboxes.values()])

    async def forget(self) -> None:
        for sandbox in self.sandboxes.values():
            await sandbox.forget()

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, raw: bytes | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST asking for application/graphql-response+json: request errors are 400."""
        data = raw if raw is not None else json.dumps({"query": query, "variables": variables})
        headers = {"Content-Type": "application/json", "Accept": GQL_RESPONSE}
        async with self.gateway.http.post(self.gateway.url, data=data, headers=headers) as resp:
            body: dict[str, Any] = await resp.json(content_type=None)
            return resp.status, body


def _settings(
    spark: str, is24: str, autodns: str, limits: dict[str, Any], **extra: Any
) -> Settings:
    return all_providers_settings(spark, is24, autodns, limits=LimitSettings(**limits), **extra)


@asynccontextmanager
async def three_providers(*, federation: bool = False, **limits: Any) -> AsyncIterator[Stack]:
    """Spark, IS24 and AutoDNS sandboxes behind one gateway with these `limits`."""
    async with (
        aiohttp.ClientSession() as http,
        ServedApp(spark_sandbox.create_spark_sandbox().app) as spark,
        ServedApp(is24_sandbox.create_is24_sandbox().app) as is24,
        ServedApp(autodns_sandbox.create_autodns_sandbox().app) as autodns,
    ):
        urls = (spark.base_url, is24.base_url, autodns.base_url)
        settings = _settings(*urls, limits, federation=federation)
        async with ServedApp(create_app(settings)) as served:
            sandboxes = {
                "SPARK": Sandbox(spark, http),
                "IS24": Sandbox(is24, http),
                "AUTODNS": Sandbox(autodns, http),
            }
            yield Stack(Gateway(served, http), sandboxes)


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    async with three_providers() as started:
        yield started


def _tokens(text: str) -> int:
    lexer, count = Lexer(Source(text)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def _padded_to_tokens(count: int) -> str:
    """A cheap valid document of exactly `count` tokens: `__typename` repeated (the copies
    merge), spread over three selection sets — graphql-core's overlapping-fields rule
    gives up on ~1000 copies in one set."""
    blocks = ("nodes", "edges", "pageInfo")

    def document(filler: int) -> str:
        sets = " ".join(
            f"{b} {{ {'__typename ' * (filler // 3 + (i < filler % 3))}}}"
            for i, b in enumerate(blocks)
        )
        return f"{{ contacts(provider: SPARK, first: 1) {{ totalCount {sets} }} }}"

    return document(count - _tokens(document(0)))


def _aliases(count: int) -> str:
    fields = " ".join(f"a{i}: id" for i in range(count))
    return f"{{ contacts(provider: SPARK, first: 1) {{ nodes {{ {fields} }} }} }}"


def _directives(count: int) -> str:
    fields = " ".join("id @include(if: true)" for _ in range(count))
    return f"{{ contacts(provider: SPARK, first: 1) {{ nodes {{ {fields} }} }} }}"


def _root_fields(count: int) -> str:
    others = " ".join(f"r{i}: __typename" for i in range(count - 1))
    return f"{{ contacts(provider: SPARK, first: 1) {{ totalCount }} {others} }}"


def _length(chars: int) -> str:
    query = "{ contacts(provider: SPARK, first: 1) { totalCount } }\n#"
    return query + "x" * (chars - len(query))


MISSING_SPARK_ID = encode_global_id(ProviderName.SPARK, "20110101000000000009999")


def _depth(levels: int) -> str:
    """Exactly `levels` deep (7 or more): node > (sameAs > contact)* > a leaf. The contact
    does not exist, so no sameAs search runs; the estimate still prices them."""
    leaf = {0: "... on SparkContact { activity { daily { day } } }", 1: "emails { address }"}
    depths = {0: 3, 1: 2}
    pairs = (levels - 1 - depths[levels % 2]) // 2
    selection = leaf[levels % 2]
    for _ in range(pairs):
        selection = f"sameAs {{ contact {{ {selection} }} }}"
    return f'{{ node(id: "{MISSING_SPARK_ID}") {{ ... on Contact {{ {selection} }} }} }}'


LIMIT_CASES = [
    ("length", _length, 15_000, "DOCUMENT_TOO_LARGE"),
    ("tokens", _padded_to_tokens, 1_000, "TOO_MANY_TOKENS"),
    ("depth", _depth, 8, "QUERY_TOO_DEEP"),
    ("aliases", _aliases, 15, "TOO_MANY_ALIASES"),
    ("directives", _directives, 50, "TOO_MANY_DIRECTIVES"),
    ("root fields", _root_fields, 10, "TOO_MANY_ROOT_FIELDS"),
]


@pytest.mark.parametrize(("what", "document", "limit", "code"), LIMIT_CASES)
async def test_each_limit_passes_at_its_value_and_refuses_one_more(
    stack: Stack, what: str, document: Any, limit: int, code: str
) -> None:
    status, body = await stack.post(document(limit))
    assert status == 200, body
    assert "errors" not in body, body["errors"]
    await stack.forget()
    status, body = await stack.post(document(limit + 1))
    assert status == 400, what
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["limit"] == limit
    assert str(limit) in error["message"]
    assert await stack.upstream() == 0, f"{what}: no provider call for a refused document"


async def test_a_batch_json_array_is_refused(stack: Stack) -> None:
    batch = json.dumps([{"query": "{ contacts(first: 1) { totalCount } }"}] * 2).encode()
    status, body = await stack.post("", raw=batch)
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"
    assert await stack.upstream() == 0


SPARK_IDS = [
    encode_global_id(ProviderName.SPARK, f"2011010100000000000{i:04d}") for i in range(101)
]
OUT_OF_BOUNDS = [
    ("{ contacts(first: 101) { totalCount } }", None, "first", 101),
    ("{ contacts(first: -1) { totalCount } }", None, "first", -1),
    ("query($n: Int!) { contacts(first: $n) { totalCount } }", {"n": 100_000}, "first", 100_000),
    ("query($n: Int = 500) { contacts(first: $n) { totalCount } }", None, "first", 500),
    ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": SPARK_IDS}, "ids", 101),
    ("{ nodes(ids: [" + " ".join(f'"{i}"' for i in SPARK_IDS) + "]) { id } }", None, "ids", 101),
    (
        "query($o: [ContactOrderInput!]) { contacts(orderBy: $o) { totalCount } }",
        {"o": [{"field": "ID"}] * 251},
        "variable $o",
        251,
    ),
]


@pytest.mark.parametrize(("query", "variables", "argument", "actual"), OUT_OF_BOUNDS)
async def test_first_and_list_sizes_are_bounded_before_any_call(
    stack: Stack, query: str, variables: dict[str, Any] | None, argument: str, actual: int
) -> None:
    status, body = await stack.post(query, variables)
    assert status == 400
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert error["extensions"]["actual"] == actual
    assert await stack.upstream() == 0


async def test_the_largest_page_and_a_count_only_page_pass(stack: Stack) -> None:
    query = "query($n: Int!) { contacts(provider: SPARK, first: $n) { totalCount nodes { id } } }"
    for first in (100, 0):
        status, body = await stack.post(query, {"n": first})
        assert status == 200 and "errors" not in body, body
        assert len(body["data"]["contacts"]["nodes"]) == first


ESTIMATES = [
    ("{ contacts(first: 100) { nodes { id } } }", None, 4 + 1 + 1),
    ("{ contacts(provider: SPARK, first: 100) { totalCount } }", None, 4),
    ('{ contacts(provider: SPARK, first: 25, after: "x") { totalCount } }', None, 2),
    ("{ contacts(first: 0) { totalCount } }", None, 3),
    ("query($n: Int = 60) { contacts(provider: SPARK, first: $n) { totalCount } }", None, 3),
    (
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {
            "ids": SPARK_IDS[:30]
            + [encode_global_id(ProviderName.IS24, str(1000 + i)) for i in range(5)]
            + [encode_global_id(ProviderName.AUTODNS, str(5000 + i)) for i in range(60)]
        },
        2 + 1 + 2,
    ),
    ("{ contacts(provider: IS24, first: 10) { nodes { sameAs { score } } } }", None, 1 + 10 * 4),
    (
        "{ contacts(provider: IS24, first: 10) { nodes { id }"
        " edges { node { sameAs { score } } } } }",
        None,
        1 + 10 * 4,
    ),
    (
        f'{{ contact(id: "{SPARK_IDS[0]}") {{ sameAs {{ contact {{ sameAs {{ score }} }} }} }} }}',
        None,
        1 + 4 + 2 * 4,
    ),
    (
        'mutation { createContact(input: {provider: SPARK, displayName: "x"}) { contact {'
        " ... on SparkContact { activity { score } } } } }",
        None,
        3 + 1,
    ),
    (
        'mutation { a: deleteContact(id: "x") { deletedId } b: updateMyContact(input: {}) {'
        " contact { id } } }",
        None,
        1 + 2,
    ),
]


async def test_the_estimate_counts_provider_calls_and_list_sizes() -> None:
    """With a budget of 1, every estimate above it is refused and reported in `actual`."""
    async with three_providers(max_upstream_calls=1) as stack:
        for query, variables, calls in ESTIMATES:
            status, body = await stack.post(query, variables)
            assert status == 400, (query, body)
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED", query
            assert (error["extensions"]["actual"], error["extensions"]["limit"]) == (calls, 1), (
                query
            )
            assert "limit is 1" in error["message"]
        status, body = await stack.post("{ providers { name } __typename }")
        assert status == 200 and "errors" not in body, "no provider call: always within budget"
        assert await stack.upstream() == 0


async def test_a_federation_routers_entities_are_priced_like_nodes() -> None:
    representations = [{"__typename": "SparkContact", "id": i} for i in SPARK_IDS[:30]] + [
        {"__typename": "RealtorContact", "id": encode_global_id(ProviderName.IS24, str(i))}
        for i in range(1000, 1005)
    ]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on SparkContact { id } ... on RealtorContact { id } } }"""
    async with three_providers(federation=True, max_upstream_calls=1) as stack:
        status, body = await stack.post(query, {"r": representations})
        assert await stack.upstream() == 0
    assert status == 400
    assert body["errors"][0]["extensions"]["actual"] == 2 + 1, "Spark 25 ids a call, IS24 lists"


@pytest.mark.parametrize(("budget", "passes"), [(6, True), (5, False)])
async def test_a_merged_page_of_100_is_six_calls_against_the_configured_budget(
    budget: int, passes: bool
) -> None:
    """Spark pages by 25 (4 calls), IS24 and AutoDNS answer in one each."""
    async with three_providers(max_upstream_calls=budget) as stack:
        status, body = await stack.post("{ contacts(first: 100) { nodes { id } } }")
        counts = {name: await s.count() for name, s in stack.sandboxes.items()}
    if passes:
        assert status == 200 and "errors" not in body, body
        assert counts == {"SPARK": 4, "IS24": 1, "AUTODNS": 1}
    else:
        assert status == 400
        assert body["errors"][0]["extensions"] | {"requestId": None} == {
            "code": "COST_LIMIT_EXCEEDED",
            "limit": 5,
            "actual": 6,
            "requestId": None,
        }
        assert counts == {"SPARK": 0, "IS24": 0, "AUTODNS": 0}


async def test_calls_beyond_the_budget_are_refused_while_the_operation_runs() -> None:
    """Ten unknown Spark ids are estimated as one batch, but Spark then reads each missing
    id on its own: the budget lets 5 requests out and refuses the rest unsent."""
    async with three_providers(max_upstream_calls=5) as stack:
        status, body = await stack.post(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": SPARK_IDS[:10]}
        )
        assert status == 200, "executed: the refusals are field errors"
        assert await stack.sandboxes["SPARK"].count() == 5
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"COST_LIMIT_EXCEEDED"}
    assert {e["extensions"]["provider"] for e in body["errors"]} == {"SPARK"}
    assert all(e["path"][0] == "nodes" for e in body["errors"])


SUGGESTIBLE = [
    ("{ contactz { totalCount } }", None),  # a field
    ("{ contacts(frist: 1) { totalCount } }", None),  # an argument
    ("query($p: Provder) { contacts(provider: $p) { totalCount } }", None),  # a type
    ("query($p: Provider) { contacts(provider: $p) { totalCount } }", {"p": "SPARKK"}),  # a value
]


@pytest.mark.parametrize("hide", [True, False])
async def test_suggestions_follow_the_setting(hide: bool) -> None:
    async with three_providers(hide_suggestions=hide) as stack:
        for query, variables in SUGGESTIBLE:
            status, body = await stack.post(query, variables)
            assert status == 400, body
            messages = " ".join(e["message"] for e in body["errors"])
            assert ("Did you mean" in messages) is not hide, messages


def test_suggestions_are_hidden_once_a_real_provider_is_configured() -> None:
    sandboxes = Settings(data_dir=fresh_data_dir(), auth=OPEN)
    loopback = "http://127.0.0.1:9"
    configured = _settings(loopback, loopback, loopback, {})
    assert hides_suggestions(sandboxes) is False
    assert hides_suggestions(configured) is True
    assert hides_suggestions(
        sandboxes.model_copy(update={"limits": LimitSettings(hide_suggestions=True)})
    )


async def test_introspection_can_be_turned_off() -> None:
    async with three_providers(introspection=False) as stack:
        for query in (
            "{ __schema { queryType { name } } }",
            '{ __type(name: "Contact") { name } }',
        ):
            status, body = await stack.post(query)
            assert status == 400
            assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        status, body = await stack.post("{ __typename }")
        assert (status, body["data"]) == (200, {"__typename": "Query"})


async def test_graphiqls_introspection_query_runs_by_default(stack: Stack) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    status, body = await stack.post(query)
    assert status == 200 and "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


CONFIGURED = {
    "max_length": 200,
    "max_tokens": 60,
    "max_depth": 3,
    "max_aliases": 1,
    "max_directives": 1,
    "max_root_fields": 2,
    "max_first": 10,
    "max_list_items": 3,
    "max_body_bytes": 2048,
}
AT_THE_CONFIGURED_LIMITS = """{
  contacts(provider: SPARK, first: 10, orderBy: [{field: ID} {field: UPDATED_AT} {field: EMAIL}])
  { nodes { x: id @include(if: true) } } __typename }"""
BEYOND = [
    ("{ contacts(provider: SPARK, first: 1) { totalCount } }" + " " * 200, "DOCUMENT_TOO_LARGE"),
    ("{ contacts(first: 1) { totalCount " + "x " * 60 + "} }", "TOO_MANY_TOKENS"),
    ("{ contacts(first: 1) { nodes { emails { address } } } }", "QUERY_TOO_DEEP"),
    ("{ contacts(first: 1) { a: totalCount b: totalCount } }", "TOO_MANY_ALIASES"),
    (
        "{ contacts(first: 1) { totalCount @include(if: true) pageInfo @skip(if: false) "
        "{ hasNextPage } } }",
        "TOO_MANY_DIRECTIVES",
    ),
    ("{ contacts(first: 1) { totalCount } providers { name } __typename }", "TOO_MANY_ROOT_FIELDS"),
    ("{ contacts(first: 11) { totalCount } }", "BAD_USER_INPUT"),
    (
        "{ contacts(orderBy: [{field: ID} {field: ID} {field: ID} {field: ID}]) { totalCount } }",
        "BAD_USER_INPUT",
    ),
]


async def test_configured_limits_are_honoured() -> None:
    async with three_providers(**CONFIGURED) as stack:
        status, body = await stack.post(AT_THE_CONFIGURED_LIMITS)
        assert status == 200 and "errors" not in body, body
        await stack.forget()
        for query, code in BEYOND:
            status, body = await stack.post(query)
            assert status == 400, query
            assert body["errors"][0]["extensions"]["code"] == code, (query, body)
        status, body = await stack.post("", raw=b'{"query": "' + b" " * 2048 + b'{ __typename }"}')
        assert (status, body["errors"][0]["extensions"]["code"]) == (413, "REQUEST_TOO_LARGE")
        assert await stack.upstream() == 0


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACT_GATEWAY_LIMITS__MAX_DEPTH", "5")
    monkeypatch.setenv("CONTACT_GATEWAY_LIMITS__INTROSPECTION", "false")
    limits = load_settings().limits
    assert (limits.max_depth, limits.introspection, limits.max_aliases) == (5, False, 15)
    monkeypatch.setenv("CONTACT_GATEWAY_LIMITS__MAX_FIRST", "500")
    with pytest.raises(ValidationError, match="max_first"):
        load_settings()


CANARY = "ada.canary@example.org"


async def test_an_unexpected_exception_is_masked_with_an_error_id(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: Any) -> Any:
        raise KeyError(CANARY)  # personal data in an exception nobody expected

    monkeypatch.setattr(SparkProvider, "search", broken)
    status, body = await stack.post("{ contacts(provider: SPARK, first: 1) { totalCount } }")
    assert status == 200
    (error,) = body["errors"]
    assert error["message"] == "Internal error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    error_id = error["extensions"]["errorId"]
    assert len(error_id) == 16
    assert CANARY not in json.dumps(body)
    logged = [r for r in caplog.records if r.name == "contact_gateway.errors"]
    assert any(error_id in r.getMessage() and "KeyError" in r.getMessage() for r in logged)
    assert all(CANARY not in r.getMessage() for r in caplog.records)


def test_a_document_is_parsed_and_validated_once_per_text() -> None:
    cache = DocumentCache(LimitSettings(), hide_suggestions=True, size=2)
    schema = build_schema()._schema
    rules = tuple(specified_rules)
    text = "{ contacts(first: 1) { totalCount } }"
    analysis = cache.analysis(text)
    assert cache.analysis(text) is analysis, "the same text is not parsed again"
    assert cache.validation(analysis, schema, rules) == []
    validated = analysis.validated[rules]
    cache.validation(analysis, schema, rules)
    assert analysis.validated[rules] is validated, "nor validated again"
    cache.analysis("{ a: __typename }")
    cache.analysis("{ b: __typename }")
    assert cache.analysis(text) is not analysis, "bounded: the least recently used goes"
