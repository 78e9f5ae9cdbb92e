"""AutoDNS domain-contact JSON <-> the unified model, both directions.

Decisions on what AutoDNS leaves open (documented again on `DomainContact`):
- A handle has one voice number (`phone`) and one fax (`fax`): they are the unified
  phones of kind PRIMARY and FAX. Unified E.164 becomes AutoDNS's wire format
  `+49-941-1234567` (area code split per the numbering plan) and back.
- A handle has one postal address: the unified address of kind OTHER (AutoDNS does not
  say whether it is a home or a work address). `state` is the address's `region`;
  a separate house number is appended to the first street line.
- A handle has one email: the unified PRIMARY email.
- AutoDNS has no display name: it is derived, "fname lname" for PERSON and ROLE
  handles and the organization for ORG handles (falling back to the other).

Reads are lenient (a missing or mistyped attribute is None); writes produce the
AutoDNS fields plus, per field, the unified input path it came from, so a rule
broken by `fname` is reported on `givenName`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from providers.autodns.rules import e164_from_wire, phone_problem, wire_from_e164
from providers.autodns.types import (
    AccountRef,
    AutoDnsContactInput,
    AutoDnsExtras,
    ContactType,
    Protection,
)
from providers.fast_init import fast_init
from providers.model import (
    Address,
    AddressKind,
    ContactInput,
    ContactRecord,
    Email,
    EmailKind,
    FieldPath,
    Phone,
    PhoneInput,
    PhoneKind,
    ProviderName,
    is_set,
)
from providers.phones import PARSED_NUMBERS_KEPT, given_parts, number_source, parse_phone
from providers.timestamps import parse_timestamp  # e.g. 2019-06-28T14:52:48.000+0200

VOICE_KIND: Final = PhoneKind.PRIMARY
FAX_KIND: Final = PhoneKind.FAX
ADDRESS_KIND: Final = AddressKind.OTHER
PHONE_FIELDS: Final[Mapping[PhoneKind, str]] = {VOICE_KIND: "phone", FAX_KIND: "fax"}
NAME_FIELDS: Final[Mapping[str, str]] = {
    "title": "title",
    "given_name": "fname",
    "family_name": "lname",
    "organization": "organization",
}
EXTRA_FIELDS: Final[Mapping[str, str]] = {
    "alias": "alias",
    "type": "type",
    "protection": "protection",
    "comment": "comment",
    "sip": "sip",
}
ADDRESS_PARTS: Final[Mapping[str, str]] = {
    "pcode": "postalCode",
    "city": "locality",
    "state": "region",
    "country": "country",
}

DEFAULT_PATHS: Final[Mapping[str, FieldPath]] = {
    "alias": ("autodns", "alias"),
    "type": ("autodns", "type"),
    "protection": ("autodns", "protection"),
    "comment": ("autodns", "comment"),
    "sip": ("autodns", "sip"),
    "title": ("title",),
    "fname": ("givenName",),
    "lname": ("familyName",),
    "organization": ("organization",),
    "email": ("emails",),
    "phone": ("phones",),
    "fax": ("phones",),
    "address": ("addresses",),
    "pcode": ("addresses",),
    "city": ("addresses",),
    "state": ("addresses",),
    "country": ("addresses",),
}
"""Where a problem with an AutoDNS field is reported when the input did not name it."""


# --- reads ------------------------------------------------------------------------------


# The attributes read as text, in the order `record_from_autodns` unpacks them (one pass
# instead of a helper call each: the read path maps every handle of every search).
_TEXT_FIELDS: Final = (
    *("fname", "lname", "organization", "title", "email", "phone", "fax"),
    *("pcode", "city", "state", "country"),
    *("alias", "protection", "comment", "sip", "verification"),
)
_CONTACT_TYPES: Final = {kind.value: kind for kind in ContactType}
_new_record: Final = fast_init(ContactRecord)
_new_extras: Final = fast_init(AutoDnsExtras)
_new_account: Final = fast_init(AccountRef)


def record_from_autodns(raw: Mapping[str, Any], stid: str | None) -> ContactRecord:
    """Map one AutoDNS contact object to the unified record; `stid` is the read's."""
    get = raw.get
    (given, family, organization, title, email, phone, fax, pcode, city, state, country,
     alias, protection, comment, sip, verification) = [
        v if isinstance(v, str) and v.strip() else None for v in map(get, _TEXT_FIELDS)
    ]  # fmt: skip
    kind = get("type")
    kind = _CONTACT_TYPES.get(kind) if isinstance(kind, str) else None
    domainsafe = get("domainsafe")
    extras = _new_extras(
        alias,
        kind,
        protection,
        comment,
        sip,
        verification,
        domainsafe if domainsafe is True or domainsafe is False else None,
        _account(get("owner")),
        _account(get("updater")),
        stid,
    )
    return _new_record(
        ProviderName.AUTODNS,
        str(get("id", "")),
        display_name(kind, given, family, organization),
        None,  # salutation: AutoDNS has none
        title,
        given,
        None,  # middle name: none either
        family,
        organization,
        None,  # position: none either
        (_email(email, EmailKind.PRIMARY),) if email else (),
        _phones(phone, fax),
        _addresses(get("address"), pcode, city, state, country),
        parse_timestamp(get("created")),
        parse_timestamp(get("updated")),
        extras,
    )


