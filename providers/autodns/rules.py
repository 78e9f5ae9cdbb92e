"""AutoDNS domain-contact input rules as pure functions, shared by sandbox and adapter.

The sandbox answers with these problems in its error envelope; the adapter runs the
same functions before any upstream call, so both always agree. Every function takes
the AutoDNS JSON contact dict (wire field names) and returns `Problem`s naming the
wire field, the EF code and a message. No I/O.

Codes (`ErrorCode`). Documented by AutoDNS: EF03010 … EF03019 and EF030110. The rest
are *inferred* (AutoDNS documents no code for them); the sandbox uses them and the
adapter must map them:

    EF00000  authentication failed (wrong user, password or context)      HTTP 401
    EF00001  unknown resource or method                                    HTTP 404/405
    EF00429  rate limited (Retry-After header, seconds)                    HTTP 429
    EF00500  server error (injected faults)                                HTTP 5xx
    EF03020  same contact data exists; send keys[]=force_handle_create     HTTP 409
    EF03021  no such domain contact (also any id that is not a number)     HTTP 404
    EF03022  contact still used by a domain, cannot be deleted             HTTP 409
    EF03023  invalid or missing value of a field without its own code      HTTP 400
    EF03024  malformed request body or search query                        HTTP 400

Decisions on points the provider doc leaves open (all *inferred*):
- Required on every contact: alias (missing → EF030110: before an id exists the alias
  is the only identifier), type, fname (EF03017), lname (EF03018), address (1 to 3 lines),
  city, country, email. ORG and ROLE also require organization (EF03019). Phone, fax,
  pcode, state, title, comment, protection and sip are optional.
- A first/last name is invalid when it has control characters or no letter (so
  digits-only fails); an organization when it has control characters, no letter or
  digit, or only digits.
- Maxima (EF03015): see `MAX_LENGTH`; address has at most 3 lines of 128 characters.
  The comment field is `comment`, at most 500 characters (EF03012).
- Phone/fax: wire format `+<cc>-<area>-<number>` (digits only in parts) and a
  possible number for that country per `phonenumbers`.
- Country: ISO 3166-1 alpha-2, case-insensitive (the sandbox stores it upper-case).
- protection: SHOW_NONE (default), SHOW_EMAIL, SHOW_ALL.
- Same contact (`same_contact_key`): type, fname, lname, organization, email, address,
  pcode, city and country equal after trimming, collapsing whitespace and casefolding.
  Without `force_handle_create` such a create is REFUSED with EF03020, whose message
  object `{"type": "Contact", "value": "<existing id>"}` names the existing handle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class ErrorCode(StrEnum):
    """Message codes of the contact tasks (see the module docstring for the inferred ones)."""

    INVALID_PHONE = "EF03010"
    INVALID_FAX = "EF03011"
    ID_OR_ALIAS_MISSING = "EF030110"
    COMMENT_TOO_LONG = "EF03012"
    INTERNAL_NIC_MEMBER = "EF03013"
    INTERNAL_INVALID_CONTACT = "EF03014"
    TOO_LONG = "EF03015"
    NOT_AUTHORISED = "EF03016"
    INVALID_FIRST_NAME = "EF03017"
    INVALID_LAST_NAME = "EF03018"
    INVALID_ORGANIZATION = "EF03019"
    AUTH_FAILED = "EF00000"
    UNKNOWN_RESOURCE = "EF00001"
    RATE_LIMITED = "EF00429"
    SERVER_ERROR = "EF00500"
    DUPLICATE = "EF03020"
    NOT_FOUND = "EF03021"
    IN_USE = "EF03022"
    INVALID_VALUE = "EF03023"
    BAD_REQUEST = "EF03024"


_E = ErrorCode


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: the AutoDNS wire field, its EF code and a readable message."""

    field: str
    code: ErrorCode
    message: str


