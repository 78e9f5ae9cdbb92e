"""The one contract every provider adapter keeps, run against its sandbox over real HTTP.

A provider's test module subclasses `ProviderContract` and fills in the fixture
`bench` (a started sandbox + adapter) and a few data hooks; every test here then
runs for that provider. Provider-specific rules have their own tests beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp
import pytest

from providers.base import ContactProvider, Operation
from providers.errors import NotFound, ValidationFailed
from providers.model import ContactInput, ContactQuery, FieldPath, ReadWants


@dataclass
class Bench:
    """An adapter wired to a running sandbox, and the sandbox's control API."""

    provider: ContactProvider
    sandbox_url: str
    http: aiohttp.ClientSession

    async def upstream(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.sandbox_url}/_sandbox/requests") as resp:
            body: dict[str, Any] = await resp.json()
        return list(body["requests"])

    async def forget(self) -> None:
        async with self.http.delete(f"{self.sandbox_url}/_sandbox/requests"):
            pass


class ProviderContract:
    """Subclass, set the hooks, and provide a `bench` fixture."""

    path_prefix: ClassVar[str]
    """Every upstream request path must start with this (no id can leave it)."""
    hostile_ids: ClassVar[list[str]] = [
        "../../etc/passwd",
        "..%2F..%2Fadmin",
        "1/../../x",
        "a?b=c",
        "a#b",
        "%2e%2e",
        "",
        "1\r\nX-Injected: yes",
    ]

    def valid_input(self, n: int) -> ContactInput:
        raise NotImplementedError

    def change(self) -> tuple[ContactInput, str, object]:
        """An update, the unified field it changes, and the value expected after it."""
        raise NotImplementedError

    def invalid_input(self) -> tuple[ContactInput, FieldPath]:
        """An input breaking a provider rule, and the input path the issue must name."""
        raise NotImplementedError

    async def test_create_then_read_by_id(self, bench: Bench) -> None:
        created = await bench.provider.create(self.valid_input(1))
        found = await bench.provider.get_many([created.native_id], ReadWants())
        assert found[created.native_id].display_name == created.display_name
        assert created.provider is bench.provider.name

    async def test_update_changes_the_field(self, bench: Bench) -> None:
        created = await bench.provider.create(self.valid_input(2))
        changes, field, expected = self.change()
        updated = await bench.provider.update(created.native_id, changes)
        assert getattr(updated, field) == expected
        again = await bench.provider.get_many([created.native_id], ReadWants())
        assert getattr(again[created.native_id], field) == expected

    async def test_delete_removes_it(self, bench: Bench) -> None:
        created = await bench.provider.create(self.valid_input(3))
        await bench.provider.delete(created.native_id)
        assert await bench.provider.get_many([created.native_id], ReadWants()) == {}
        with pytest.raises(NotFound):
            await bench.provider.delete(created.native_id)

    async def test_search_pages_without_repeats(self, bench: Bench) -> None:
        seen: list[str] = []
        offset, total = 0, None
        for _ in range(50):
            page = await bench.provider.search(ContactQuery(offset=offset, limit=37), ReadWants())
            total = page.total
            seen.extend(r.native_id for r in page.records)
            if not page.records or not page.has_more:
                break
            offset += len(page.records)
        assert total is not None
        assert len(seen) == total
        assert len(set(seen)) == len(seen)

    async def test_invalid_input_is_refused_before_any_upstream_call(self, bench: Bench) -> None:
        data, path = self.invalid_input()
        await bench.forget()
        with pytest.raises(ValidationFailed) as info:
            await bench.provider.create(data)
        assert path in [issue.field for issue in info.value.issues]
        assert await bench.upstream() == []

    async def test_hostile_ids_never_leave_the_contact_resource(self, bench: Bench) -> None:
        await bench.forget()
        found = await bench.provider.get_many(self.hostile_ids, ReadWants())
        assert found == {}
        for native_id in self.hostile_ids:
            with pytest.raises((NotFound, ValidationFailed)):
                await bench.provider.delete(native_id)
        for request in await bench.upstream():
            assert request["path"].startswith(self.path_prefix), request

    async def test_capabilities_name_the_operations(self, bench: Bench) -> None:
        operations = bench.provider.capabilities.operations
        assert {Operation.READ, Operation.LIST, Operation.CREATE} <= operations
