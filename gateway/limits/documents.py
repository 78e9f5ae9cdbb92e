"""Each document text is parsed, measured and validated once: an LRU keyed by the text.

A rejected document costs no more than the check that rejects it: its length first
(no parse), its tokens while it is parsed (graphql-core stops at the limit), then the
limits on its shape and literals; only a document within all of them is validated
against the schema, the expensive step (some rules are quadratic in the fields).
Repeated documents — the usual case, clients send the same few — skip all of it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Lexer,
    Source,
    TokenKind,
    parse,
    validate,
)

from gateway.limits import errors
from gateway.limits.lists import literal_errors
from gateway.limits.shape import shape_errors
from gateway.limits.verdicts import Verdicts
from gateway.settings import LimitSettings

CACHE_SIZE: Final = 512
Rules = tuple[type[ASTValidationRule], ...]


@dataclass(slots=True)
class Analysis:
    """What one document text came to; `document` is None when it does not parse."""

    document: DocumentNode | None
    parse_error: GraphQLError | None = None
    limit_errors: list[GraphQLError] = field(default_factory=list)
    sized_variables: Mapping[str, str] = field(default_factory=dict)
    validated: dict[Rules, list[GraphQLError]] = field(default_factory=dict)
    verdicts: Verdicts | None = None
    """What each request of this document would work out again (None: no document)."""


class DocumentCache:
    """Analyses of the most recently used document texts (bounded: texts are ≤ max_length)."""

    def __init__(
        self, limits: LimitSettings, *, hide_suggestions: bool, size: int = CACHE_SIZE
    ) -> None:
        self.limits = limits
        self.hide_suggestions = hide_suggestions
        self._size = size
        self._entries: OrderedDict[str, Analysis] = OrderedDict()

    def too_long(self, text: str) -> GraphQLError | None:
        limit = self.limits.max_length
        if len(text) <= limit:
            return None
        return errors.rejection(
            errors.DOCUMENT_TOO_LARGE,
            f"the document has {len(text)} characters; the limit is {limit}",
            limit=limit,
            actual=len(text),
        )

    def analysis(self, text: str) -> Analysis:
        """The analysis of a text within `max_length` (see `too_long`)."""
        found = self._entries.get(text)
        if found is not None:
            self._entries.move_to_end(text)
            return found
        found = self._analyse(text)
        self._entries[text] = found
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return found

    def validation(
        self, analysis: Analysis, schema: GraphQLSchema, rules: Rules
    ) -> list[GraphQLError]:
        """The limit errors, or else the schema's validation errors (cached per rule set)."""
        if analysis.limit_errors:
            return list(analysis.limit_errors)
        assert analysis.document is not None
        if rules not in analysis.validated:
            analysis.validated[rules] = validate(
                schema, analysis.document, rules, hide_suggestions=self.hide_suggestions
            )
        return list(analysis.validated[rules])

    def _analyse(self, text: str) -> Analysis:
        try:
            document = parse(text, max_lexical_tokens=self.limits.max_tokens)
        except GraphQLSyntaxError as exc:
            return Analysis(None, self._tokens_error(text) or exc)
        literals = literal_errors(document, self.limits)
        return Analysis(
            document,
            limit_errors=[*shape_errors(document, self.limits), *literals.errors],
            sized_variables=literals.sized_variables,
            verdicts=Verdicts(document),
        )

    def _tokens_error(self, text: str) -> GraphQLError | None:
        """TOO_MANY_TOKENS when the text has more tokens than allowed (lexed only up to the
        limit, so the check costs no more than the parse it follows)."""
        limit = self.limits.max_tokens
        lexer = Lexer(Source(text))
        try:
            for _ in range(limit + 1):
                if lexer.advance().kind is TokenKind.EOF:
                    return None
        except GraphQLSyntaxError:
            return None  # a lexical error within the limit: the syntax error stands
        return errors.rejection(
            errors.TOO_MANY_TOKENS,
            f"the document has more than {limit} tokens; the limit is {limit}",
            limit=limit,
        )
