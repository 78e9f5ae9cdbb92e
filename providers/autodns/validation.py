"""AutoDNS's contact rules, checked before any upstream call.

The rules themselves are `rules.contact_problems`, the very functions the sandbox
answers with, so a client sees the same `providerCode` (the EF code) whether the
gateway or AutoDNS caught a problem. This module adds what only the gateway knows:
the unified input must fit a handle's slots (`check_shape`), and each problem is
reported on the unified input path its AutoDNS field came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from providers.autodns.mapping import ADDRESS_KIND, FAX_KIND, VOICE_KIND, AutoDnsWrite
from providers.autodns.rules import ErrorCode, Problem, contact_problems, identity_problem
from providers.errors import FieldIssue, IssueCode, NotFound, ValidationFailed
from providers.model import ContactInput, EmailKind, FieldPath, ProviderName, is_set

AUTODNS_ID: Final = re.compile(r"[1-9][0-9]{0,17}")
"""AutoDNS contact ids are positive integers (the sandbox stores them as such)."""

ISSUE_CODES: Final[Mapping[str, IssueCode]] = {
    ErrorCode.INVALID_PHONE: IssueCode.INVALID_FORMAT,
    ErrorCode.INVALID_FAX: IssueCode.INVALID_FORMAT,
    ErrorCode.ID_OR_ALIAS_MISSING: IssueCode.REQUIRED,
    ErrorCode.COMMENT_TOO_LONG: IssueCode.TOO_LONG,
    ErrorCode.TOO_LONG: IssueCode.TOO_LONG,
    ErrorCode.INVALID_FIRST_NAME: IssueCode.INVALID,
    ErrorCode.INVALID_LAST_NAME: IssueCode.INVALID,
    ErrorCode.INVALID_ORGANIZATION: IssueCode.INVALID,
    ErrorCode.INVALID_VALUE: IssueCode.INVALID,
    ErrorCode.BAD_REQUEST: IssueCode.INVALID,
}
INPUT_CODES: Final = frozenset(ISSUE_CODES)
"""EF codes that mean 'change the input' (answered as ValidationFailed)."""

UNSUPPORTED_FIELDS: Final[Mapping[str, str]] = {
    "display_name": "displayName",
    "salutation": "salutation",
    "middle_name": "middleName",
    "position": "position",
}


def issue_code(code: str, value_given: bool) -> IssueCode:
    """The unified issue code of an EF code; REQUIRED when the field was left empty."""
    if not value_given:
        return IssueCode.REQUIRED
    return ISSUE_CODES.get(code, IssueCode.INVALID)


def is_contact_id(native_id: str) -> bool:
    return AUTODNS_ID.fullmatch(native_id) is not None


def check_contact_id(native_id: str) -> str:
    """The id if it is an AutoDNS id; EF030110 when empty, NotFound for anything else."""
    missing = identity_problem(native_id, None)
    if missing is not None:
        raise ValidationFailed(
            [FieldIssue(("id",), IssueCode.REQUIRED, missing.message, missing.code)],
            provider=ProviderName.AUTODNS,
        )
    if not is_contact_id(native_id):
        raise NotFound(f"no AutoDNS contact {native_id!r}", provider=ProviderName.AUTODNS)
    return native_id


def check_shape(data: ContactInput) -> None:
    """The unified input must fit a handle: one email, one PRIMARY and one FAX number,
    one address (kind OTHER), and none of the fields AutoDNS does not have."""
    issues = [*_unsupported(data), *_emails(data), *_phones(data), *_addresses(data)]
    if issues:
        raise ValidationFailed(issues, provider=ProviderName.AUTODNS)


def check_write(write: AutoDnsWrite, *, creating: bool) -> None:
    """Raise ValidationFailed listing every broken AutoDNS rule of this create or update.

    A create is checked whole. An update is merged into the stored contact by AutoDNS,
    so only the fields it sends are checked here (AutoDNS checks the merged result).
    """
    problems = contact_problems(write.fields)
    if not creating:
        problems = [p for p in problems if p.field in write.fields]
    if problems:
        raise ValidationFailed(
            [issue_for(p, write) for p in problems], provider=ProviderName.AUTODNS
        )


def issue_for(problem: Problem, write: AutoDnsWrite) -> FieldIssue:
    value = write.fields.get(problem.field)
    given = bool(value.strip()) if isinstance(value, str) else bool(value)
    return FieldIssue(
        write.path_of(problem.field),
        issue_code(problem.code, given),
        problem.message,
        problem.code,
    )


def _issue(path: FieldPath, code: IssueCode, message: str) -> FieldIssue:
    return FieldIssue(path, code, message, None)


def _unsupported(data: ContactInput) -> Iterable[FieldIssue]:
    for name, camel in UNSUPPORTED_FIELDS.items():
        value = getattr(data, name)
        if is_set(value) and value is not None:
            why = (
                "AutoDNS has no display name; it is derived from givenName and familyName "
                "(or the organization)"
                if name == "display_name"
                else f"AutoDNS domain contacts have no {camel}"
            )
            yield _issue((camel,), IssueCode.UNSUPPORTED, why)


def _emails(data: ContactInput) -> Iterable[FieldIssue]:
    emails = data.emails if isinstance(data.emails, tuple) else ()
    for index, email in enumerate(emails):
        if index > 0:
            yield _issue(
                ("emails", str(index)), IssueCode.LIMIT_EXCEEDED, "AutoDNS keeps one email"
            )
        elif email.kind is not EmailKind.PRIMARY:
            yield _issue(
                ("emails", "0", "kind"), IssueCode.UNSUPPORTED, "the email must be PRIMARY"
            )


def _phones(data: ContactInput) -> Iterable[FieldIssue]:
    phones = data.phones if isinstance(data.phones, tuple) else ()
    seen = set()
    for index, phone in enumerate(phones):
        path = ("phones", str(index), "kind")
        if phone.kind not in (VOICE_KIND, FAX_KIND):
            yield _issue(
                path,
                IssueCode.UNSUPPORTED,
                f"AutoDNS keeps one {VOICE_KIND.value} (voice) and one {FAX_KIND.value} number",
            )
        elif phone.kind in seen:
            yield _issue(path, IssueCode.LIMIT_EXCEEDED, f"only one {phone.kind.value} number")
        seen.add(phone.kind)


def _addresses(data: ContactInput) -> Iterable[FieldIssue]:
    addresses = data.addresses if isinstance(data.addresses, tuple) else ()
    for index, address in enumerate(addresses):
        if index > 0:
            yield _issue(
                ("addresses", str(index)), IssueCode.LIMIT_EXCEEDED, "AutoDNS keeps one address"
            )
        elif address.kind is not ADDRESS_KIND:
            yield _issue(
                ("addresses", "0", "kind"),
                IssueCode.UNSUPPORTED,
                f"the address of a domain contact is kind {ADDRESS_KIND.value}",
            )
