"""The executable schema: Query + Mutation + Subscription + every concrete contact type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from resolvers.extension_runner import CachedHooksRunner
from resolvers.federation import SubgraphSchema
from resolvers.masking import MaskUnexpectedErrors
from resolvers.mutation import Mutation
from resolvers.planned_completion import PlannedExecutionContext
from resolvers.query import Query
from resolvers.response_notes import ResponseNotes
from resolvers.stream_errors import StreamErrors
from resolvers.subscription import Subscription
from schema.autodns import DomainContact
from schema.is24 import RealtorContact
from schema.spark import SparkContact

CONTACT_TYPES: list[type] = [SparkContact, DomainContact, RealtorContact]


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema without its default error logging (masking logs what matters)."""

    hide_suggestions: bool = False
    """No "Did you mean" in execution errors either (graphql-core's switch; validation
    has its own, see gateway/limits)."""

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        return {**kwargs, "hide_suggestions": self.hide_suggestions}

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        """Hooks looked up once per extension class (resolvers/extension_runner.py)."""
        return CachedHooksRunner(execution_context, extensions)


class GatewaySubgraphSchema(SubgraphSchema, GatewaySchema):
    """The same schema as an Apollo Federation v2 subgraph (resolvers/federation.py)."""


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
    *,
    hide_suggestions: bool = False,
    federation: bool = False,
    planned_completion: bool = True,
) -> strawberry.Schema:
    """`extensions` run first (the gateway's document limits), before masking and notes;
    `federation` serves the subgraph schema (contacts as entities, `_service`, `_entities`);
    `planned_completion` completes plain-data selections by plan (resolvers/planned_completion.py;
    off: graphql-core completes every field, the reference the plan is tested against)."""
    schema = (GatewaySubgraphSchema if federation else GatewaySchema)(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=CONTACT_TYPES,
        extensions=[*extensions, MaskUnexpectedErrors, ResponseNotes, StreamErrors],
        execution_context_class=PlannedExecutionContext if planned_completion else None,
    )
    schema.hide_suggestions = hide_suggestions
    return schema
