"""The Spark contact attribute table and the write rules the sandbox enforces.

One place says which attributes exist, which are writeable, how long they may be,
and which are searchable (the latter from `sparkql`), so list parameters, rendering
and write validation cannot disagree. `SparkApiError` is how every handler refuses
a request; the app turns it into Spark's `{"D": {"Success": false, ...}}` envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.spark.sparkql import SEARCHABLE_FIELDS

REQUIRED = ("DisplayName", "PrimaryEmail")
NAME_LIMIT = 75
TEXT_LIMIT = 300
NOTE_LIMIT = 10_000

_TEXT_300 = (
    "GivenName", "MiddleName", "FamilyName", "SpouseGivenName", "SpouseMiddleName",
    "SpouseFamilyName", "PrimaryPhoneNumber", "HomePhoneNumber", "WorkPhoneNumber",
    "FaxPhoneNumber", "MobilePhoneNumber", "PagerPhoneNumber", "OtherPhoneNumber",
    "HomeStreetAddress", "HomeLocality", "HomeRegion", "HomePostalCode", "WorkStreetAddress",
    "WorkLocality", "WorkRegion", "WorkPostalCode", "Organization", "Position", "Birthday",
    "Anniversary", "Assistant", "Children", "Status", "Other", "Pets", "ReferredBy", "Salutation",
)  # fmt: skip

TEXT_LIMITS: Mapping[str, int] = {
    "DisplayName": NAME_LIMIT,
    "PrimaryEmail": NAME_LIMIT,
    **dict.fromkeys(_TEXT_300, TEXT_LIMIT),
    "MobilePhoneCountryCode": 2,
    "Note": NOTE_LIMIT,
}
LIST_LIMITS: Mapping[str, int] = {
    "SecondaryEmails": TEXT_LIMIT,
    "AdditionalNotificationEmails": TEXT_LIMIT,
    "Tags": NAME_LIMIT,
}
LIST_ATTRIBUTES = (*LIST_LIMITS, "InvalidEmails")

# Wire order of the attributes every stored contact carries.
OUTPUT_ATTRIBUTES = (
    "ResourceUri", "Id", "DisplayName", "OwnerId", "RecordStatus", "PrimaryEmail",
    "SecondaryEmails", "AdditionalNotificationEmails", "InvalidEmails", *_TEXT_300[:13],
    "MobilePhoneCountryCode", *_TEXT_300[13:], "ModificationTimestamp", "CreatedTimestamp",
    "Tags", "NewsFeedNotificationUI", "PortalInvitationTimestamp", "Settings", "Note",
)  # fmt: skip

EXPANSIONS = (
    "Activity", "NewsFeedSummary", "NewsFeedNotificationSummary", "Notes", "Portal",
    "VowActive", "VowEnabled", "UniquePrimaryEmail",
)  # fmt: skip
EXPANSION_ATTRIBUTES = (
    "Activity", "DailyActivity", "LastListingEventTimestamp", "UnapprovedListingEventCount",
    "UnreadListingEventCount", "LastListingNotificationEventTimestamp",
    "UnapprovedListingNotificationEventCount", "UnreadListingNotificationEventCount", "Notes",
    "Portal", "VowActive", "VowExists", "UniquePrimaryEmail",
)  # fmt: skip
READ_ONLY = frozenset(
    {
        "Id", "ResourceUri", "OwnerId", "CreatedTimestamp", "ModificationTimestamp",
        "InvalidEmails", "NewsFeedNotificationUI", "PortalInvitationTimestamp", "PortalLoginName",
        *EXPANSION_ATTRIBUTES,
    }
)  # fmt: skip
SELECTABLE = frozenset({*OUTPUT_ATTRIBUTES, *EXPANSION_ATTRIBUTES})
ORDERABLE = frozenset(SEARCHABLE_FIELDS)
RECORD_STATUSES = ("Connected", "Unconnected")

# `/v1/my/contact` PUT: personal fields only (spark.md: the exact list is inferred).
MY_CONTACT_PERMITTED = frozenset(
    {
        "DisplayName", "GivenName", "MiddleName", "FamilyName", "PrimaryEmail",
        "SecondaryEmails", "PrimaryPhoneNumber", "HomePhoneNumber", "WorkPhoneNumber",
        "FaxPhoneNumber", "MobilePhoneNumber", "PagerPhoneNumber", "OtherPhoneNumber",
        "MobilePhoneCountryCode", "HomeStreetAddress", "HomeLocality", "HomeRegion",
        "HomePostalCode",
    }
)  # fmt: skip

ErrorItem = dict[str, str]


class SparkApiError(Exception):
    """A refusal in Spark's terms: HTTP status, Spark code, message and optional details."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: list[ErrorItem] | None = None,
        sparkql_errors: list[ErrorItem] | None = None,
    ) -> None:
        super().__init__(f"{status}/{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []
        self.sparkql_errors = sparkql_errors or []

    def body(self) -> dict[str, Any]:
        """The `D` envelope Spark sends for this error."""
        inner: dict[str, Any] = {"Success": False, "Code": self.code, "Message": self.message}
        if self.errors:
            inner["Errors"] = self.errors
        if self.sparkql_errors:
            inner["SparkQLErrors"] = self.sparkql_errors
        return {"D": inner}


def invalid_parameter(message: str) -> SparkApiError:
    """1053: a query parameter or attribute breaks its constraints."""
    return SparkApiError(400, 1053, message)


def error_item(kind: str, attribute: str, message: str) -> ErrorItem:
    return {"Type": kind, "Attribute": attribute, "Message": message, "Status": "Fatal"}


@dataclass(slots=True)
class _Check:
    """Collects every violation of one write so the response can report all of them."""

    changes: dict[str, Any] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)
    missing_required: bool = False

    def fail(self, attribute: str, message: str, kind: str = "InvalidAttribute") -> None:
        self.errors.append(error_item(kind, attribute, message))

    def require(self, attribute: str) -> None:
        self.missing_required = True
        self.fail(attribute, f"{attribute} is required")

    def raise_if_failed(self) -> None:
        if not self.errors:
            return
        code = 1050 if self.missing_required else 1053
        message = "required attribute missing" if self.missing_required else "invalid attributes"
        raise SparkApiError(400, code, message, self.errors)


