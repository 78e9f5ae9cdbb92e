"""The IS24 sandbox's accounts, its contact store and the deterministic seed.

The seed depends only on `seed` and `contact_count`: names, addresses and numbers
come from a seeded `random.Random`, never from the clock (an IS24 contact carries no
timestamps, so no date is needed at all). Each user has exactly one default contact,
a handful of contacts shown on the profile page (well under the limit of 20, so tests
can reach the 20th and 21st), phones sent in parts and as complete numbers, German
addresses with countryCode DEU, and external ids of which some contain "/".

Ids are numeric strings, unique across all users, so one user's id never names
another user's contact; each user's contacts live in their own map.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from providers.is24 import rules
from providers.is24.xml_codec import BOOL_FIELDS, ContactDoc, FieldValue

CONSUMER_KEY = "is24-sandbox-system-key"
CONSUMER_SECRET = "is24-sandbox-system-secret"  # noqa: S105  # public sandbox credential
ACCESS_TOKEN = "is24-sandbox-user-token"  # noqa: S105  # public sandbox credential
TOKEN_SECRET = "is24-sandbox-user-secret"  # noqa: S105  # public sandbox credential
USERNAME = "sandbox-realtor"
OTHER_ACCESS_TOKEN = "is24-sandbox-other-token"  # noqa: S105  # public sandbox credential
OTHER_TOKEN_SECRET = "is24-sandbox-other-secret"  # noqa: S105  # public sandbox credential
OTHER_USERNAME = "sandbox-realtor-other"

FIRST_ID = 124_308_575
PROFILE_PAGE_SEEDED = 6


@dataclass(frozen=True, slots=True)
class Account:
    """A sandbox user: login name plus the access token the app was given for it."""

    username: str
    token: str
    token_secret: str


ACCOUNTS = (
    Account(USERNAME, ACCESS_TOKEN, TOKEN_SECRET),
    Account(OTHER_USERNAME, OTHER_ACCESS_TOKEN, OTHER_TOKEN_SECRET),
)

# fmt: off
_FIRST = ("Anna", "Jürgen", "Sabine", "Mehmet", "Katrin", "Lukas", "Özlem", "Stefan",
          "Friederike", "Tobias", "Maren", "Björn", "Ines", "Hans-Peter", "Lea", "Matthias")
_LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder")
# (city, postcode prefix, area code)
_CITIES = (("Berlin", "10", "30"), ("Hamburg", "20", "40"), ("München", "80", "89"),
           ("Köln", "50", "221"), ("Frankfurt am Main", "60", "69"), ("Stuttgart", "70", "711"),
           ("Düsseldorf", "40", "211"), ("Leipzig", "04", "341"))
_STREETS = ("Invalidenstraße", "Andreasstr.", "Hauptstraße", "Schillerstraße", "Gartenweg",
            "Am Markt", "Lindenallee", "Bahnhofstraße", "Goethestraße", "Kastanienallee")
_CELL_PREFIXES = ("151", "160", "170", "171", "176", "179")
_POSITIONS = ("Immobilienberaterin", "Makler", "Vertriebsleitung", "Vermietung")
# fmt: on


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ö": "Oe", "Ü": "Ue"})
    return text.translate(table).lower().replace(" ", "-")


class _SeedWriter:
    """Draws one user's contacts from a seeded random stream."""

    def __init__(self, rng: random.Random, username: str) -> None:
        self.rng = rng
        self.username = username

    def contact(self, index: int) -> ContactDoc:
        rng = self.rng
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, prefix, area = rng.choice(_CITIES)
        doc: ContactDoc = {
            "email": f"{_ascii(first)}.{_ascii(last)}.{index}@{_ascii(self.username)}.example",
            "salutation": rng.choice(("MALE", "FEMALE", "NO_SALUTATION")),
            "firstname": first,
            "lastname": last,
            "address": {
                "street": rng.choice(_STREETS),
                "houseNumber": str(rng.randint(1, 120)),
                "postcode": f"{prefix}{rng.randint(100, 999)}",
                "city": city,
            },
            "countryCode": "DEU",
            "realEstateReferenceCount": rng.randint(0, 12),
        }
        doc.update(self._numbers(index, area))
        doc.update(self._extras(index, city))
        return doc

    def _numbers(self, index: int, area: str) -> ContactDoc:
        subscriber = str(self.rng.randint(2_000_000, 99_999_999))
        cell = f"+49 {self.rng.choice(_CELL_PREFIXES)} {self.rng.randint(1_000_000, 9_999_999)}"
        numbers: ContactDoc = {}
        if index % 3 == 0:
            numbers.update(phoneNumberCountryCode="+49", phoneNumberAreaCode=area,
                           phoneNumberSubscriber=subscriber)  # fmt: skip
        elif index % 3 == 1:
            numbers["phoneNumber"] = f"+49 {area} {subscriber}"
        if index % 4 == 0:
            numbers.update(faxNumberCountryCode="+49", faxNumberAreaCode=area,
                           faxNumberSubscriber=f"{subscriber[:-1]}9")  # fmt: skip
        if index % 2 == 0:
            numbers["cellPhoneNumber"] = cell
        return numbers

    def _extras(self, index: int, city: str) -> ContactDoc:
        extras: ContactDoc = {}
        if index % 4 == 1:
            extras["externalId"] = f"crm-{index:04d}"
        elif index % 4 == 2:
            extras["externalId"] = f"office/{_ascii(city)}/{index:04d}"
        if index % 5 == 0:
            extras["title"] = "Dr."
        if index % 3 == 2:
            extras["position"] = self.rng.choice(_POSITIONS)
            extras["homepageUrl"] = f"https://www.{_ascii(self.username)}.example/team/{index}"
        if index % 7 == 3:
            extras["businessCardContact"] = True
        return extras


