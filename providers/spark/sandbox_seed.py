"""The seeded world of the Spark sandbox: agents, their contacts and the office's unconnected ones.

Everything is drawn from one `random.Random(seed)` against a fixed reference time, so the
same seed always yields byte-identical data (tests compare `SparkStore.snapshot()`).
The data is shaped to exercise the API: one "Neddy Nederlander" for the DisplayName
wildcard rule, apostrophes for SparkQL quoting, primary emails shared across owners (so
UniquePrimaryEmail is sometimes false), and ModificationTimestamp ties on whole hours
(so ordering needs its Id tie-break).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from providers.spark.sandbox_records import (
    REFERENCE_TIME,
    Agent,
    FeedSummary,
    PortalAccount,
    StoredContact,
    StoredNote,
    blank_attributes,
    timestamp,
)

OFFICE_1 = "20100000000000000000101"
OFFICE_2 = "20100000000000000000202"
AGENT_A_ID = "20110101000000000000001"
AGENT_B_ID = "20110101000000000000002"
AGENT_C_ID = "20110101000000000000003"
AGENTS = (
    Agent(AGENT_A_ID, "Avery Sparks", "avery.sparks@sparkrealty.example", OFFICE_1, "Immediately"),
    Agent(AGENT_B_ID, "Blake Morgan", "blake.morgan@sparkrealty.example", OFFICE_1, "Daily"),
    Agent(AGENT_C_ID, "Casey Rivers", "casey.rivers@lakeshore.example", OFFICE_2, "Never"),
)
AGENT_B_CONTACTS = 40
UNCONNECTED_CONTACTS = 25

FIRST_NAMES = (
    "Maude", "Rod", "Todd", "Alice", "Bernard", "Carmen", "Dmitri", "Elena", "Farah", "Gustavo",
    "Hana", "Ian", "Jada", "Kenji", "Lucia", "Marcus", "Nadia", "Omar", "Priya", "Quentin",
    "Rosa", "Samir", "Tessa", "Umar", "Valerie", "Wendell", "Ximena", "Yusuf", "Zoe", "Siobhan",
)  # fmt: skip
LAST_NAMES = (
    "O'Brien", "O'Connor", "D'Angelo", "Flanders", "Alvarez", "Bergstrom", "Chen", "Dubois",
    "Eriksen", "Fitzgerald", "Garcia", "Haddad", "Ivanova", "Johansson", "Kowalski", "Lindqvist",
    "Mbeki", "Nakamura", "Okafor", "Petrov", "Quintero", "Rasmussen", "Schmidt", "Tanaka",
    "Uribe", "Vasquez", "Whitfield", "Yamamoto", "Zielinski", "McAllister",
)  # fmt: skip
PLACES = (
    ("Chicago", "IL", "60601"), ("Fargo", "ND", "58102"), ("Minneapolis", "MN", "55401"),
    ("Denver", "CO", "80202"), ("Austin", "TX", "73301"), ("Seattle", "WA", "98101"),
    ("Boston", "MA", "02108"), ("Madison", "WI", "53703"),
)  # fmt: skip
STREETS = ("Main St", "Oak Ave", "Lakeshore Dr", "Elm St", "2nd Ave N", "Prairie Rd", "Hill Ct")
DOMAINS = ("example.com", "example.org", "example.net", "mail.example")
TAGS = ("IDX Lead", "Buyer", "Seller", "Investor", "Past Client", "Hot", "Relocation")
COMPANIES = ("Acme Logistics", "Northwind Traders", "Prairie Health", "Lakeview Schools")
POSITIONS = ("Engineer", "Teacher", "Nurse", "Owner", "Analyst", "Director")
NOTE_TEXTS = (
    "Wants a fenced yard for the dog.",
    "Pre-approved up to $450k; prefers the north side.",
    "Call after 5pm, not on weekends.",
    "Looking to sell before the school year starts.",
    "Asked about HOA fees at the lake condos.",
)


@dataclass(slots=True)
class World:
    """The seeded data, before the store indexes it."""

    contacts: dict[str, StoredContact] = field(default_factory=dict)
    self_contacts: dict[str, StoredContact] = field(default_factory=dict)
    consumers: dict[str, str] = field(default_factory=dict)  # role -> contact id
    ids: set[str] = field(default_factory=set)


class _Seeder:
    """Draws the world from one random generator, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311  # seeded test data, not secrets
        self.world = World(ids={agent.id for agent in AGENTS} | {OFFICE_1, OFFICE_2})

    def new_id(self) -> str:
        return new_contact_id(self.rng, self.world.ids)

    def build(self, contact_count: int) -> World:
        agent_a, agent_b, _ = AGENTS
        for agent in AGENTS:
            self.world.self_contacts[agent.id] = self._self_contact(agent)
        a_emails = [self._add(agent_a, i).attrs["PrimaryEmail"] for i in range(contact_count)]
        for i in range(AGENT_B_CONTACTS):
            shared = a_emails[i // 10] if i % 10 == 0 and i // 10 < len(a_emails) else None
            self._add(agent_b, 1000 + i, shared)
        for i in range(UNCONNECTED_CONTACTS):
            shared = a_emails[-1 - i // 8] if i % 8 == 3 and i // 8 < len(a_emails) else None
            self._add(None, 2000 + i, shared)
        self._name_special_contacts(contact_count)
        return self.world

    def _name_special_contacts(self, contact_count: int) -> None:
        """Neddy for the wildcard rule; two consumers for the VOW and Portal tokens."""
        a_ids = list(self.world.contacts)[:contact_count]
        if a_ids:
            _rename(self.world.contacts[a_ids[0]], "Neddy", "Nederlander")
        for role, index in (("VOW", 1), ("Portal", 2)):
            if index < len(a_ids):
                self._make_consumer(self.world.contacts[a_ids[index]], role, days_ago=index)

    def _make_consumer(self, contact: StoredContact, role: str, days_ago: int) -> None:
        self.world.consumers[role] = contact.id
        if contact.portal is None:
            contact.portal = self._portal(contact)
        contact.portal.enabled = True
        login = timestamp(REFERENCE_TIME - timedelta(days=days_ago))
        contact.portal.last_login = max(login, contact.portal.created)

    def _self_contact(self, agent: Agent) -> StoredContact:
        attrs = blank_attributes(agent.id)
        given, family = agent.name.split()
        attrs.update(DisplayName=agent.name, GivenName=given, FamilyName=family)
        attrs.update(PrimaryEmail=agent.email, OwnerId=agent.id, WorkPhoneNumber="555-010-0100")
        attrs.update(NewsFeedNotificationUI=agent.feed_setting, Position="Broker Associate")
        moment = timestamp(REFERENCE_TIME - timedelta(days=1000))
        attrs.update(CreatedTimestamp=moment, ModificationTimestamp=moment)
        return StoredContact(attrs=attrs, office_id=agent.office_id)

    def _add(self, owner: Agent | None, index: int, email: str | None = None) -> StoredContact:
        contact = self._contact(owner, index, email)
        self.world.contacts[contact.id] = contact
        return contact

    def _contact(self, owner: Agent | None, index: int, email: str | None) -> StoredContact:
        rng = self.rng
        contact_id = self.new_id()
        attrs = blank_attributes(contact_id)
        given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        attrs.update(_names(rng, given, family))
        attrs["PrimaryEmail"] = email or _email(rng, given, family, index)
        attrs.update(_emails(rng, given, family, index))
        attrs.update(_phones(rng))
        attrs.update(_addresses(rng))
        attrs.update(_misc(rng))
        attrs.update(_ownership(owner))
        attrs.update(_times(rng))
        office = owner.office_id if owner else OFFICE_1
        contact = StoredContact(attrs=attrs, office_id=office, score=rng.randint(0, 100))
        contact.daily_scores = [rng.randint(0, 10) for _ in range(30)]
        contact.notes = self._notes(attrs["CreatedTimestamp"])
        contact.news_feed, contact.notification_feed = _feed(rng), _feed(rng)
        if rng.random() < 0.5:
            contact.portal = self._portal(contact)
            attrs["PortalInvitationTimestamp"] = contact.portal.created
        return contact

    def _notes(self, created: str) -> list[StoredNote]:
        count = self.rng.randint(0, 3)
        return [
            StoredNote(self.new_id(), self.rng.choice(NOTE_TEXTS), _after(self.rng, created))
            for _ in range(count)
        ]

    def _portal(self, contact: StoredContact) -> PortalAccount:
        rng = self.rng
        created = _after(rng, contact.attrs["CreatedTimestamp"])
        local = contact.attrs["PrimaryEmail"].split("@")[0]
        portal = PortalAccount(self.new_id(), f"{local}_{contact.id[-4:]}", False, created)
        portal.enabled = rng.random() < 0.6
        if portal.enabled and rng.random() < 0.7:
            login = REFERENCE_TIME - timedelta(days=rng.randint(0, 75), minutes=rng.randint(0, 900))
            portal.last_login = max(timestamp(login), created)
        return portal


def new_contact_id(rng: random.Random, taken: set[str]) -> str:
    """A fresh 23-digit numeric id in Spark's style (a date-like prefix, then digits)."""
    while True:
        candidate = f"2026{rng.randrange(10**19):019d}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def build_world(seed: int, contact_count: int) -> World:
    """The whole seeded world for this seed."""
    return _Seeder(seed).build(contact_count)


def _rename(contact: StoredContact, given: str, family: str) -> None:
    contact.attrs.update(DisplayName=f"{given} {family}", GivenName=given, FamilyName=family)


def _names(rng: random.Random, given: str, family: str) -> dict[str, object]:
    names: dict[str, object] = {"DisplayName": f"{given} {family}"}
    names.update(GivenName=given, FamilyName=family)
    if rng.random() < 0.25:
        names["MiddleName"] = rng.choice(FIRST_NAMES)
    if rng.random() < 0.3:
        names.update(SpouseGivenName=rng.choice(FIRST_NAMES), SpouseFamilyName=family)
    return names


def _email(rng: random.Random, given: str, family: str, index: int) -> str:
    local = "".join(ch for ch in f"{given}.{family}".lower() if ch.isalnum() or ch == ".")
    return f"{local}{index}@{rng.choice(DOMAINS)}"


def _emails(rng: random.Random, given: str, family: str, index: int) -> dict[str, object]:
    secondary = [f"{given[0]}{family[:3]}{index}.{n}@{rng.choice(DOMAINS)}" for n in range(2)]
    secondary = [email.lower().replace("'", "") for email in secondary[: rng.randint(0, 2)]]
    notify = secondary[:1] if secondary and rng.random() < 0.5 else []
    invalid = secondary[-1:] if secondary and rng.random() < 0.2 else []
    return {
        "SecondaryEmails": secondary,
        "AdditionalNotificationEmails": notify,
        "InvalidEmails": invalid,
    }


def _phone(rng: random.Random) -> str:
    area, line = rng.randint(201, 989), rng.randint(0, 9999)
    if rng.random() < 0.5:
        return f"{area}-555-{line:04d}"
    return f"({area}) 555-{line:04d}"


def _phones(rng: random.Random) -> dict[str, object]:
    phones: dict[str, object] = {"PrimaryPhoneNumber": _phone(rng)}
    if rng.random() < 0.6:
        phones.update(MobilePhoneNumber=_phone(rng), MobilePhoneCountryCode="US")
    for name in ("HomePhoneNumber", "WorkPhoneNumber", "FaxPhoneNumber"):
        if rng.random() < 0.3:
            phones[name] = _phone(rng)
    return phones


def _addresses(rng: random.Random) -> dict[str, object]:
    addresses: dict[str, object] = {}
    for prefix, chance in (("Home", 0.8), ("Work", 0.4)):
        if rng.random() < chance:
            city, region, postal = rng.choice(PLACES)
            street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)}"
            addresses.update({f"{prefix}StreetAddress": street, f"{prefix}Locality": city})
            addresses.update({f"{prefix}Region": region, f"{prefix}PostalCode": postal})
    return addresses


