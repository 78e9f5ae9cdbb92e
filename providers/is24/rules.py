"""The documented IS24 realtor-contact rules, as pure functions over the JSON document.

The sandbox answers with these problems, and the adapter runs the same functions
before any upstream call, so both always agree. Each problem names the IS24 field,
the IS24 message code and a text that names the field.

Phone, fax and cell phone (`phoneNumber`, `faxNumber`, `cellPhoneNumber`) are each
given as three parts (`…CountryCode`, `…AreaCode`, `…Subscriber`) or as one complete
number. A complete number only counts when none of its parts is given; then it must
read "+CC AREA SUBSCRIBER". Digits and single spaces are the only characters allowed
(spaces the only divider, no leading/trailing space); the country code starts with
"+" ("00" is refused); with +49 the area code may not start with 0. Empty strings
count as "not given". `lastname` and `email` are mandatory (whitespace is not a
value). `salutation` is one of the documented values and `countryCode` is ISO 3166-1
alpha-3 (three capital letters).

Duplicates — decision (IS24 does not say how equal "equal" is; the sandbox and the
adapter both use this): two contacts are duplicates when all of salutation,
firstname, lastname, street, houseNumber, postcode, city, countryCode, phone, fax,
cellPhone, homepageUrl and email are equal after trimming surrounding whitespace,
collapsing inner runs of whitespace to one space and comparing case-insensitively
(`str.casefold`). A missing salutation equals NO_SALUTATION (what a read returns),
and a missing field equals an empty one. Phone numbers compare as "+" and their
digits with the country code, whether sent in parts or complete, so
"+49 30 24301999" equals the parts +49 / 30 / 24301999.

At most `PROFILE_PAGE_LIMIT` (20) contacts of a user may have showOnProfilePage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from providers.errors import IssueCode
from providers.is24.xml_codec import FieldValue

NOT_VALID = "ERROR_REQUEST_DATA_NOT_VALID"
DUPLICATE = "ERROR_RESOURCE_DUPLICATE"
PROFILE_PAGE_LIMIT = 20
SALUTATIONS = frozenset({"MALE", "FEMALE", "NO_SALUTATION"})
NUMBER_KINDS = ("phoneNumber", "faxNumber", "cellPhoneNumber")
PART_SUFFIXES = ("CountryCode", "AreaCode", "Subscriber")
DUPLICATE_KEY_FIELDS = (
    "salutation", "firstname", "lastname", "street", "houseNumber", "postcode", "city",
    "countryCode", "phone", "fax", "cellPhone", "homepageUrl", "email",
)  # fmt: skip

_COUNTRY_CODE = re.compile(r"\+[1-9][0-9]{0,2}")
_DIGIT_GROUPS = re.compile(r"[0-9]+(?: [0-9]+)*")
_COMPLETE = re.compile(r"(\S+) ([0-9]+) ([0-9]+(?: [0-9]+)*)")
_COUNTRY_ALPHA3 = re.compile(r"[A-Z]{3}")

Contact = Mapping[str, FieldValue]


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: IS24 field, IS24 message code, text, and the unified issue kind."""

    field: str
    code: str
    message: str
    issue: IssueCode
    existing_id: str | None = None


def _invalid(field: str, message: str, issue: IssueCode = IssueCode.INVALID_FORMAT) -> Problem:
    return Problem(field, NOT_VALID, f"{field}: {message}", issue)


def text_of(doc: Contact, field: str) -> str | None:
    """The field as a non-empty string, or None when it is missing or empty."""
    value = doc.get(field)
    return value if isinstance(value, str) and value != "" else None


def part_fields(kind: str) -> tuple[str, str, str]:
    """The three part fields of a number kind, e.g. phoneNumberCountryCode, …AreaCode, …."""
    cc, area, sub = (f"{kind}{suffix}" for suffix in PART_SUFFIXES)
    return cc, area, sub


def parts_given(doc: Contact, kind: str) -> bool:
    """True when any part of this number is given (then the complete number is ignored)."""
    return any(text_of(doc, field) is not None for field in part_fields(kind))


# ---------------------------------------------------------------- phone numbers


def _country_code_problems(field: str, value: str) -> list[Problem]:
    if value.startswith("00"):
        return [_invalid(field, "the country code must start with '+'; '00' is not allowed")]
    if not _COUNTRY_CODE.fullmatch(value):
        return [_invalid(field, "the country code must be '+' and 1 to 3 digits, e.g. +49")]
    return []


def _area_code_problems(field: str, value: str, country_code: str | None) -> list[Problem]:
    if not _DIGIT_GROUPS.fullmatch(value):
        return [_invalid(field, "only digits, divided by single spaces, are allowed")]
    if country_code == "+49" and value.startswith("0"):
        return [_invalid(field, "with country code +49 the area code may not start with 0")]
    return []


def _parts_problems(doc: Contact, kind: str) -> list[Problem]:
    cc_field, area_field, sub_field = part_fields(kind)
    cc, area, sub = (text_of(doc, f) for f in (cc_field, area_field, sub_field))
    problems = [
        _invalid(field, f"required when any part of {kind} is given", IssueCode.REQUIRED)
        for field, value in ((cc_field, cc), (area_field, area), (sub_field, sub))
        if value is None
    ]
    if cc is not None:
        problems += _country_code_problems(cc_field, cc)
    if area is not None:
        problems += _area_code_problems(area_field, area, cc)
    if sub is not None and not _DIGIT_GROUPS.fullmatch(sub):
        problems.append(_invalid(sub_field, "only digits, divided by single spaces, are allowed"))
    return problems


