"""SparkQL, the language of Spark's `_filter` parameter: tokenizer, typed AST, parser, evaluator.

The sandbox answers `_filter` with it exactly as spark.md documents the language, so the
adapter's filter builder is tested against a strict reader rather than a lenient one.

    filter     := or
    or         := and ("Or" and)*
    and        := unary ("And" unary)*
    unary      := "Not"* ( "(" filter ")" | comparison )
    comparison := Field Op value ("," value)*          Op: Eq Ne Gt Ge Lt Le Bt
    value      := 'string' | true | false | number | 2026-01-01 | 2026-01-01T00:00:00Z

Decisions where Spark's documentation is silent (the sandbox's contract):
- Precedence is the usual Not > And > Or; keywords and operators are case-sensitive.
- Inside quotes `\\'` is the only escape; any other backslash is a syntax error.
- `*` is a wildcard in Eq/Ne string values and a literal character in range operators.
- A value list matches when any value matches; `Ne` is the negation of `Eq` (none match).
- List attributes (Tags, InvalidEmails) match when any element matches.
- A date literal compared with a timestamp compares the timestamp's UTC date.
- A missing (null) attribute fails every comparison except `Ne`.
- PortalLoginName takes Eq/Ne with a plain string; VowActive takes Eq/Ne with true/false.

Errors: syntax, unknown or unsearchable fields and values of the wrong type raise
`SparkQLError(1040, ...)`; a well-formed filter over Spark's limits (75 comparisons,
2 levels of parentheses, 200 values in a list) raises `SparkQLError(1041, ...)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from providers.wildcards import wildcard_match

SYNTAX_ERROR = 1040
LIMIT_ERROR = 1041
MAX_EXPRESSIONS = 75
MAX_DEPTH = 2
MAX_LIST_VALUES = 200
_HARD_DEPTH = 32  # past this the parser stops at once instead of recursing further


class FieldKind(StrEnum):
    """How a searchable attribute is compared."""

    TEXT = "text"
    NAME = "name"  # DisplayName: the per-word wildcard rule
    EXACT = "exact"  # PortalLoginName: no wildcards, Eq/Ne only
    TEXT_LIST = "text_list"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"


_TEXT_FIELDS = (
    "Id",
    "PrimaryEmail",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "SpouseGivenName",
    "SpouseMiddleName",
    "SpouseFamilyName",
    "PrimaryPhoneNumber",
    "HomePhoneNumber",
    "WorkPhoneNumber",
    "FaxPhoneNumber",
    "MobilePhoneCountryCode",
    "MobilePhoneNumber",
    "PagerPhoneNumber",
    "OtherPhoneNumber",
    "HomeStreetAddress",
    "HomeLocality",
    "HomeRegion",
    "HomePostalCode",
    "WorkStreetAddress",
    "WorkLocality",
    "WorkRegion",
    "WorkPostalCode",
    "Organization",
    "Position",
    "Birthday",
    "Anniversary",
    "Assistant",
    "Children",
    "Status",
    "Other",
    "Pets",
    "ReferredBy",
    "Salutation",
)

SEARCHABLE_FIELDS: Mapping[str, FieldKind] = {
    **dict.fromkeys(_TEXT_FIELDS, FieldKind.TEXT),
    "DisplayName": FieldKind.NAME,
    "PortalLoginName": FieldKind.EXACT,
    "InvalidEmails": FieldKind.TEXT_LIST,
    "Tags": FieldKind.TEXT_LIST,
    "CreatedTimestamp": FieldKind.TIMESTAMP,
    "ModificationTimestamp": FieldKind.TIMESTAMP,
    "VowActive": FieldKind.BOOLEAN,
}


class Op(StrEnum):
    EQ = "Eq"
    NE = "Ne"
    GT = "Gt"
    GE = "Ge"
    LT = "Lt"
    LE = "Le"
    BT = "Bt"


Value = str | bool | date | datetime


class SparkQLError(Exception):
    """A `_filter` Spark would refuse: code 1040 (invalid) or 1041 (over the limits)."""

    def __init__(self, code: int, token: str, message: str) -> None:
        super().__init__(f"{code} at {token!r}: {message}")
        self.code = code
        self.token = token
        self.message = message


@dataclass(frozen=True, slots=True)
class Comparison:
    field: str
    op: Op
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: FilterNode


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[FilterNode, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[FilterNode, ...]


FilterNode = Comparison | Not | And | Or

# ---------------------------------------------------------------- tokenizer

_LEXEME = re.compile(
    r"(?P<ws>\s+)|(?P<punct>[(),])|(?P<quote>')"
    r"|(?P<timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)"
    r"|(?P<date>\d{4}-\d{2}-\d{2})|(?P<number>[+-]?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_]\w*)"
)
_DELIMITER = re.compile(r"[\s(),]|$")
_BAD_RUN = re.compile(r"[^\s(),]+")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # punct, string, timestamp, date, number, word
    text: str  # as written (strings: decoded content)
    pos: int


def tokenize(text: str) -> list[Token]:
    """Split a filter into tokens; a string token carries its unescaped content."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _LEXEME.match(text, pos)
        if match is None:
            raise _syntax(_bad_run(text, pos), "unexpected character")
        kind = match.lastgroup or ""
        if kind == "quote":
            content, pos = _scan_string(text, pos + 1)
            tokens.append(Token("string", content, match.start()))
            continue
        pos = match.end()
        if kind != "ws":
            if kind != "punct" and not _DELIMITER.match(text, pos):
                raise _syntax(_bad_run(text, match.start()), "malformed literal")
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def _scan_string(text: str, pos: int) -> tuple[str, int]:
    """The content of a quoted string starting after its opening quote, and the end position."""
    parts: list[str] = []
    start = pos
    while True:
        end = _next_special(text, pos)
        if end < 0:
            raise _syntax(text[start - 1 :][:40], "unterminated string")
        parts.append(text[pos:end])
        if text[end] == "'":
            return "".join(parts), end + 1
        if text[end + 1 : end + 2] != "'":
            raise _syntax(text[end : end + 2], "only \\' may be escaped in a string")
        parts.append("'")
        pos = end + 2


