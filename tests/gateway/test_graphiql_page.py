"""GraphiQL is served by the gateway itself: page, assets, no CDN."""

from __future__ import annotations

import re

from tests.harness import Gateway


async def test_graphiql_page_uses_only_local_assets(gateway: Gateway) -> None:
    async with gateway.http.get(gateway.url, headers={"Accept": "text/html"}) as resp:
        assert resp.status == 200
        page = await resp.text()
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(s.startswith("/graphiql/static/") for s in sources), sources
    assert "Spark contacts" in page
    base = gateway.served.base_url
    for source in sources:
        async with gateway.http.get(base + source) as asset:
            assert asset.status == 200, source
            assert len(await asset.read()) > 0


def test_every_preloaded_example_is_valid_and_every_provider_has_one() -> None:
    from graphql import parse, validate

    from gateway.graphiql import EXAMPLES
    from resolvers.root import build_schema

    schema = build_schema()._schema
    for example in EXAMPLES:
        assert validate(schema, parse(example["query"])) == [], example["title"]
    text = " ".join(e["query"] for e in EXAMPLES)
    for provider in ("SPARK", "IS24", "AUTODNS"):
        assert f"provider: {provider}" in text