def display_name(
    kind: ContactType | None, given: str | None, family: str | None, organization: str | None
) -> str | None:
    """The derived display name: the person's (or role's) name, or the organization."""
    person = " ".join(n for n in (given, family) if n) or None
    if kind is ContactType.ORG:
        return organization or person
    return person or organization


_email: Final = lru_cache(maxsize=PARSED_NUMBERS_KEPT)(Email)


def _phones(phone: str | None, fax: str | None) -> tuple[Phone, ...]:
    if fax is None:
        return () if phone is None else (phone_from_wire(VOICE_KIND, phone),)
    if phone is None:
        return (phone_from_wire(FAX_KIND, fax),)
    return (phone_from_wire(VOICE_KIND, phone), phone_from_wire(FAX_KIND, fax))


@lru_cache(maxsize=PARSED_NUMBERS_KEPT)
def phone_from_wire(kind: PhoneKind, wire: str) -> Phone:
    """`+49-941-1234567` -> E.164 and the parts as AutoDNS splits them; raw only if unreadable.

    Memoised like `providers.phones.parse_phone` (pages repeat the same numbers, and
    libphonenumber was two thirds of a handle's mapping); the Phone is immutable."""
    e164 = e164_from_wire(wire)
    if e164 is None:
        return Phone(kind=kind, raw=wire)
    country, area, subscriber = wire.split("-", 2)
    return Phone(kind, wire, e164, country, area, subscriber)


def _addresses(
    lines_raw: object,
    pcode: str | None,
    city: str | None,
    state: str | None,
    country: str | None,
) -> tuple[Address, ...]:
    lines = (
        tuple([line for line in lines_raw if isinstance(line, str)])
        if isinstance(lines_raw, list)
        else ()
    )
    if not (lines or pcode or city or state or country):
        return ()
    return (Address(ADDRESS_KIND, lines, None, pcode, city, state, country),)


def _account(value: object) -> AccountRef | None:
    if not isinstance(value, dict):
        return None
    context, user = value.get("context"), value.get("user")
    return _new_account(
        context if isinstance(context, int) and not isinstance(context, bool) else None,
        user if isinstance(user, str) else None,
    )


# --- writes -----------------------------------------------------------------------------


@dataclass(slots=True)
class AutoDnsWrite:
    """AutoDNS contact fields to send, the input path of each, and the create option."""

    fields: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, FieldPath] = field(default_factory=dict)
    force_handle_create: bool = False

    def put(self, name: str, value: Any, path: FieldPath, *, send: bool = True) -> None:
        """Record where `name` comes from; send it unless `send` is False (creates omit nulls)."""
        self.paths[name] = path
        if send:
            self.fields[name] = value

    def path_of(self, name: str) -> FieldPath:
        return self.paths.get(name) or DEFAULT_PATHS.get(name, (name,))