def _next_special(text: str, pos: int) -> int:
    quote, backslash = text.find("'", pos), text.find("\\", pos)
    found = [i for i in (quote, backslash) if i >= 0]
    return min(found) if found else -1


def _bad_run(text: str, pos: int) -> str:
    run = _BAD_RUN.match(text, pos)
    return run.group() if run else text[pos : pos + 1]


def _syntax(token: str, message: str) -> SparkQLError:
    return SparkQLError(SYNTAX_ERROR, token, message)


# ---------------------------------------------------------------- parser

_KEYWORDS = frozenset({"And", "Or", "Not"})


def parse_filter(text: str) -> FilterNode:
    """Parse and type-check a `_filter` expression, enforcing Spark's limits."""
    tokens = tokenize(text)
    if not tokens:
        raise _syntax("", "empty filter")
    return _Parser(tokens).parse()


class _Parser:
    """Recursive descent over the token list; limits are checked after a clean parse."""

    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._depth = 0
        self._max_depth = 0
        self._comparisons: list[Comparison] = []

    def parse(self) -> FilterNode:
        node = self._or()
        if self._pos < len(self._tokens):
            raise _syntax(self._tokens[self._pos].text, "unexpected token")
        self._check_limits()
        return node

    def _check_limits(self) -> None:
        if len(self._comparisons) > MAX_EXPRESSIONS:
            extra = self._comparisons[MAX_EXPRESSIONS].field
            raise SparkQLError(LIMIT_ERROR, extra, f"more than {MAX_EXPRESSIONS} expressions")
        if self._max_depth > MAX_DEPTH:
            raise SparkQLError(LIMIT_ERROR, "(", f"nesting deeper than {MAX_DEPTH} levels")
        for comparison in self._comparisons:
            if len(comparison.values) > MAX_LIST_VALUES:
                message = f"more than {MAX_LIST_VALUES} values in a list"
                raise SparkQLError(LIMIT_ERROR, comparison.field, message)

    def _peek(self) -> Token | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _next(self, expected: str) -> Token:
        token = self._peek()
        if token is None:
            raise _syntax("", f"expected {expected} at the end of the filter")
        self._pos += 1
        return token

    def _accept_word(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text == word:
            self._pos += 1
            return True
        return False

    def _or(self) -> FilterNode:
        operands = [self._and()]
        while self._accept_word("Or"):
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self) -> FilterNode:
        operands = [self._unary()]
        while self._accept_word("And"):
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _unary(self) -> FilterNode:
        negations = 0
        while self._accept_word("Not"):
            negations += 1
        node = self._primary()
        return Not(node) if negations % 2 else node

    def _primary(self) -> FilterNode:
        token = self._peek()
        if token is not None and token.text == "(" and token.kind == "punct":
            return self._group()
        return self._comparison()

    def _group(self) -> FilterNode:
        self._pos += 1
        self._depth += 1
        self._max_depth = max(self._max_depth, self._depth)
        if self._depth > _HARD_DEPTH:
            raise SparkQLError(LIMIT_ERROR, "(", f"nesting deeper than {MAX_DEPTH} levels")
        node = self._or()
        closing = self._next("')'")
        if closing.kind != "punct" or closing.text != ")":
            raise _syntax(closing.text, "expected ')'")
        self._depth -= 1
        return node

    def _comparison(self) -> Comparison:
        field_token = self._next("a field name")
        kind = _field_kind(field_token)
        op_token = self._next("an operator")
        if op_token.kind != "word" or op_token.text not in Op._value2member_map_:
            raise _syntax(op_token.text, "expected an operator (Eq Ne Gt Ge Lt Le Bt)")
        op = Op(op_token.text)
        values = self._values()
        comparison = Comparison(field_token.text, op, tuple(_typed(kind, op, v) for v in values))
        _check_arity(comparison, kind)
        self._comparisons.append(comparison)
        return comparison

    def _values(self) -> list[Token]:
        values = [self._next("a value")]
        while (token := self._peek()) is not None and token.kind == "punct" and token.text == ",":
            self._pos += 1
            values.append(self._next("a value after ','"))
        return values