CONTACT_TYPES: Final = frozenset({"PERSON", "ORG", "ROLE"})
PROTECTION_LEVELS: Final = frozenset({"SHOW_NONE", "SHOW_EMAIL", "SHOW_ALL"})
DEFAULT_PROTECTION: Final = "SHOW_NONE"
STRING_FIELDS: Final = (
    "alias", "type", "organization", "title", "fname", "lname", "pcode", "city",
    "state", "country", "email", "phone", "fax", "comment", "protection", "sip",
)  # fmt: skip
WRITABLE_FIELDS: Final = (*STRING_FIELDS, "address")
MAX_LENGTH: Final[Mapping[str, int]] = {
    "alias": 64, "title": 32, "fname": 64, "lname": 64, "organization": 128,
    "pcode": 16, "city": 64, "state": 64, "email": 128, "sip": 128,
}  # fmt: skip
MAX_ADDRESS_LINES: Final = 3
MAX_ADDRESS_LINE: Final = 128
MAX_COMMENT: Final = 500
INVALID_CODE: Final[Mapping[str, ErrorCode]] = {
    "fname": ErrorCode.INVALID_FIRST_NAME,
    "lname": ErrorCode.INVALID_LAST_NAME,
    "organization": ErrorCode.INVALID_ORGANIZATION,
    "phone": ErrorCode.INVALID_PHONE,
    "fax": ErrorCode.INVALID_FAX,
}
MATCH_FIELDS: Final = (
    "type", "fname", "lname", "organization", "email", "address", "pcode", "city", "country",
)  # fmt: skip

_ISO_ALPHA2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: Final = frozenset(_ISO_ALPHA2.split())
"""ISO 3166-1 alpha-2: all 249 officially assigned codes."""

_WIRE_PHONE = re.compile(r"\+([0-9]{1,3})-([0-9]{1,8})-([0-9]{1,15})")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)
_PCODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")

_Reason: TypeAlias = Callable[[str], "str | None"]
"""A content check: why a value is invalid, or None when it is fine."""


# --- the rules --------------------------------------------------------------------------


def contact_problems(contact: Mapping[str, object]) -> list[Problem]:
    """Every rule a stored contact must satisfy (create, and update after merging)."""
    problems = list(_shape_problems(contact))
    mistyped = {p.field for p in problems}
    for check in (_required_problems, _length_problems, _content_problems):
        problems.extend(p for p in check(contact) if p.field not in mistyped)
    return _first_per_field(problems)


def identity_problem(contact_id: object, alias: object) -> Problem | None:
    """EF030110 when a request names neither an id nor an alias."""
    if _present(contact_id) or _present(alias):
        return None
    return Problem("id", _E.ID_OR_ALIAS_MISSING, "The id or alias of the contact is missing.")


def same_contact_key(contact: Mapping[str, object]) -> tuple[str, ...]:
    """The data two handles must share to count as the same contact (force_handle_create)."""
    return tuple(_normalised(contact.get(name)) for name in MATCH_FIELDS)


def phone_problem(value: str) -> str | None:
    """Why a wire phone/fax number is unacceptable, or None when it is fine."""
    match = _WIRE_PHONE.fullmatch(value)
    if match is None:
        return "expected +<country code>-<area code>-<number>, digits only"
    if e164_from_wire(value) is None:
        return "not a possible number for its country code"
    return None


def e164_from_wire(value: str) -> str | None:
    """`+49-941-1234567` → `+499411234567`, or None when it is not a possible number."""
    match = _WIRE_PHONE.fullmatch(value)
    if match is None:
        return None
    try:
        number = phonenumbers.parse("+" + "".join(match.groups()))
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def wire_from_e164(e164: str) -> str | None:
    """`+499411234567` → `+49-941-1234567` (area code per numbering plan), or None."""
    try:
        number = phonenumbers.parse(e164)
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    national = str(phonenumbers.national_significant_number(number))
    split = phonenumbers.length_of_geographical_area_code(number)
    split = split or phonenumbers.length_of_national_destination_code(number)
    split = split if 0 < split < len(national) else min(3, len(national) - 1)
    return f"+{number.country_code}-{national[:split]}-{national[split:]}"


# --- checks -----------------------------------------------------------------------------


def _shape_problems(contact: Mapping[str, object]) -> Iterator[Problem]:
    for name in STRING_FIELDS:
        value = contact.get(name)
        if value is not None and not isinstance(value, str):
            yield _invalid(name, f"{name} must be a string")
    address = contact.get("address")
    if address is not None and not (
        isinstance(address, list) and all(isinstance(line, str) for line in address)
    ):
        yield _invalid("address", "address must be a list of street lines")


def _required_problems(contact: Mapping[str, object]) -> Iterator[Problem]:
    if not _present(contact.get("alias")):
        yield Problem("alias", _E.ID_OR_ALIAS_MISSING, "The alias of the contact is missing.")
    required = ["type", "fname", "lname", "city", "country", "email"]
    if contact.get("type") in ("ORG", "ROLE"):
        required.append("organization")
    for name in required:
        if not _present(contact.get(name)):
            yield _invalid(name, f"{name} is required")
    if not _lines(contact):
        yield _invalid("address", "address needs at least one street line")


