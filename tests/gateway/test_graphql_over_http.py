"""The GraphQL-over-HTTP specification's server rules, one test each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import Gateway

QUERY = "{ contacts(first: 1) { totalCount } }"
GQL_RESPONSE = "application/graphql-response+json"


async def _send(
    gateway: Gateway,
    method: str = "POST",
    *,
    body: Any = None,
    raw: bytes | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, Any] | None, dict[str, str]]:
    sent = {"Content-Type": "application/json", **(headers or {})}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    async with gateway.http.request(
        method, gateway.url, data=data, params=params, headers=sent
    ) as resp:
        text = await resp.text()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return resp.status, resp.headers.get("Content-Type", ""), parsed, dict(resp.headers)


async def test_post_json_answers_json_by_default(gateway: Gateway) -> None:
    status, media, body, headers = await _send(gateway, body={"query": QUERY})
    assert status == 200
    assert media == "application/json; charset=utf-8"
    assert body is not None and body["data"]["contacts"]["totalCount"] > 0
    assert headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in headers["Vary"]


async def test_graphql_response_json_when_accepted(gateway: Gateway) -> None:
    status, media, body, _ = await _send(
        gateway, body={"query": QUERY}, headers={"Accept": f"{GQL_RESPONSE}, application/json"}
    )
    assert status == 200
    assert media == f"{GQL_RESPONSE}; charset=utf-8"
    assert body is not None and "data" in body


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ contacts(first: 1) { totalCount ", None),  # parse error
        ("{ noSuchField }", None),  # validation error
        ("query($n: Int!) { contacts(first: $n) { totalCount } }", {"n": "ten"}),  # variables
        ("query($n: Int!) { contacts(first: $n) { totalCount } }", {}),  # missing variable
    ],
)
async def test_request_errors_are_400_with_graphql_response_json(
    gateway: Gateway, query: str, variables: dict[str, Any] | None
) -> None:
    payload = {"query": query, "variables": variables}
    status, media, body, _ = await _send(gateway, body=payload, headers={"Accept": GQL_RESPONSE})
    assert status == 400
    assert media.startswith(GQL_RESPONSE)
    assert body is not None and "data" not in body and body["errors"]
    status, media, body, _ = await _send(
        gateway, body=payload, headers={"Accept": "application/json"}
    )
    assert status == 200, "application/json keeps the legacy 200"
    assert body is not None and body["errors"]


async def test_field_errors_keep_200_and_partial_data(gateway: Gateway) -> None:
    # `first: 500` would be refused as a whole (document limits); a forged cursor fails
    # only its own field.
    query = '{ ok: contacts(first: 1) { totalCount } bad: contacts(after: "x") { totalCount } }'
    status, _, body, _ = await _send(
        gateway, body={"query": query}, headers={"Accept": GQL_RESPONSE}
    )
    assert status == 200
    assert body is not None
    assert body["data"]["ok"]["totalCount"] > 0
    assert body["data"]["bad"] is None
    assert body["errors"][0]["path"] == ["bad"]


async def test_get_runs_queries(gateway: Gateway) -> None:
    variables = json.dumps({"n": 1})
    status, _, body, _ = await _send(
        gateway,
        "GET",
        params={
            "query": "query Q($n: Int!) { contacts(first: $n) { totalCount } }",
            "variables": variables,
            "operationName": "Q",
        },
    )
    assert status == 200
    assert body is not None and body["data"]["contacts"]["totalCount"] > 0


async def test_get_never_runs_a_mutation(gateway: Gateway) -> None:
    mutation = 'mutation { deleteContact(id: "U1BBUks6MQ") { deletedId } }'
    status, _, body, headers = await _send(gateway, "GET", params={"query": mutation})
    assert status == 405
    assert headers["Allow"] == "POST"
    assert body is not None and body["errors"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "body not JSON"),
        (b'"just a string"', "body not an object"),
        (b'[{"query": "{ __typename }"}]', "batching is off"),
        (b'{"query": 42}', "query not a string"),
        (b'{"query": "{ __typename }", "variables": [1]}', "variables not an object"),
        (b'{"query": "{ __typename }", "operationName": 7}', "operationName not a string"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "extensions not an object"),
        (b"{}", "no query"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
async def test_malformed_requests_are_400(gateway: Gateway, raw: bytes, why: str) -> None:
    status, _, body, _ = await _send(gateway, raw=raw)
    assert status == 400, why
    assert body is not None and body["errors"][0]["message"]


async def test_an_unknown_operation_name_is_400(gateway: Gateway) -> None:
    status, _, _, _ = await _send(
        gateway, body={"query": "query A { __typename }", "operationName": "B"}
    )
    assert status == 400


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
    ],
)
async def test_unsupported_media_types_are_415(gateway: Gateway, content_type: str) -> None:
    status, _, _, _ = await _send(
        gateway, raw=json.dumps({"query": QUERY}).encode(), headers={"Content-Type": content_type}
    )
    assert status == 415


async def test_unacceptable_accept_is_406(gateway: Gateway) -> None:
    status, _, _, _ = await _send(
        gateway, body={"query": QUERY}, headers={"Accept": "application/xml"}
    )
    assert status == 406


async def test_other_methods_are_405(gateway: Gateway) -> None:
    status, _, _, headers = await _send(gateway, "PUT", body={"query": QUERY})
    assert status == 405
    assert headers["Allow"] == "GET, POST"


async def test_oversized_bodies_are_413_before_being_read(gateway: Gateway) -> None:
    huge = json.dumps({"query": QUERY, "variables": {"pad": "x" * 300_000}}).encode()
    status, _, _, _ = await _send(gateway, raw=huge)
    assert status == 413


async def test_utf8_round_trips(gateway: Gateway) -> None:
    query = 'query { contacts(first: 1, filter: {displayName: "Zoë Ünïcødé ☃"}) { totalCount } }'
    status, _, body, _ = await _send(gateway, body={"query": query})
    assert status == 200
    assert body is not None and body["data"]["contacts"]["totalCount"] == 0