def check_write(
    body: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    permitted: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Validate a create (`current` None) or partial update; return the attribute changes.

    `permitted` restricts the attributes (the `/my/contact` subset). `Notify` is
    validated on create and then dropped: it changes nothing the API shows.
    """
    check = _Check()
    for name, value in body.items():
        if permitted is not None and name not in permitted:
            check.fail(name, f"{name} is not permitted here")
        else:
            _check_attribute(check, name, value, creating=current is None)
    if current is None:
        for name in REQUIRED:
            if name not in body:
                check.require(name)
    _check_record_rules(check, current)
    check.raise_if_failed()
    return check.changes


def _check_attribute(check: _Check, name: str, value: Any, *, creating: bool) -> None:
    if name == "Notify":
        _check_notify(check, value, creating)
    elif name in TEXT_LIMITS:
        _check_text(check, name, value)
    elif name in LIST_LIMITS:
        _check_list(check, name, value)
    elif name == "RecordStatus":
        _check_record_status(check, value)
    elif name == "Settings":
        _check_settings(check, value)
    elif name in READ_ONLY:
        check.fail(name, f"{name} is read-only")
    else:
        check.fail(name, f"{name} is not a contact attribute")


def _check_notify(check: _Check, value: Any, creating: bool) -> None:
    if not creating:
        check.fail("Notify", "Notify is accepted on create only")
    elif not isinstance(value, bool):
        check.fail("Notify", "Notify must be a boolean")


def _check_text(check: _Check, name: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and not value.strip() and name in REQUIRED):
        if name in REQUIRED:
            check.require(name)
        else:
            check.changes[name] = None
    elif not isinstance(value, str):
        check.fail(name, f"{name} must be a string")
    elif len(value) > TEXT_LIMITS[name]:
        check.fail(name, f"{name} is longer than {TEXT_LIMITS[name]} characters")
    else:
        check.changes[name] = value


def _check_list(check: _Check, name: str, value: Any) -> None:
    if value is None:
        check.changes[name] = []
    elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        check.fail(name, f"{name} must be a list of strings")
    elif any(len(item) > LIST_LIMITS[name] for item in value):
        check.fail(name, f"each entry of {name} must be at most {LIST_LIMITS[name]} characters")
    else:
        check.changes[name] = list(value)


def _check_record_status(check: _Check, value: Any) -> None:
    if value not in RECORD_STATUSES:
        check.fail("RecordStatus", "RecordStatus must be Connected or Unconnected")
    else:
        check.changes["RecordStatus"] = value


def _check_settings(check: _Check, value: Any) -> None:
    if value is None:
        check.changes["Settings"] = {"ReverseProspecting": False}
    elif (
        not isinstance(value, dict)
        or set(value) - {"ReverseProspecting"}
        or not isinstance(value.get("ReverseProspecting", False), bool)
    ):
        check.fail("Settings", "Settings takes only ReverseProspecting (boolean)")
    else:
        check.changes["Settings"] = {"ReverseProspecting": value.get("ReverseProspecting", False)}


def _check_record_rules(check: _Check, current: Mapping[str, Any] | None) -> None:
    """Rules over the record as it would be after the write."""
    merged = {**(current or {}), **check.changes}
    secondary = {email.lower() for email in merged.get("SecondaryEmails") or []}
    notified = merged.get("AdditionalNotificationEmails") or []
    extra = [email for email in notified if email.lower() not in secondary]
    if extra and not _has_error(check, "AdditionalNotificationEmails", "SecondaryEmails"):
        message = "AdditionalNotificationEmails must be a subset of SecondaryEmails"
        check.fail("AdditionalNotificationEmails", message, "RuleViolation")
    was_connected = current is not None and current.get("RecordStatus") == "Connected"
    if was_connected and check.changes.get("RecordStatus") == "Unconnected":
        message = "a Connected contact cannot become Unconnected"
        check.fail("RecordStatus", message, "RuleViolation")


def _has_error(check: _Check, *attributes: str) -> bool:
    return any(item["Attribute"] in attributes for item in check.errors)


def check_transfer(body: Mapping[str, Any]) -> str:
    """The target owner of a transfer body; OwnerId must be its only attribute."""
    if set(body) != {"OwnerId"}:
        others = sorted(set(body) - {"OwnerId"})
        message = f"a transfer allows no other attribute (got {', '.join(others)})"
        raise SparkApiError(400, 1053, message, [error_item("InvalidRecord", "OwnerId", message)])
    owner = body["OwnerId"]
    if not isinstance(owner, str) or not owner:
        message = "OwnerId must be a non-empty string"
        item = error_item("InvalidAttribute", "OwnerId", message)
        raise SparkApiError(400, 1053, message, [item])
    return owner
