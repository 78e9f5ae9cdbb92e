"""The AutoDNS sandbox's data: a contact store and its deterministic seed.

Nothing here reads the wall clock or global randomness: the seed comes from one
`random.Random(seed)`, times from a fixed base date, and writes advance a logical
clock, so `reset()` restores exactly the same contacts, ids and timestamps.

Inferred details (AutoDNS documents none of them):
- Times use a fixed offset of +01:00, formatted like `2019-06-28T14:52:48.000+0100`.
- `verification` is SUCCESS, PENDING or FAILED; new contacts start PENDING with
  `domainsafe` false. Both are read-only.
- Some contacts are used by domains (`StoredContact.domains`); they cannot be deleted.
- Two accounts own contacts: `USER` (`contact_count` of them) and `OTHER_USER`
  (a tenth as many, at least 3), with ids interleaved.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import phonenumbers

from providers.autodns.rules import (
    DEFAULT_PROTECTION,
    WRITABLE_FIELDS,
    same_contact_key,
    wire_from_e164,
)

USER: Final = "autodns-sandbox-user"
PASSWORD: Final = "autodns-sandbox-password"  # noqa: S105  -- public sandbox credential
OTHER_USER: Final = "autodns-sandbox-other-user"
OTHER_PASSWORD: Final = "autodns-sandbox-other-password"  # noqa: S105  -- public sandbox credential
CONTEXT: Final = "4"
ACCOUNTS: Final[Mapping[str, str]] = {USER: PASSWORD, OTHER_USER: OTHER_PASSWORD}

TZ: Final = timezone(timedelta(hours=1))
BASE_TIME: Final = datetime(2026, 11, 23, 9, 0, 0, tzinfo=TZ)
FIRST_ID: Final = 23151400
WRITE_STEP: Final = timedelta(seconds=7)


_RESPONSE_ORDER: Final = (
    "alias", "type", "organization", "title", "fname", "lname", "address", "pcode", "city",
    "state", "country", "email", "phone", "fax", "sip", "comment", "protection",
)  # fmt: skip


def format_time(moment: datetime) -> str:
    """AutoDNS's timestamp format, e.g. `2019-06-28T14:52:48.000+0200`."""
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + moment.strftime("%z")
    )


@dataclass(slots=True)
class StoredContact:
    """One handle: its writable fields (wire names) plus what the server keeps."""

    id: int
    owner: str
    fields: dict[str, Any]
    created: datetime
    updated: datetime
    updater: str
    verification: str = "PENDING"
    domainsafe: bool = False
    domains: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The contact as AutoDNS returns it; absent (null) fields are left out."""
        body: dict[str, Any] = {"id": self.id}
        body.update((k, v) for k in _RESPONSE_ORDER if (v := self.fields.get(k)) is not None)
        body.update(
            verification=self.verification,
            domainsafe=self.domainsafe,
            created=format_time(self.created),
            updated=format_time(self.updated),
            owner={"context": int(CONTEXT), "user": self.owner},
            updater={"context": int(CONTEXT), "user": self.updater},
        )
        return body


def normalise_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the server stores of valid writable fields: trimmed, blanks dropped, country upper."""
    out: dict[str, Any] = {}
    for name in WRITABLE_FIELDS:
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = value.strip()
        elif name == "address" and isinstance(value, list):
            out[name] = [line.strip() for line in value if isinstance(line, str) and line.strip()]
    if "country" in out:
        out["country"] = out["country"].upper()
    out.setdefault("protection", DEFAULT_PROTECTION)
    return out


class StidCounter:
    """Unique server transaction ids; never rewound, not even by a reset."""

    def __init__(self) -> None:
        self._count = 0

    def next(self) -> str:
        self._count += 1
        return f"{BASE_TIME:%Y%m%d}-app1-sbx-{self._count:06d}"