def _seed_user(rng: random.Random, username: str, count: int) -> list[ContactDoc]:
    writer = _SeedWriter(rng, username)
    contacts = [writer.contact(index) for index in range(count)]
    contacts[0]["defaultContact"] = True
    for index in rng.sample(range(count), min(PROFILE_PAGE_SEEDED, count)):
        contacts[index]["showOnProfilePage"] = True
    return contacts


class Is24Store:
    """Every user's contacts by id, in creation order; `reset` re-seeds exactly."""

    def __init__(self, *, seed: int = 11, contact_count: int = 60) -> None:
        if contact_count < 1:
            raise ValueError("every IS24 account has a default contact: contact_count >= 1")
        self.seed = seed
        self.contact_count = contact_count
        self.contacts: dict[str, dict[str, ContactDoc]] = {}
        self.next_id = FIRST_ID
        self.reset()

    def reset(self) -> None:
        """Restore the seed (same ids, same data) and forget every change."""
        rng = random.Random(self.seed)  # noqa: S311  # test data, not cryptography
        self.next_id = FIRST_ID + rng.randrange(1_000)
        self.contacts = {}
        counts = (self.contact_count, max(2, self.contact_count // 4))
        for account, count in zip(ACCOUNTS, counts, strict=True):
            self.contacts[account.username] = {}
            for doc in _seed_user(rng, account.username, count):
                self.add(account.username, doc)

    def of(self, username: str) -> dict[str, ContactDoc]:
        """The user's contacts by id (the live map; callers must not mutate it)."""
        return self.contacts[username]

    def get(self, username: str, contact_id: str) -> ContactDoc | None:
        return self.contacts[username].get(contact_id)

    def id_by_external_id(self, username: str, external_id: str) -> str | None:
        """The id of the user's contact with exactly this externalId."""
        for contact_id, doc in self.contacts[username].items():
            if doc.get("externalId") == external_id:
                return contact_id
        return None

    def default_id(self, username: str) -> str | None:
        for contact_id, doc in self.contacts[username].items():
            if doc.get("defaultContact") is True:
                return contact_id
        return None

    def add(self, username: str, doc: ContactDoc) -> str:
        """Store a new contact under a fresh id and return the id."""
        contact_id = str(self.next_id)
        self.next_id += 1
        self.contacts[username][contact_id] = dict(doc)
        return contact_id

    def replace(self, username: str, contact_id: str, doc: ContactDoc) -> None:
        self.contacts[username][contact_id] = dict(doc)

    def remove(self, username: str, contact_id: str) -> None:
        del self.contacts[username][contact_id]

    def make_default(self, username: str, contact_id: str) -> None:
        """Move the default flag to this contact: an account has exactly one default."""
        for other_id, doc in self.contacts[username].items():
            doc["defaultContact"] = other_id == contact_id


def read_view(contact_id: str, doc: ContactDoc) -> ContactDoc:
    """A stored contact as IS24 reads it back: id, defaults, combined numbers."""
    view: ContactDoc = {"@id": contact_id, **doc}
    view.setdefault("salutation", "NO_SALUTATION")
    view.setdefault("realEstateReferenceCount", 0)
    for flag in BOOL_FIELDS:
        view.setdefault(flag, False)
    for kind in rules.NUMBER_KINDS:
        _apply_number(view, kind)
    return view


def _apply_number(view: ContactDoc, kind: str) -> None:
    """Parts win over a complete number; complete parts also yield the combined number."""
    if not rules.parts_given(view, kind):
        return
    combined: FieldValue | None = rules.combined_number(view, kind)
    if combined is None:
        view.pop(kind, None)
    else:
        view[kind] = combined