def _field_kind(token: Token) -> FieldKind:
    if token.kind != "word" or token.text in _KEYWORDS:
        raise _syntax(token.text, "expected a field name")
    kind = SEARCHABLE_FIELDS.get(token.text)
    if kind is None:
        raise _syntax(token.text, "unknown or unsearchable field")
    return kind


def _check_arity(comparison: Comparison, kind: FieldKind) -> None:
    if comparison.op is Op.BT and len(comparison.values) != 2:
        raise _syntax(comparison.field, "Bt takes exactly two values")
    if kind in (FieldKind.EXACT, FieldKind.BOOLEAN) and comparison.op not in (Op.EQ, Op.NE):
        raise _syntax(comparison.field, f"{comparison.field} takes only Eq or Ne")


def _typed(kind: FieldKind, op: Op, token: Token) -> Value:
    """The token as a value of the field's type, or a 1040 naming the token."""
    if token.kind == "punct" or (token.kind == "word" and token.text in _KEYWORDS):
        raise _syntax(token.text, "expected a value")
    if kind is FieldKind.BOOLEAN:
        if token.kind == "word" and token.text in ("true", "false"):
            return token.text == "true"
        raise _syntax(token.text, "expected true or false")
    if kind is FieldKind.TIMESTAMP:
        return _moment(token)
    if token.kind != "string":
        raise _syntax(token.text, "expected a quoted string")
    if kind is FieldKind.EXACT and "*" in token.text:
        raise _syntax(token.text, "wildcards are not allowed for PortalLoginName")
    return token.text


def _moment(token: Token) -> date | datetime:
    try:
        if token.kind == "date":
            return date.fromisoformat(token.text)
        if token.kind == "timestamp":
            moment = datetime.fromisoformat(token.text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError as exc:
        raise _syntax(token.text, "not a valid date or timestamp") from exc
    raise _syntax(token.text, "expected a date or timestamp")


# ---------------------------------------------------------------- evaluator


def matches(node: FilterNode, contact: Mapping[str, object]) -> bool:
    """Whether a contact (Spark attribute names to wire values) satisfies the filter."""
    if isinstance(node, Comparison):
        return _compare(node, contact.get(node.field))
    if isinstance(node, Not):
        return not matches(node.operand, contact)
    if isinstance(node, And):
        return all(matches(operand, contact) for operand in node.operands)
    return any(matches(operand, contact) for operand in node.operands)


def _compare(node: Comparison, raw: object) -> bool:
    kind = SEARCHABLE_FIELDS[node.field]
    elements = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    if node.op is Op.NE:
        return not _any_equal(kind, elements, node.values)
    if node.op is Op.EQ:
        return _any_equal(kind, elements, node.values)
    if node.op is Op.BT:
        low, high = node.values
        return any(_between(e, low, high) for e in elements)
    return any(_ordered(node.op, _order(e, v)) for e in elements for v in node.values)


def _any_equal(kind: FieldKind, elements: list[object], values: tuple[Value, ...]) -> bool:
    return any(_equal(kind, e, v) for e in elements for v in values)


def _equal(kind: FieldKind, element: object, value: Value) -> bool:
    if isinstance(value, bool) or isinstance(element, bool):
        return element is value
    if isinstance(value, date):
        return _order(element, value) == 0
    if not isinstance(element, str) or not isinstance(value, str):
        return False
    if kind is FieldKind.EXACT or "*" not in value:
        return element.lower() == value.lower()
    if kind is FieldKind.NAME and not any(ch.isspace() for ch in value):
        return any(wildcard_match(value, word) for word in element.split())
    return wildcard_match(value, element)


def _order(element: object, value: Value) -> int | None:
    """-1/0/1 comparing a stored element with a filter value; None when they do not compare."""
    if isinstance(value, datetime):
        moment = _as_moment(element)
        return None if moment is None else (moment > value) - (moment < value)
    if isinstance(value, date):
        moment = _as_moment(element)
        day = None if moment is None else moment.astimezone(UTC).date()
        return None if day is None else (day > value) - (day < value)
    if isinstance(element, str) and isinstance(value, str):
        left, right = element.lower(), value.lower()
        return (left > right) - (left < right)
    return None


def _as_moment(element: object) -> datetime | None:
    if not isinstance(element, str):
        return None
    try:
        moment = datetime.fromisoformat(element)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _between(element: object, low: Value, high: Value) -> bool:
    above, below = _order(element, low), _order(element, high)
    return above is not None and below is not None and above >= 0 and below <= 0


def _ordered(op: Op, order: int | None) -> bool:
    if order is None:
        return False
    return {Op.GT: order > 0, Op.GE: order >= 0, Op.LT: order < 0, Op.LE: order <= 0}[op]
