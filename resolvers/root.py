"""The executable schema: Query + Mutation + every concrete contact type."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from resolvers.masking import MaskUnexpectedErrors
from resolvers.mutation import Mutation
from resolvers.query import Query
from resolvers.response_notes import ResponseNotes
from schema.autodns import DomainContact
from schema.is24 import RealtorContact
from schema.spark import SparkContact

CONTACT_TYPES: list[type] = [SparkContact, DomainContact, RealtorContact]


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema without its default error logging (masking logs what matters)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema() -> strawberry.Schema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=CONTACT_TYPES,
        extensions=[MaskUnexpectedErrors, ResponseNotes],
    )
