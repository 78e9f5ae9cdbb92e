"""Adds what resolvers noted on the side to the response: one provider's errors in a
field that still returned the others' data, and which providers were served stale."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from resolvers.context import GatewayContext


class ResponseNotes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        context = self.execution_context.context
        if result is None or not isinstance(context, GatewayContext):
            return
        if context.partial_errors:
            result.errors = [*(result.errors or []), *context.partial_errors]

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, GatewayContext) or not context.reads.stale_served:
            return {}
        notes = {(n.provider.value, n.fetched_at.isoformat()) for n in context.reads.stale_served}
        return {"stale": [{"provider": p, "fetchedAt": at} for p, at in sorted(notes)]}