def _complete_problems(kind: str, number: str) -> list[Problem]:
    if number.startswith("00"):
        return [_invalid(kind, "the country code must start with '+'; '00' is not allowed")]
    match = _COMPLETE.fullmatch(number)
    if match is None:
        return [_invalid(kind, "must read '+CC AREA SUBSCRIBER', divided by single spaces")]
    cc, area, _ = match.groups()
    return _country_code_problems(kind, cc) or _area_code_problems(kind, area, cc)


def number_problems(doc: Contact, kind: str) -> list[Problem]:
    """Problems of one number kind: the parts if any is given, else the complete number."""
    if parts_given(doc, kind):
        return _parts_problems(doc, kind)
    number = text_of(doc, kind)
    return [] if number is None else _complete_problems(kind, number)


def combined_number(doc: Contact, kind: str) -> str | None:
    """The number as IS24 reads it back: "+CC AREA SUBSCRIBER" from complete parts."""
    values = [text_of(doc, field) for field in part_fields(kind)]
    if any(value is None for value in values):
        return None
    return " ".join(value for value in values if value is not None)


def normalised_number(doc: Contact, kind: str) -> str:
    """'+' and the digits of the number that counts (parts first), '' when none is given."""
    if parts_given(doc, kind):
        raw = "".join(text_of(doc, field) or "" for field in part_fields(kind))
    else:
        raw = text_of(doc, kind) or ""
    digits = "".join(ch for ch in raw if ch.isascii() and ch.isdigit())
    return f"+{digits}" if digits else ""


# ---------------------------------------------------------------- field rules


def _mandatory_problems(doc: Contact) -> list[Problem]:
    return [
        Problem(field, NOT_VALID, f"{field}: is mandatory", IssueCode.REQUIRED)
        for field in ("lastname", "email")
        if not (text_of(doc, field) or "").strip()
    ]


def _enumeration_problems(doc: Contact) -> list[Problem]:
    problems = []
    salutation = text_of(doc, "salutation")
    if salutation is not None and salutation not in SALUTATIONS:
        allowed = ", ".join(sorted(SALUTATIONS))
        problems.append(_invalid("salutation", f"must be one of {allowed}", IssueCode.INVALID))
    country = text_of(doc, "countryCode")
    if country is not None and not _COUNTRY_ALPHA3.fullmatch(country):
        problems.append(_invalid("countryCode", "must be an ISO 3166-1 alpha-3 code, e.g. DEU"))
    return problems


def field_problems(doc: Contact) -> list[Problem]:
    """Every documented field rule the contact breaks (empty when it is valid)."""
    problems = _mandatory_problems(doc) + _enumeration_problems(doc)
    for kind in NUMBER_KINDS:
        problems += number_problems(doc, kind)
    return problems


# ---------------------------------------------------------------- across contacts


def _folded(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def duplicate_key(doc: Contact) -> tuple[str, ...]:
    """The values the duplicate check compares, normalised as the module docstring says."""
    address = doc.get("address")
    addr: Mapping[str, str] = address if isinstance(address, dict) else {}
    return (
        _folded(text_of(doc, "salutation") or "NO_SALUTATION"),
        *(_folded(text_of(doc, f)) for f in ("firstname", "lastname")),
        *(_folded(addr.get(f)) for f in ("street", "houseNumber", "postcode", "city")),
        _folded(text_of(doc, "countryCode")),
        *(normalised_number(doc, kind) for kind in ("phoneNumber", "faxNumber")),
        normalised_number(doc, "cellPhoneNumber"),
        *(_folded(text_of(doc, f)) for f in ("homepageUrl", "email")),
    )


def find_duplicate(
    doc: Contact, existing: Mapping[str, Contact], *, exclude_id: str | None = None
) -> str | None:
    """The id of an existing contact (other than `exclude_id`) that `doc` duplicates."""
    key = duplicate_key(doc)
    for contact_id, other in existing.items():
        if contact_id != exclude_id and duplicate_key(other) == key:
            return contact_id
    return None


def duplicate_problems(
    doc: Contact, existing: Mapping[str, Contact], *, exclude_id: str | None = None
) -> list[Problem]:
    """One ERROR_RESOURCE_DUPLICATE problem naming the existing contact, if there is one."""
    found = find_duplicate(doc, existing, exclude_id=exclude_id)
    if found is None:
        return []
    text = f"contact: a contact with the same data already exists with id [{found}]"
    return [Problem("contact", DUPLICATE, text, IssueCode.DUPLICATE, existing_id=found)]


def count_on_profile_page(contacts: Iterable[Contact]) -> int:
    """How many of these contacts have showOnProfilePage set."""
    return sum(1 for doc in contacts if doc.get("showOnProfilePage") is True)


def profile_page_problems(
    doc: Contact, existing: Mapping[str, Contact], *, exclude_id: str | None = None
) -> list[Problem]:
    """A problem when `doc` would be one contact too many on the profile page."""
    if doc.get("showOnProfilePage") is not True:
        return []
    others = (other for cid, other in existing.items() if cid != exclude_id)
    if count_on_profile_page(others) < PROFILE_PAGE_LIMIT:
        return []
    text = f"at most {PROFILE_PAGE_LIMIT} contacts may be shown on the profile page"
    return [_invalid("showOnProfilePage", text, IssueCode.LIMIT_EXCEEDED)]


def contact_problems(
    doc: Contact, existing: Mapping[str, Contact], *, contact_id: str | None = None
) -> list[Problem]:
    """All problems of a create (`contact_id` None) or an update of `contact_id`.

    Field problems come first and alone: a duplicate check on invalid data says nothing.
    """
    problems = field_problems(doc)
    if problems:
        return problems
    return profile_page_problems(doc, existing, exclude_id=contact_id) + duplicate_problems(
        doc, existing, exclude_id=contact_id
    )
