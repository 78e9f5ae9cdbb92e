"""The limits as a Strawberry extension: parse, validate and execute, each step guarded.

- `on_parse`: the length check, then the cached parse (it replaces Strawberry's own
  parse, and with it any need for its ParserCache).
- `on_validate`: the cached limit checks, else the cached schema validation (with
  suggestions hidden when configured); Strawberry then skips its own validation.
- `on_execute`: the variables' bounds and the cost estimate, then execution inside the
  request's provider-call budget.

A rejection before execution is a request error: no `data`, and 400 under
`application/graphql-response+json`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.limits import budget, errors
from gateway.limits.documents import Analysis, DocumentCache
from gateway.limits.lists import variable_errors
from gateway.limits.verdicts import Verdicts
from gateway.settings import LimitSettings, Settings
from resolvers.context import GatewayContext

STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


class DocumentLimits(SchemaExtension):
    """One request's pass through the limits (a new instance per request)."""

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents
        self.limits: LimitSettings = documents.limits
        self.analysis: Analysis | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            too_long = self.documents.too_long(context.query)
            if too_long is not None:
                raise too_long
            self.analysis = self.documents.analysis(context.query)
            if self.analysis.document is None:
                assert self.analysis.parse_error is not None
                raise self.analysis.parse_error
            context.graphql_document = self.analysis.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.analysis is not None and context.pre_execution_errors is None:
            rules = (*context.validation_rules, *STRAWBERRY_RULES)
            schema = context.schema._schema
            context.pre_execution_errors = self.documents.validation(self.analysis, schema, rules)
        yield

    def on_execute(self) -> Iterator[None]:
        refusal = self._refusal()
        if refusal is not None:
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[refusal])
            yield
            return
        with budget.scope(self.limits.max_upstream_calls):
            yield

    def _refusal(self) -> GraphQLError | None:
        """Variables beyond a bound, or an estimate over the budget (None: go ahead)."""
        context = self.execution_context
        document, analysis = context.graphql_document, self.analysis
        if analysis is None or document is None:
            return None
        verdicts = analysis.verdicts
        if verdicts is None or verdicts.document is not document:
            verdicts = Verdicts(document)  # not the one parsed here: nothing remembered
        name = context.operation_name  # the one named, else the first (as Strawberry runs)
        operation = verdicts.operation(name)
        if operation is None:
            return None
        variables = context.variables or {}
        bad = variable_errors(operation, variables, analysis.sized_variables, self.limits)
        if bad is not None:
            return bad
        gateway = context.context
        if not isinstance(gateway, GatewayContext):
            return None
        calls = verdicts.calls(operation, name, variables, gateway.providers)
        limit = self.limits.max_upstream_calls
        if calls <= limit:
            return None
        return errors.rejection(
            errors.COST_LIMIT_EXCEEDED,
            f"the operation may make {calls} provider calls; the limit is {limit} "
            "(ask for smaller pages, or select sameAs on fewer contacts)",
            limit=limit,
            actual=calls,
        )


def hides_suggestions(settings: Settings) -> bool:
    """'Did you mean' helps developers and maps the schema for attackers: shown on the
    sandboxes, hidden once a real provider is configured, unless set either way."""
    configured = settings.limits.hide_suggestions
    return configured if configured is not None else not settings.use_sandboxes


def document_limits(settings: Settings) -> Callable[[], DocumentLimits]:
    """The extension factory for `build_schema`: one document cache for the app."""
    documents = DocumentCache(settings.limits, hide_suggestions=hides_suggestions(settings))
    return lambda: DocumentLimits(documents)