def _misc(rng: random.Random) -> dict[str, object]:
    misc: dict[str, object] = {"Tags": rng.sample(TAGS, rng.randint(0, 3))}
    if rng.random() < 0.4:
        misc.update(Organization=rng.choice(COMPANIES), Position=rng.choice(POSITIONS))
    if rng.random() < 0.5:
        misc["Salutation"] = rng.choice(("Mr.", "Ms.", "Dr.", "Mx."))
    if rng.random() < 0.2:
        year, month, day = rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28)
        misc["Birthday"] = f"{year}-{month:02d}-{day:02d}"
    if rng.random() < 0.15:
        misc.update(Pets=rng.choice(("Dog", "Two cats", "Parrot")), Status="Active")
    if rng.random() < 0.2:
        misc["ReferredBy"] = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if rng.random() < 0.4:
        misc["Note"] = rng.choice(NOTE_TEXTS)
    misc["Settings"] = {"ReverseProspecting": rng.random() < 0.2}
    return misc


def _ownership(owner: Agent | None) -> dict[str, object]:
    if owner is None:
        return {"OwnerId": None, "RecordStatus": "Unconnected"}
    ui = owner.feed_setting
    return {"OwnerId": owner.id, "RecordStatus": "Connected", "NewsFeedNotificationUI": ui}


def _times(rng: random.Random) -> dict[str, object]:
    created = REFERENCE_TIME - timedelta(days=rng.randint(120, 900), seconds=rng.randint(0, 86399))
    modified = REFERENCE_TIME - timedelta(hours=rng.randint(1, 160))  # whole hours: many ties
    return {"CreatedTimestamp": timestamp(created), "ModificationTimestamp": timestamp(modified)}


def _after(rng: random.Random, moment: str) -> str:
    """A moment between `moment` and the reference time."""
    start = datetime.fromisoformat(moment)
    span = int((REFERENCE_TIME - start).total_seconds())
    return timestamp(start + timedelta(seconds=rng.randint(0, max(span, 0))))


def _feed(rng: random.Random) -> FeedSummary:
    if rng.random() < 0.5:
        return FeedSummary()
    last = REFERENCE_TIME - timedelta(hours=rng.randint(1, 2000))
    return FeedSummary(timestamp(last), rng.randint(0, 5), rng.randint(0, 20))
