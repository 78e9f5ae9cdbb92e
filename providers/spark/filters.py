"""Build Spark `_filter` expressions from a typed tree, never from user text.

Field names come from an allow-list (`SearchField`); string values are checked
(no control characters, no backslashes) and quoted with `'` escaped as `\\'`,
Spark's only escape; Spark's limits (75 expressions, nesting depth 2, 200 values
in a list) are enforced before anything is sent. A value can therefore never
close its quotes and add an expression of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final, TypeAlias
from urllib.parse import quote

from providers.errors import FieldIssue, IssueCode, ValidationFailed
from providers.model import ContactFilter, FieldPath, ProviderName
from providers.spark.types import SparkFilter

MAX_EXPRESSIONS: Final = 75
MAX_DEPTH: Final = 2
MAX_LIST_VALUES: Final = 200
MAX_VALUE_LENGTH: Final = 300
"""No searchable Spark attribute is longer, so a longer value can match nothing."""
MAX_ENCODED_LENGTH: Final = 6_000
"""The `_filter` as it travels in the URL (percent-encoded). Servers bound the request
line (8 KiB is the common default: Apache's LimitRequestLine, nginx's header buffers);
with `_select`, `_expand` and paging beside it, a longer filter would be cut off upstream."""
_FORBIDDEN_IN_STRINGS: Final = re.compile(r"[\x00-\x1f\x7f\\]")


class SearchField(StrEnum):
    """Spark contact attributes marked searchable (the only ones `_filter` may name)."""

    ID = "Id"
    DISPLAY_NAME = "DisplayName"
    PRIMARY_EMAIL = "PrimaryEmail"
    INVALID_EMAILS = "InvalidEmails"
    GIVEN_NAME = "GivenName"
    MIDDLE_NAME = "MiddleName"
    FAMILY_NAME = "FamilyName"
    PRIMARY_PHONE = "PrimaryPhoneNumber"
    HOME_PHONE = "HomePhoneNumber"
    WORK_PHONE = "WorkPhoneNumber"
    FAX_PHONE = "FaxPhoneNumber"
    MOBILE_PHONE = "MobilePhoneNumber"
    PAGER_PHONE = "PagerPhoneNumber"
    OTHER_PHONE = "OtherPhoneNumber"
    HOME_LOCALITY = "HomeLocality"
    WORK_LOCALITY = "WorkLocality"
    HOME_POSTAL_CODE = "HomePostalCode"
    WORK_POSTAL_CODE = "WorkPostalCode"
    ORGANIZATION = "Organization"
    TAGS = "Tags"
    CREATED = "CreatedTimestamp"
    MODIFIED = "ModificationTimestamp"
    VOW_ACTIVE = "VowActive"
    PORTAL_LOGIN_NAME = "PortalLoginName"


class Op(StrEnum):
    EQ = "Eq"
    NE = "Ne"
    GT = "Gt"
    GE = "Ge"
    LT = "Lt"
    LE = "Le"


Value: TypeAlias = str | bool | datetime


@dataclass(frozen=True, slots=True)
class Comparison:
    field: SearchField
    op: Op
    values: tuple[Value, ...]
    path: FieldPath = ()


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Alternatives joined by Or (rendered in parentheses)."""

    items: tuple[Comparison, ...]


Term: TypeAlias = Comparison | AnyOf


def render(terms: Sequence[Term]) -> str | None:
    """The `_filter` string for terms joined by And; None when there are none."""
    if not terms:
        return None
    _check_limits(terms)
    text = " And ".join(_render_term(t, nested=len(terms) > 1) for t in terms)
    if len(quote(text, safe="")) > MAX_ENCODED_LENGTH:
        raise _invalid(
            ("filter",),
            f"the filter is too long for Spark (over {MAX_ENCODED_LENGTH} characters encoded)",
            IssueCode.LIMIT_EXCEEDED,
            "1041",
        )
    return text


def _render_term(term: Term, *, nested: bool) -> str:
    if isinstance(term, Comparison):
        return _render_comparison(term)
    inner = " Or ".join(_render_comparison(c) for c in term.items)
    return f"({inner})" if nested and len(term.items) > 1 else inner


def _render_comparison(c: Comparison) -> str:
    return f"{c.field.value} {c.op.value} {','.join(_literal(v, c.path) for v in c.values)}"