def write_from_input(data: ContactInput, *, creating: bool) -> AutoDnsWrite:
    """Turn the set fields of a unified input into AutoDNS contact fields.

    On update only the given fields are sent (AutoDNS merges; null clears). A given
    list replaces the whole slot, so fields it leaves empty are cleared.
    """
    write = AutoDnsWrite()
    for name, wire in NAME_FIELDS.items():
        value = getattr(data, name)
        if is_set(value):
            write.put(wire, value, (_camel(name),), send=value is not None or not creating)
    region = _input_region(data)
    if isinstance(data.emails, tuple) or (data.emails is None and not creating):
        _put_email(write, data.emails or (), creating=creating)
    if isinstance(data.phones, tuple) or (data.phones is None and not creating):
        _put_phones(write, data.phones or (), region, creating=creating)
    if isinstance(data.addresses, tuple) or (data.addresses is None and not creating):
        _put_address(write, data.addresses or (), creating=creating)
    if isinstance(data.extras, AutoDnsContactInput):
        _put_extras(write, data.extras, creating=creating)
    return write


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _input_region(data: ContactInput) -> str | None:
    """The address's country: the default region of numbers given without +CC."""
    if isinstance(data.addresses, tuple) and data.addresses:
        country = data.addresses[0].country
        return country.upper() if country else None
    return None


def _put_email(write: AutoDnsWrite, emails: tuple[Email, ...], *, creating: bool) -> None:
    if emails:
        write.put("email", emails[0].address, ("emails", "0", "address"))
    else:
        write.put("email", None, ("emails",), send=not creating)


def _put_phones(
    write: AutoDnsWrite, phones: tuple[PhoneInput, ...], region: str | None, *, creating: bool
) -> None:
    given = {p.kind: (i, p) for i, p in enumerate(phones)}
    for kind, name in PHONE_FIELDS.items():
        if kind in given:
            index, phone = given[kind]
            wire = wire_phone(phone, region)
            path = number_source(index, phone)
            write.put(name, wire, path, send=wire is not None or not creating)
        else:
            write.put(name, None, ("phones",), send=not creating)


def wire_phone(phone: PhoneInput, region: str | None) -> str | None:
    """The number in AutoDNS's wire format, or the text as given when it does not parse
    (the rules then report EF03010 / EF03011 for it)."""
    parts = given_parts(phone)
    if len(parts) == 3:  # the parts win over `number` (`given_parts`)
        return f"+{parts[0].strip().lstrip('+')}-{parts[1]}-{parts[2]}"
    text = (" ".join(parts) if parts else phone.number or "").strip()
    if not text:
        return None
    if phone_problem(text) is None:
        return text
    parsed = parse_phone(text, region)
    wire = wire_from_e164(parsed.e164) if parsed is not None else None
    return wire or text


def _put_address(write: AutoDnsWrite, addresses: tuple[Address, ...], *, creating: bool) -> None:
    if not addresses:
        write.put("address", [], ("addresses",), send=not creating)
        for name in ADDRESS_PARTS:
            write.put(name, None, ("addresses",), send=not creating)
        return
    address = addresses[0]
    base: FieldPath = ("addresses", "0")
    lines = list(address.street_lines)
    if address.house_number:
        lines = (
            [f"{lines[0]} {address.house_number}".strip(), *lines[1:]]
            if lines
            else [address.house_number]
        )
    write.put("address", lines, (*base, "streetLines"), send=bool(lines) or not creating)
    values = (address.postal_code, address.locality, address.region, address.country)
    for (name, part), value in zip(ADDRESS_PARTS.items(), values, strict=True):
        write.put(name, value, (*base, part), send=value is not None or not creating)


def _put_extras(write: AutoDnsWrite, extras: AutoDnsContactInput, *, creating: bool) -> None:
    for name, wire in EXTRA_FIELDS.items():
        value = getattr(extras, name)
        if is_set(value):
            text = value.value if isinstance(value, ContactType | Protection) else value
            write.put(wire, text, ("autodns", wire), send=value is not None or not creating)
    write.force_handle_create = creating and extras.force_handle_create
