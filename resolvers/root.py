"""The executable schema: Query + Mutation + every concrete contact type."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors

from resolvers.errors import GatewayError
from resolvers.mutation import Mutation
from resolvers.query import Query
from schema.spark import SparkContact

CONTACT_TYPES: list[type] = [SparkContact]


def _should_mask(error: object) -> bool:
    """Mask anything that is not a deliberate gateway error or a GraphQL validation error."""
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, GatewayError)


def _masking() -> MaskErrors:
    return MaskErrors(should_mask_error=_should_mask, error_message="Internal error")


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=CONTACT_TYPES,
        extensions=[_masking],
    )