@dataclass(slots=True)
class ContactStore:
    """All handles of all accounts, keyed by id (ascending insertion order)."""

    seed: int
    contact_count: int
    contacts: dict[int, StoredContact] = field(default_factory=dict)
    next_id: int = FIRST_ID
    writes: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Drop every change and rebuild the seed (same ids, data and times)."""
        self.contacts = {c.id: c for c in _seed_contacts(self.seed, self.contact_count)}
        self.next_id = max(self.contacts, default=FIRST_ID - 1) + 1
        self.writes = 0

    def owned_by(self, owner: str) -> list[StoredContact]:
        return [c for c in self.contacts.values() if c.owner == owner]

    def find_same(self, owner: str, fields: Mapping[str, Any]) -> StoredContact | None:
        """An existing handle of `owner` with the same contact data (see rules.same_contact_key)."""
        key = same_contact_key(fields)
        return next((c for c in self.owned_by(owner) if same_contact_key(c.fields) == key), None)

    def create(self, owner: str, fields: Mapping[str, Any]) -> StoredContact:
        now = self._tick()
        contact = StoredContact(self.next_id, owner, normalise_fields(fields), now, now, owner)
        self.contacts[contact.id] = contact
        self.next_id += 1
        return contact

    def update(self, contact: StoredContact, fields: Mapping[str, Any], user: str) -> None:
        contact.fields = normalise_fields(fields)
        contact.updated = self._tick()
        contact.updater = user

    def delete(self, contact: StoredContact) -> None:
        del self.contacts[contact.id]

    def _tick(self) -> datetime:
        self.writes += 1
        return BASE_TIME + self.writes * WRITE_STEP


# --- the seed ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    country: str
    city: str
    pcode: str
    area: str
    digits: int
    state: str | None = None


_PLACES: Final = (
    _Place("DE", "Regensburg", "93047", "941", 7), _Place("DE", "Berlin", "10115", "30", 8),
    _Place("DE", "München", "80331", "89", 8), _Place("DE", "Hamburg", "20095", "40", 8),
    _Place("DE", "Köln", "50667", "221", 7), _Place("AT", "Wien", "1010", "1", 7),
    _Place("AT", "Graz", "8010", "316", 6), _Place("CH", "Zürich", "8001", "44", 7),
    _Place("CH", "Bern", "3011", "31", 7), _Place("US", "Austin", "78701", "512", 7, "TX"),
    _Place("US", "Portland", "97205", "503", 7, "OR"),
    _Place("US", "New York", "10001", "212", 7, "NY"),
    _Place("GB", "London", "EC1A 1BB", "20", 8), _Place("GB", "Manchester", "M1 1AE", "161", 7),
    _Place("FR", "Paris", "75001", "1", 8), _Place("FR", "Lyon", "69002", "4", 8),
    _Place("NL", "Amsterdam", "1012 AB", "20", 7), _Place("NL", "Utrecht", "3511 AA", "30", 7),
    _Place("ES", "Madrid", "28013", "91", 7), _Place("IT", "Milano", "20121", "02", 8),
    _Place("SE", "Stockholm", "111 22", "8", 7), _Place("DK", "København", "1050", "33", 6),
    _Place("PL", "Kraków", "31-001", "12", 7),
)  # fmt: skip

_NAMES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "de": (("Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Katharina", "Stefan"),
           ("Müller", "Schmidt", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch")),
    "en": (("Emily", "James", "Olivia", "Michael", "Sarah", "Daniel"),
           ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke")),
    "fr": (("Camille", "Louis", "Chloé", "Hugo", "Léa", "Julien"),
           ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard")),
    "nl": (("Sanne", "Daan", "Lotte", "Bram"), ("de Vries", "Jansen", "van Dijk", "Bakker")),
    "es": (("Lucía", "Javier", "Carmen", "Pablo"), ("García", "Fernández", "López", "Martínez")),
    "it": (("Giulia", "Marco", "Chiara", "Luca"), ("Rossi", "Bianchi", "Romano", "Colombo")),
    "nord": (("Elin", "Erik", "Freja", "Mads"), ("Andersson", "Johansson", "Nielsen", "Jørgensen")),
    "pl": (("Zofia", "Jakub", "Agnieszka", "Piotr"),
           ("Nowak", "Kowalski", "Wiśniewski", "Zieliński")),
}  # fmt: skip

# country: (name group, domain suffix, company forms, street names)
_COUNTRY: Final[Mapping[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]]] = {
    "DE": ("de", "de", ("GmbH", "KG", "UG"), ("Hauptstraße", "Bahnhofstraße", "Gartenweg")),
    "AT": ("de", "at", ("GmbH", "OG"), ("Mariahilfer Straße", "Landstraße")),
    "CH": ("de", "ch", ("AG", "GmbH"), ("Bahnhofstrasse", "Seestrasse")),
    "US": ("en", "com", ("LLC", "Inc."), ("Main Street", "Oak Avenue", "Congress Ave")),
    "GB": ("en", "co.uk", ("Ltd",), ("High Street", "Station Road")),
    "FR": ("fr", "fr", ("SARL", "SAS"), ("Rue de la Paix", "Avenue Victor Hugo")),
    "NL": ("nl", "nl", ("B.V.",), ("Kerkstraat", "Prinsengracht")),
    "ES": ("es", "es", ("S.L.",), ("Calle Mayor", "Gran Vía")),
    "IT": ("it", "it", ("S.r.l.",), ("Via Roma", "Corso Garibaldi")),
    "SE": ("nord", "se", ("AB",), ("Storgatan", "Drottninggatan")),
    "DK": ("nord", "dk", ("ApS",), ("Strøget", "Nørregade")),
    "PL": ("pl", "pl", ("sp. z o.o.",), ("ulica Floriańska", "ulica Długa")),
}
_SECTORS: Final = ("Hosting", "Media", "Consulting", "Webdesign", "Handel", "Software", "Bau")
_ROLES: Final = (
    ("Domain", "Administration"),
    ("Tech", "Support"),
    ("DNS", "Operations"),
    ("Hostmaster", "Team"),
)
_COMMENTS: Final = (
    "Registrant for the company's .de portfolio.",
    "Billing questions go to the head office.",
    "Tech contact of the reseller account.",
    "Handle migrated from the old registrar.",
)


def _seed_contacts(seed: int, contact_count: int) -> Iterator[StoredContact]:
    rng = random.Random(seed)  # noqa: S311  -- deterministic test data, not security
    owners = [USER] * contact_count + [OTHER_USER] * max(3, contact_count // 10)
    rng.shuffle(owners)
    for offset, owner in enumerate(owners):
        yield _seed_contact(rng, FIRST_ID + offset, owner)


def _seed_contact(rng: random.Random, contact_id: int, owner: str) -> StoredContact:
    place = rng.choice(_PLACES)
    fields = _seed_fields(rng, place, contact_id)
    created = BASE_TIME - timedelta(days=rng.randint(30, 2000), seconds=rng.randint(0, 86399))
    updated = min(BASE_TIME - timedelta(days=1), created + timedelta(days=rng.randint(0, 400)))
    domains = _seed_domains(rng, fields, place) if rng.random() < 0.3 else ()
    verification = rng.choice(("SUCCESS", "SUCCESS", "PENDING", "FAILED"))
    return StoredContact(
        id=contact_id, owner=owner, fields=normalise_fields(fields), created=created,
        updated=updated, updater=owner, verification=verification,
        domainsafe=rng.random() < 0.2, domains=domains,
    )  # fmt: skip


def _seed_fields(rng: random.Random, place: _Place, contact_id: int) -> dict[str, Any]:
    group, tld, forms, streets = _COUNTRY[place.country]
    firsts, lasts = _NAMES[group]
    kind = rng.choices(("PERSON", "ORG", "ROLE"), weights=(7, 2, 1))[0]
    fname, lname = rng.choice(_ROLES) if kind == "ROLE" else (rng.choice(firsts), rng.choice(lasts))
    company = f"{rng.choice(lasts)} {rng.choice(_SECTORS)} {rng.choice(forms)}"
    domain = f"{_slug(company.rsplit(' ', 1)[0])}.{tld}"
    local = _slug(f"{fname}.{lname}", ".") if kind != "ROLE" else "hostmaster"
    fields: dict[str, Any] = {
        "alias": f"{local.split('.')[0][:1]}{_slug(lname)}-{contact_id % 10000}",
        "type": kind, "fname": fname, "lname": lname,
        "organization": company if kind != "PERSON" or rng.random() < 0.3 else None,
        "title": rng.choice(("Dr.", "Prof.")) if kind == "PERSON" and rng.random() < 0.1 else None,
        "address": _seed_address(rng, streets), "pcode": place.pcode, "city": place.city,
        "state": place.state, "country": place.country, "email": f"{local}@{domain}",
        "phone": _seed_phone(rng, place),
        "fax": _seed_phone(rng, place) if rng.random() < 0.3 else None,
        "comment": rng.choice(_COMMENTS) if rng.random() < 0.15 else None,
        "protection": rng.choices(("SHOW_NONE", "SHOW_EMAIL", "SHOW_ALL"), weights=(6, 2, 1))[0],
        "sip": f"sip:{local}@{domain}" if rng.random() < 0.05 else None,
    }  # fmt: skip
    return fields


def _seed_address(rng: random.Random, streets: tuple[str, ...]) -> list[str]:
    lines = [f"{rng.choice(streets)} {rng.randint(1, 180)}"]
    if rng.random() < 0.2:
        lines.append(
            f"{rng.randint(1, 5)}. OG" if rng.random() < 0.5 else f"Suite {rng.randint(100, 999)}"
        )
    return lines


def _seed_phone(rng: random.Random, place: _Place) -> str:
    """A valid number in the place's area, in wire format; deterministic per rng state."""
    region_code = phonenumbers.country_code_for_region(place.country)
    wire = None
    for _ in range(20):
        subscriber = str(rng.randint(2, 9)) + "".join(
            str(rng.randint(0, 9)) for _ in range(place.digits - 1)
        )
        number = phonenumbers.parse(f"+{region_code}{place.area}{subscriber}")
        if phonenumbers.is_valid_number(number):
            wire = wire_from_e164(
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            )
            break
    return wire or f"+{region_code}-{place.area}-{'5' * place.digits}"


def _seed_domains(rng: random.Random, fields: Mapping[str, Any], place: _Place) -> tuple[str, ...]:
    tld = _COUNTRY[place.country][1]
    base = _slug(str(fields.get("organization") or fields["lname"]).split(" ")[0])
    return tuple(f"{base}{'-' + str(n) if n else ''}.{tld}" for n in range(rng.randint(1, 3)))


def _slug(text: str, keep: str = "") -> str:
    """ASCII lower-case letters and digits (umlauts spelled out), for aliases and e-mail."""
    spelled = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    for umlaut, plain in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("Ä", "Ae"),
        ("Ö", "Oe"),
        ("Ü", "Ue"),
    ):
        spelled = spelled.replace(umlaut, plain)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum() or ch in keep)
