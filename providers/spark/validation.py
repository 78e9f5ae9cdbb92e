"""Spark's documented field rules, checked before any upstream call.

Each problem is reported on the unified input path it came from, with the code
Spark itself would answer (1050 missing, 1053 constraint broken), so a client
sees the same `providerCode` whether the gateway or Spark caught it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Final

from providers.errors import FieldIssue, IssueCode, ValidationFailed
from providers.model import (
    AddressKind,
    ContactInput,
    EmailKind,
    FieldPath,
    ProviderName,
    is_set,
)
from providers.spark.mapping import SparkWrite
from providers.spark.types import RecordStatus

MISSING: Final = "1050"
CONSTRAINT: Final = "1053"

REQUIRED_ON_CREATE: Final = ("DisplayName", "PrimaryEmail")
MAX_LENGTH: Final[Mapping[str, int]] = {
    "DisplayName": 75,
    "PrimaryEmail": 75,
    "MobilePhoneCountryCode": 2,
    "Note": 10_000,
}
DEFAULT_MAX_LENGTH: Final = 300
TAG_MAX_LENGTH: Final = 75
EMAIL_LIST_ATTRIBUTES: Final = ("SecondaryEmails", "AdditionalNotificationEmails")

# `/my/contact` PUT: personal fields only (spark.md marks the exact list as inferred).
MY_CONTACT_PERMITTED: Final = frozenset(
    {
        "DisplayName",
        "GivenName",
        "MiddleName",
        "FamilyName",
        "PrimaryEmail",
        "SecondaryEmails",
        "AdditionalNotificationEmails",
        "PrimaryPhoneNumber",
        "HomePhoneNumber",
        "WorkPhoneNumber",
        "FaxPhoneNumber",
        "MobilePhoneNumber",
        "PagerPhoneNumber",
        "OtherPhoneNumber",
        "MobilePhoneCountryCode",
        "HomeStreetAddress",
        "HomeLocality",
        "HomeRegion",
        "HomePostalCode",
    }
)

SPARK_ID: Final = re.compile(r"[0-9]{1,40}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE: Final = re.compile(r"[\x00-\x1f\x7f]")


def _issue(path: FieldPath, code: IssueCode, message: str, provider_code: str | None) -> FieldIssue:
    return FieldIssue(path, code, message, provider_code)


def check_shape(data: ContactInput, address_kinds: Iterable[AddressKind]) -> None:
    """The unified input must fit Spark's slots: one primary email, one number per kind,
    one address per allowed kind (HOME, WORK). Otherwise something would be dropped."""
    issues: list[FieldIssue] = []
    if isinstance(data.emails, tuple):
        primaries = [i for i, e in enumerate(data.emails) if e.kind is EmailKind.PRIMARY]
        issues += [
            _issue(
                ("emails", str(i), "kind"), IssueCode.INVALID, "only one PRIMARY email", CONSTRAINT
            )
            for i in primaries[1:]
        ]
    if isinstance(data.phones, tuple):
        issues += _repeated_kinds([p.kind for p in data.phones], "phones")
    if isinstance(data.addresses, tuple):
        allowed = set(address_kinds)
        kinds = [a.kind for a in data.addresses]
        issues += _repeated_kinds(kinds, "addresses")
        issues += [
            _issue(
                ("addresses", str(i), "kind"),
                IssueCode.UNSUPPORTED,
                f"Spark keeps only {', '.join(sorted(allowed))} addresses here",
                None,
            )
            for i, kind in enumerate(kinds)
            if kind not in allowed
        ]
    issues += _without_slot(data)
    if issues:
        raise ValidationFailed(issues, provider=ProviderName.SPARK)


def _without_slot(data: ContactInput) -> list[FieldIssue]:
    """Unified fields Spark has no attribute for: refused, not silently dropped."""
    issues = []
    if is_set(data.title) and data.title is not None:
        text = "Spark contacts have no title (salutation is stored as Salutation)"
        issues.append(_issue(("title",), IssueCode.UNSUPPORTED, text, None))
    addresses = data.addresses if isinstance(data.addresses, tuple) else ()
    issues += [
        _issue(
            ("addresses", str(i), "country"),
            IssueCode.UNSUPPORTED,
            "Spark addresses have no country",
            None,
        )
        for i, address in enumerate(addresses)
        if address.country
    ]
    return issues


def _repeated_kinds(kinds: Sequence[StrEnum], field: str) -> list[FieldIssue]:
    seen: set[StrEnum] = set()
    issues = []
    for index, kind in enumerate(kinds):
        if kind in seen:
            issues.append(
                _issue(
                    (field, str(index), "kind"),
                    IssueCode.INVALID,
                    f"only one {kind.value} entry",
                    CONSTRAINT,
                )
            )
        seen.add(kind)
    return issues


def check_write(write: SparkWrite, *, creating: bool) -> None:
    """Raise ValidationFailed listing every broken rule of this create or update."""
    issues = [
        *_required(write, creating=creating),
        *_lengths(write),
        *_characters(write),
        *_emails(write),
        *_record_status(write, creating=creating),
    ]
    if issues:
        raise ValidationFailed(issues, provider=ProviderName.SPARK)


def check_my_contact_write(write: SparkWrite) -> None:
    """The `/my/contact` rules: only personal attributes, then the usual checks."""
    issues = [
        _issue(
            write.paths[attr],
            IssueCode.NOT_ALLOWED,
            f"{attr} cannot be changed through the current user's own contact",
            CONSTRAINT,
        )
        for attr in write.attributes
        if attr not in MY_CONTACT_PERMITTED
    ]
    if issues:
        raise ValidationFailed(issues, provider=ProviderName.SPARK)
    check_write(write, creating=False)


def check_unconnect(current_status: RecordStatus | None, write: SparkWrite) -> None:
    """RecordStatus is one-way: a Connected contact can never become Unconnected again."""
    wanted = write.attributes.get("RecordStatus")
    if wanted == RecordStatus.UNCONNECTED and current_status is RecordStatus.CONNECTED:
        raise ValidationFailed(
            [
                _issue(
                    write.paths["RecordStatus"],
                    IssueCode.NOT_ALLOWED,
                    "a Connected contact cannot be set back to Unconnected",
                    CONSTRAINT,
                )
            ],
            provider=ProviderName.SPARK,
        )


def check_owner_id(owner_id: str) -> None:
    if not SPARK_ID.fullmatch(owner_id):
        raise ValidationFailed(
            [
                _issue(
                    ("ownerId",),
                    IssueCode.INVALID_FORMAT,
                    "ownerId must be a Spark user id (digits only)",
                    CONSTRAINT,
                )
            ],
            provider=ProviderName.SPARK,
        )


def _required(write: SparkWrite, *, creating: bool) -> Iterable[FieldIssue]:
    for attr in REQUIRED_ON_CREATE:
        present = attr in write.attributes
        value = write.attributes.get(attr)
        if (creating and not present) or (present and (value is None or not str(value).strip())):
            path = write.paths.get(attr, (_unified_name(attr),))
            yield _issue(path, IssueCode.REQUIRED, f"{_unified_name(attr)} is required", MISSING)


def _unified_name(attribute: str) -> str:
    return {"DisplayName": "displayName", "PrimaryEmail": "emails"}.get(attribute, attribute)


def _lengths(write: SparkWrite) -> Iterable[FieldIssue]:
    for attr, value in write.attributes.items():
        path = write.paths[attr]
        if isinstance(value, str):
            limit = MAX_LENGTH.get(attr, DEFAULT_MAX_LENGTH)
            if len(value) > limit:
                yield _issue(
                    path,
                    IssueCode.TOO_LONG,
                    f"at most {limit} characters (got {len(value)})",
                    CONSTRAINT,
                )
        elif attr == "Tags" and isinstance(value, list):
            for index, tag in enumerate(value):
                if len(tag) > TAG_MAX_LENGTH:
                    yield _issue(
                        (*path, str(index)),
                        IssueCode.TOO_LONG,
                        f"each tag has at most {TAG_MAX_LENGTH} characters",
                        CONSTRAINT,
                    )
        elif attr in EMAIL_LIST_ATTRIBUTES and isinstance(value, list):
            for address in value:
                if len(address) > DEFAULT_MAX_LENGTH:
                    yield _issue(
                        path,
                        IssueCode.TOO_LONG,
                        f"at most {DEFAULT_MAX_LENGTH} characters",
                        CONSTRAINT,
                    )


def _characters(write: SparkWrite) -> Iterable[FieldIssue]:
    """No control characters: they corrupt CRM exports and terminal logs (Note may break lines)."""
    for attr, value in write.attributes.items():
        texts = value if isinstance(value, list) else [value]
        pattern = (
            _CONTROL
            if attr in ("Note", "HomeStreetAddress", "WorkStreetAddress")
            else _CONTROL_IN_LINE
        )
        if any(isinstance(t, str) and pattern.search(t) for t in texts):
            yield _issue(
                write.paths[attr], IssueCode.INVALID, "control characters are not allowed", None
            )


def _emails(write: SparkWrite) -> Iterable[FieldIssue]:
    primary = write.attributes.get("PrimaryEmail")
    if isinstance(primary, str) and primary and not _EMAIL.fullmatch(primary):
        yield _issue(
            write.paths["PrimaryEmail"],
            IssueCode.INVALID_FORMAT,
            "not an email address",
            CONSTRAINT,
        )
    secondary: Any = write.attributes.get("SecondaryEmails") or []
    if any(not _EMAIL.fullmatch(a) for a in secondary):
        yield _issue(
            write.paths["SecondaryEmails"],
            IssueCode.INVALID_FORMAT,
            "not an email address",
            CONSTRAINT,
        )


def _record_status(write: SparkWrite, *, creating: bool) -> Iterable[FieldIssue]:
    if "RecordStatus" not in write.attributes:
        return
    value = write.attributes["RecordStatus"]
    if value is None and not creating:
        yield _issue(
            write.paths["RecordStatus"],
            IssueCode.REQUIRED,
            "recordStatus cannot be cleared",
            MISSING,
        )
