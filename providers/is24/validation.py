"""IS24's documented rules, checked before any upstream write.

Three steps, cheapest first:
1. `check_shape` — the unified input must fit a realtor contact (one WORK, FAX and
   MOBILE number, one PRIMARY and one SECONDARY email, one address with one street
   line, no display or middle name, no MX salutation). No I/O.
2. `check_document` — `rules.field_problems` on the document that would be sent
   (numbers, mandatory lastname/email, salutation, countryCode) plus characters XML
   cannot carry. No I/O.
3. `check_against` — the duplicate check and the 20-profile-page limit need the user's
   current contacts; the adapter reads them with ONE list call (IS24's list has no
   paging) right before the write. The sandbox, like IS24, checks again on write, so
   a contact created in between is still refused upstream.

Every problem is reported on the unified input path it came from, with IS24's own
message code as `provider_code` (`ERROR_REQUEST_DATA_NOT_VALID`,
`ERROR_RESOURCE_DUPLICATE`), so a client sees the same code whether the gateway or
IS24 caught it. Shape problems IS24 itself cannot produce carry no provider code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from providers.errors import DuplicateContact, FieldIssue, IssueCode, ValidationFailed
from providers.is24 import rules
from providers.is24.mapping import EXTRA_FIELDS, EXTRA_INPUTS, FIELD_FOR_KIND, Is24Write
from providers.is24.xml_codec import (
    MAX_BODY_BYTES,
    ContactDoc,
    FieldValue,
    contact_to_json,
    contact_to_xml,
    xml_safe,
)
from providers.model import ContactInput, EmailKind, FieldPath, ProviderName, Salutation, is_set

_PROVIDER: Final = ProviderName.IS24
CONTACT_ID: Final = re.compile(r"[0-9]{1,19}")
MAX_EXTERNAL_ID: Final = 255
MULTILINE_FIELDS: Final = frozenset({"officeHours"})
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_DOCUMENT_BYTES: Final = MAX_BODY_BYTES - 4 * 1024
"""A request document's cap: the codec's single-contact cap less room for what a response
adds (the id, defaults, more namespaces)."""
_PHONE_PATH: Final = ("phones",)
DEFAULT_PATHS: Final[Mapping[str, FieldPath]] = {
    "email": ("emails",),
    "secondaryEmail": ("emails",),
    "salutation": ("salutation",),
    "firstname": ("givenName",),
    "lastname": ("familyName",),
    "title": ("title",),
    "position": ("position",),
    "company": ("organization",),
    "address": ("addresses",),
    "countryCode": ("addresses",),
    "contact": (),
    **{name: ("is24", EXTRA_INPUTS[name]) for name in EXTRA_FIELDS.values()},
}


def is_contact_id(native_id: str) -> bool:
    """IS24 contact ids are digits; anything else names no contact (and no other path)."""
    return CONTACT_ID.fullmatch(native_id) is not None


def is_external_id(external_id: str) -> bool:
    """A usable external id: non-empty, bounded, and text XML can carry."""
    return 0 < len(external_id) <= MAX_EXTERNAL_ID and xml_safe(external_id) == external_id


def _issue(
    path: FieldPath, code: IssueCode, message: str, provider_code: str | None = None
) -> FieldIssue:
    return FieldIssue(path, code, message, provider_code)


def path_of(name: str, write: Is24Write) -> FieldPath:
    """The unified input path an IS24 field came from (or where it would be set)."""
    if name in write.paths:
        return write.paths[name]
    return DEFAULT_PATHS.get(name, _PHONE_PATH)


def issue_for(problem: rules.Problem, write: Is24Write) -> FieldIssue:
    return _issue(path_of(problem.field, write), problem.issue, problem.message, problem.code)


# ---------------------------------------------------------------- 1. shape


def check_shape(data: ContactInput) -> None:
    """Raise ValidationFailed when the unified input does not fit a realtor contact."""
    issues = [*_unsupported(data), *_emails(data), *_phones(data), *_addresses(data)]
    if issues:
        raise ValidationFailed(issues, provider=_PROVIDER)


def _unsupported(data: ContactInput) -> Iterable[FieldIssue]:
    if is_set(data.display_name) and data.display_name is not None:
        text = "IS24 has no display name; it is 'title givenName familyName additionName'"
        yield _issue(("displayName",), IssueCode.UNSUPPORTED, text)
    if is_set(data.middle_name) and data.middle_name is not None:
        yield _issue(("middleName",), IssueCode.UNSUPPORTED, "IS24 contacts have no middle name")
    if data.salutation is Salutation.MX:
        text = "IS24 knows the salutations MR, MS and NONE"
        yield _issue(("salutation",), IssueCode.UNSUPPORTED, text, rules.NOT_VALID)


def _emails(data: ContactInput) -> Iterable[FieldIssue]:
    seen: set[EmailKind] = set()
    for index, email in enumerate(data.emails if isinstance(data.emails, tuple) else ()):
        if email.kind in seen:
            text = f"IS24 keeps one {email.kind.value} email"
            yield _issue(("emails", str(index), "kind"), IssueCode.LIMIT_EXCEEDED, text)
        seen.add(email.kind)


def _phones(data: ContactInput) -> Iterable[FieldIssue]:
    seen = set()
    for index, phone in enumerate(data.phones if isinstance(data.phones, tuple) else ()):
        path = ("phones", str(index))
        if phone.kind not in FIELD_FOR_KIND:
            text = "IS24 keeps one WORK (phone), one FAX and one MOBILE (cell phone) number"
            yield _issue((*path, "kind"), IssueCode.UNSUPPORTED, text)
        elif phone.kind in seen:
            text = f"only one {phone.kind.value} number"
            yield _issue((*path, "kind"), IssueCode.LIMIT_EXCEEDED, text)
        parts = (phone.number, phone.country_code, phone.area_code, phone.subscriber)
        if not any(parts):
            text = "give the complete number or its parts"
            yield _issue(path, IssueCode.REQUIRED, text, rules.NOT_VALID)
        seen.add(phone.kind)


def _addresses(data: ContactInput) -> Iterable[FieldIssue]:
    addresses = data.addresses if isinstance(data.addresses, tuple) else ()
    for index, address in enumerate(addresses):
        path = ("addresses", str(index))
        if index > 0:
            yield _issue(path, IssueCode.LIMIT_EXCEEDED, "IS24 keeps one address")
        if len(address.street_lines) > 1:
            text = "IS24 keeps one street line (the house number goes in houseNumber)"
            yield _issue((*path, "streetLines"), IssueCode.LIMIT_EXCEEDED, text)
        if address.region:
            yield _issue((*path, "region"), IssueCode.UNSUPPORTED, "IS24 keeps no region")


# ---------------------------------------------------------------- 2. the document


def check_document(write: Is24Write, *, only_touched: bool = False) -> None:
    """Raise ValidationFailed listing every documented field rule the document breaks.

    `only_touched` checks just the fields the input set or cleared: an update's own
    changes can be judged before the current contact is read.
    """
    problems = rules.field_problems(write.doc)
    if only_touched:
        problems = [p for p in problems if p.field in write.paths]
    issues = [issue_for(p, write) for p in problems]
    issues += _unsafe_text(write)
    if not issues:
        issues += _oversized(write)
    if issues:
        raise ValidationFailed(issues, provider=_PROVIDER)


def _texts(doc: Mapping[str, FieldValue]) -> Iterable[tuple[str, str]]:
    for name, value in doc.items():
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, dict):
            yield from ((f"address.{key}", text) for key, text in value.items())


def _unsafe_text(write: Is24Write) -> Iterable[FieldIssue]:
    """IS24 documents are XML at heart: characters XML cannot carry are refused (either
    type). Control characters XML could carry (TAB, LF, CR, DEL) are refused too, as every
    provider refuses them, except line breaks and tabs in the free-text office hours."""
    for name, text in _texts(write.doc):
        if xml_safe(text) != text:
            message = f"{name}: contains a character XML cannot carry"
        elif (_CONTROL_IN_TEXT if name in MULTILINE_FIELDS else _CONTROL).search(text):
            message = f"{name}: control characters are not allowed"
        else:
            continue
        path = write.paths.get(name) or path_of(name.partition(".")[0], write)
        yield _issue(path, IssueCode.INVALID, message, rules.NOT_VALID)


def _oversized(write: Is24Write) -> list[FieldIssue]:
    """A contact bigger than the codec reads back (IS24 answers 413 to such bodies anyway)
    could be written but never read: refused here, reported on its longest text."""
    size = max(len(contact_to_json(write.doc)), len(contact_to_xml(write.doc, response=False)))
    if size <= MAX_DOCUMENT_BYTES:
        return []
    name, _ = max(_texts(write.doc), key=lambda item: len(item[1]))
    path = write.paths.get(name) or path_of(name.partition(".")[0], write)
    message = f"the contact would take {size} bytes; IS24 contacts are at most {MAX_DOCUMENT_BYTES}"
    return [_issue(path, IssueCode.TOO_LONG, message, rules.NOT_VALID)]


# ---------------------------------------------------------------- 3. against the others


def check_against(
    write: Is24Write, existing: Mapping[str, ContactDoc], *, contact_id: str | None = None
) -> None:
    """The rules across the user's contacts: duplicates, profile page, external ids."""
    duplicates = rules.duplicate_problems(write.doc, existing, exclude_id=contact_id)
    if duplicates:
        found = duplicates[0]
        raise DuplicateContact(
            found.message,
            existing_id=found.existing_id,
            provider=_PROVIDER,
            provider_code=found.code,
        )
    _check_external_id(write, existing, contact_id)
    problems = rules.profile_page_problems(write.doc, existing, exclude_id=contact_id)
    if problems:
        raise ValidationFailed([issue_for(p, write) for p in problems], provider=_PROVIDER)


def _check_external_id(
    write: Is24Write, existing: Mapping[str, ContactDoc], contact_id: str | None
) -> None:
    """An external id names one contact (`ext-…` reads must not be ambiguous)."""
    external_id = rules.text_of(write.doc, "externalId")
    if external_id is None:
        return
    for other_id, doc in existing.items():
        if other_id != contact_id and doc.get("externalId") == external_id:
            raise DuplicateContact(
                f"externalId: already used by the contact with id [{other_id}]",
                field=path_of("externalId", write),
                existing_id=other_id,
                provider=_PROVIDER,
                provider_code=rules.DUPLICATE,
            )