def _literal(value: Value, path: FieldPath) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if _FORBIDDEN_IN_STRINGS.search(value):
        raise _invalid(path, "control characters and backslashes are not allowed in filters")
    if len(value) > MAX_VALUE_LENGTH:
        raise _invalid(path, f"at most {MAX_VALUE_LENGTH} characters", IssueCode.TOO_LONG)
    return "'" + value.replace("'", "\\'") + "'"


def _check_limits(terms: Sequence[Term]) -> None:
    comparisons = [c for t in terms for c in (t.items if isinstance(t, AnyOf) else (t,))]
    if len(comparisons) > MAX_EXPRESSIONS:
        raise _invalid(
            ("filter",),
            f"at most {MAX_EXPRESSIONS} conditions in one filter",
            IssueCode.LIMIT_EXCEEDED,
            "1041",
        )
    for c in comparisons:
        if len(c.values) > MAX_LIST_VALUES:
            raise _invalid(
                c.path,
                f"at most {MAX_LIST_VALUES} values in one list",
                IssueCode.LIMIT_EXCEEDED,
                "1041",
            )


def _invalid(
    path: FieldPath, message: str, code: IssueCode = IssueCode.INVALID, provider_code: str = "1040"
) -> ValidationFailed:
    return ValidationFailed(
        [FieldIssue(path, code, message, provider_code)], provider=ProviderName.SPARK
    )


PHONE_FIELDS: Final = (
    SearchField.PRIMARY_PHONE,
    SearchField.HOME_PHONE,
    SearchField.WORK_PHONE,
    SearchField.MOBILE_PHONE,
    SearchField.FAX_PHONE,
    SearchField.PAGER_PHONE,
    SearchField.OTHER_PHONE,
)


def terms_for(flt: ContactFilter) -> list[Term]:
    """Translate the unified filter (and its Spark block) into Spark terms."""
    terms: list[Term] = []

    def text(field: SearchField, value: str | None, name: str) -> None:
        if value is not None:
            terms.append(Comparison(field, Op.EQ, (value,), ("filter", name)))

    def either(fields: Sequence[SearchField], value: str | None, name: str) -> None:
        if value is not None:
            path = ("filter", name)
            terms.append(AnyOf(tuple(Comparison(f, Op.EQ, (value,), path) for f in fields)))

    if flt.ids is not None:
        terms.append(Comparison(SearchField.ID, Op.EQ, tuple(flt.ids), ("filter", "ids")))
    text(SearchField.DISPLAY_NAME, flt.display_name, "displayName")
    text(SearchField.GIVEN_NAME, flt.given_name, "givenName")
    text(SearchField.FAMILY_NAME, flt.family_name, "familyName")
    text(SearchField.PRIMARY_EMAIL, flt.email, "email")
    text(SearchField.ORGANIZATION, flt.organization, "organization")
    either(PHONE_FIELDS, flt.phone, "phone")
    either((SearchField.HOME_LOCALITY, SearchField.WORK_LOCALITY), flt.city, "city")
    either(
        (SearchField.HOME_POSTAL_CODE, SearchField.WORK_POSTAL_CODE), flt.postal_code, "postalCode"
    )
    if flt.tags:
        terms.append(Comparison(SearchField.TAGS, Op.EQ, tuple(flt.tags), ("filter", "tags")))
    if flt.updated_since is not None:
        terms.append(Comparison(SearchField.MODIFIED, Op.GE, (flt.updated_since,)))
    if flt.created_since is not None:
        terms.append(Comparison(SearchField.CREATED, Op.GE, (flt.created_since,)))
    if isinstance(flt.extras, SparkFilter):
        terms.extend(_spark_terms(flt.extras))
    return terms


def _spark_terms(extras: SparkFilter) -> list[Term]:
    terms: list[Term] = []
    if extras.vow_active is not None:
        terms.append(Comparison(SearchField.VOW_ACTIVE, Op.EQ, (extras.vow_active,)))
    if extras.portal_login_name is not None:
        path = ("filter", "spark", "portalLoginName")
        if "*" in extras.portal_login_name:
            raise _invalid(path, "portalLoginName does not take wildcards")
        terms.append(
            Comparison(SearchField.PORTAL_LOGIN_NAME, Op.EQ, (extras.portal_login_name,), path)
        )
    return terms