def _length_problems(contact: Mapping[str, object]) -> Iterator[Problem]:
    for name, limit in MAX_LENGTH.items():
        value = contact.get(name)
        if isinstance(value, str) and len(value.strip()) > limit:
            yield Problem(name, _E.TOO_LONG, f"{name} exceeds {limit} characters")
    comment = contact.get("comment")
    if isinstance(comment, str) and len(comment) > MAX_COMMENT:
        yield Problem("comment", _E.COMMENT_TOO_LONG, f"comment exceeds {MAX_COMMENT} characters")
    address = contact.get("address")
    if isinstance(address, list):
        yield from _address_length_problems(address)


def _address_length_problems(address: list[object]) -> Iterator[Problem]:
    if len(address) > MAX_ADDRESS_LINES:
        yield Problem("address", _E.TOO_LONG, f"address exceeds {MAX_ADDRESS_LINES} lines")
    elif any(isinstance(line, str) and len(line.strip()) > MAX_ADDRESS_LINE for line in address):
        yield Problem("address", _E.TOO_LONG, f"a line exceeds {MAX_ADDRESS_LINE} characters")


def _content_problems(contact: Mapping[str, object]) -> Iterator[Problem]:
    for name, check in _CONTENT_CHECKS.items():
        value = contact.get(name)
        if isinstance(value, str) and value.strip():
            reason = check(value.strip())
            if reason is not None:
                yield _invalid(name, f"{name}: {reason}")
    if any(_has_control(line) for line in _lines(contact)):
        yield _invalid("address", "address: contains control characters")


def _name_reason(value: str) -> str | None:
    if _has_control(value):
        return "contains control characters"
    if not any(ch.isalpha() for ch in value):
        return "must contain a letter"
    return None


def _organization_reason(value: str) -> str | None:
    if _has_control(value):
        return "contains control characters"
    if not any(ch.isalnum() for ch in value):
        return "must contain a letter or digit"
    if all(ch.isdigit() or ch.isspace() for ch in value):
        return "must not be digits only"
    return None


def _plain_reason(value: str) -> str | None:
    return "contains control characters" if _has_control(value) else None


def _comment_reason(value: str) -> str | None:
    return _plain_reason(value.replace("\n", " ").replace("\r", " ").replace("\t", " "))


def _choice_reason(allowed: frozenset[str]) -> _Reason:
    def reason(value: str) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(sorted(allowed))}"

    return reason


def _country_reason(value: str) -> str | None:
    return None if value.upper() in COUNTRIES else "must be an ISO 3166-1 alpha-2 code"


def _email_reason(value: str) -> str | None:
    return None if _EMAIL.fullmatch(value) else "not a valid e-mail address"


def _pcode_reason(value: str) -> str | None:
    return None if _PCODE.fullmatch(value) else "only letters, digits, spaces and hyphens"


_CONTENT_CHECKS: Final[Mapping[str, _Reason]] = {
    "type": _choice_reason(CONTACT_TYPES),
    "fname": _name_reason,
    "lname": _name_reason,
    "organization": _organization_reason,
    "alias": _plain_reason,
    "title": _plain_reason,
    "city": _plain_reason,
    "state": _plain_reason,
    "sip": _plain_reason,
    "comment": _comment_reason,
    "pcode": _pcode_reason,
    "country": _country_reason,
    "email": _email_reason,
    "phone": phone_problem,
    "fax": phone_problem,
    "protection": _choice_reason(PROTECTION_LEVELS),
}


# --- helpers ----------------------------------------------------------------------------


def _invalid(name: str, message: str) -> Problem:
    return Problem(name, INVALID_CODE.get(name, ErrorCode.INVALID_VALUE), message)


def _present(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and not isinstance(value, bool)


def _lines(contact: Mapping[str, object]) -> list[str]:
    address = contact.get("address")
    if not isinstance(address, list):
        return []
    return [line for line in address if isinstance(line, str) and line.strip()]


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def _normalised(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_normalised(line) for line in value if _normalised(line))
    if not isinstance(value, str):
        return ""
    return " ".join(value.split()).casefold()


def _first_per_field(problems: list[Problem]) -> list[Problem]:
    """One problem per field (the most basic one), so a client sees one clear message each."""
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.field not in seen:
            seen.add(problem.field)
            kept.append(problem)
    return kept
