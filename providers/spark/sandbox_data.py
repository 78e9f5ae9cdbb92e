"""The Spark sandbox's in-memory store: seeded contacts, who may see which, and the tokens.

Visibility follows Spark: an agent's `/v1/contacts` holds the agent's Connected contacts;
`/v1/contacts/unconnected` holds the Unconnected contacts of the agent's office (they have
no owner). By id, a token reaches exactly those two sets; other agents' contacts are 404.
Invariant kept by every write: a contact is Connected exactly when it has an OwnerId.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from typing import Any

from providers.spark.sandbox_records import (
    REFERENCE_TIME,
    Agent,
    PortalAccount,
    Principal,
    StoredContact,
    blank_attributes,
    timestamp,
)
from providers.spark.sandbox_seed import (
    AGENT_A_ID,
    AGENT_B_ID,
    AGENT_C_ID,
    AGENTS,
    build_world,
    new_contact_id,
)

__all__ = [
    "AGENT_A_ID",
    "AGENT_B_ID",
    "AGENT_C_ID",
    "IDX_TOKEN",
    "OTHER_AGENT_TOKEN",
    "PORTAL_TOKEN",
    "PRIVATE_TOKEN",
    "PUBLIC_TOKEN",
    "REPLICATION_TOKEN",
    "SPARK_SANDBOX_TOKENS",
    "VOW_TOKEN",
    "SparkStore",
]

# The documented sandbox tokens: fixed and public by design, never real credentials.
PRIVATE_TOKEN = "spark-sandbox-private"  # noqa: S105  # public sandbox token
IDX_TOKEN = "spark-sandbox-idx"  # noqa: S105  # public sandbox token
PUBLIC_TOKEN = "spark-sandbox-public"  # noqa: S105  # public sandbox token
VOW_TOKEN = "spark-sandbox-vow"  # noqa: S105  # public sandbox token
PORTAL_TOKEN = "spark-sandbox-portal"  # noqa: S105  # public sandbox token
REPLICATION_TOKEN = "spark-sandbox-replication"  # noqa: S105  # public sandbox token
OTHER_AGENT_TOKEN = "spark-sandbox-agent-b"  # noqa: S105  # public sandbox token

# token -> (role, whose user: an agent id or a consumer role, replication key?)
_TOKEN_TABLE: dict[str, tuple[str, str, bool]] = {
    PRIVATE_TOKEN: ("Private", AGENT_A_ID, False),
    IDX_TOKEN: ("IDX", AGENT_A_ID, False),
    PUBLIC_TOKEN: ("Public", AGENT_A_ID, False),
    VOW_TOKEN: ("VOW", "VOW", False),
    PORTAL_TOKEN: ("Portal", "Portal", False),
    REPLICATION_TOKEN: ("Private", AGENT_A_ID, True),
    OTHER_AGENT_TOKEN: ("Private", AGENT_B_ID, False),
}
SPARK_SANDBOX_TOKENS: dict[str, str] = {token: row[0] for token, row in _TOKEN_TABLE.items()}


class SparkStore:
    """All sandbox data; `reseed()` puts back exactly the seeded state."""

    def __init__(self, *, seed: int = 7, contact_count: int = 300) -> None:
        self.seed = seed
        self.contact_count = contact_count
        self.reference_time = REFERENCE_TIME
        self.agents: dict[str, Agent] = {agent.id: agent for agent in AGENTS}
        self.reseed()

    def reseed(self) -> None:
        """Rebuild the seeded world; ids minted afterwards restart their sequence too."""
        world = build_world(self.seed, self.contact_count)
        self.contacts: dict[str, StoredContact] = world.contacts
        self.self_contacts: dict[str, StoredContact] = world.self_contacts
        self.consumers: dict[str, str] = world.consumers
        self._ids = world.ids
        self._rng = random.Random(f"spark-sandbox-ids-{self.seed}")  # noqa: S311  # not a secret

    # -------------------------------------------------------------- who sees what

    def principal(self, token: str) -> Principal | None:
        """The user a token speaks for, or None for an unknown token."""
        row = _TOKEN_TABLE.get(token)
        if row is None:
            return None
        role, user, replication = row
        agent_id = user if user in self.agents else AGENT_A_ID
        user_id = self.consumers.get(user, user)
        office = self.agents[agent_id].office_id
        return Principal(role, agent_id, user_id, office, replication)

    def listed(self, principal: Principal, *, unconnected: bool) -> list[StoredContact]:
        """The contacts of `/v1/contacts` (or `/unconnected`) for this principal."""
        if unconnected:
            return [c for c in self.contacts.values() if self._in_office_pool(c, principal)]
        return [c for c in self.contacts.values() if c.owner_id == principal.agent_id]

    def reachable(self, principal: Principal, contact_id: str) -> StoredContact | None:
        """A contact the principal may read or change by id, else None (shown as 404)."""
        contact = self.contacts.get(contact_id)
        if contact is None:
            return None
        if contact.owner_id == principal.agent_id or self._in_office_pool(contact, principal):
            return contact
        return None

    def own_contact(self, principal: Principal) -> StoredContact | None:
        """The token user's own contact: an agent's profile or a consumer's contact record."""
        if principal.user_id in self.self_contacts:
            return self.self_contacts[principal.user_id]
        return self.contacts.get(principal.user_id)

    @staticmethod
    def _in_office_pool(contact: StoredContact, principal: Principal) -> bool:
        return not contact.connected and contact.office_id == principal.office_id

    # -------------------------------------------------------------- writes

    def new_id(self) -> str:
        return new_contact_id(self._rng, self._ids)

    def email_taken(self, email: str, owner_id: str | None, office_id: str, skip: str) -> bool:
        """Whether another contact of the same owner (or office pool) has this primary email."""
        wanted = email.lower()
        for contact in self.contacts.values():
            same_pool = contact.owner_id == owner_id and contact.office_id == office_id
            if same_pool and contact.id != skip and _email_of(contact) == wanted:
                return True
        return False

    def create(self, changes: dict[str, Any], principal: Principal, now: datetime) -> StoredContact:
        """Store a new contact with an auto-generated (disabled, never used) portal account."""
        contact_id = self.new_id()
        attrs = blank_attributes(contact_id)
        attrs.update(changes)
        agent = self.agents[principal.agent_id]
        connected = attrs["RecordStatus"] == "Connected"
        attrs["OwnerId"] = agent.id if connected else None
        attrs["NewsFeedNotificationUI"] = agent.feed_setting
        attrs["CreatedTimestamp"] = attrs["ModificationTimestamp"] = timestamp(now)
        contact = StoredContact(attrs=attrs, office_id=agent.office_id)
        local = str(attrs["PrimaryEmail"]).split("@")[0]
        username = f"{local}_{contact_id[-4:]}"
        contact.portal = PortalAccount(self.new_id(), username, False, timestamp(now))
        self.contacts[contact_id] = contact
        return contact

    def update(self, contact: StoredContact, changes: dict[str, Any], principal: Principal,
               now: datetime) -> None:  # fmt: skip
        """Apply validated changes; an Unconnected contact made Connected joins the caller."""
        if not changes:
            return
        becomes_connected = not contact.connected and changes.get("RecordStatus") == "Connected"
        contact.attrs.update(changes)
        if becomes_connected:
            contact.attrs["OwnerId"] = principal.agent_id
        contact.attrs["ModificationTimestamp"] = timestamp(now)

    def transfer(self, contact: StoredContact, owner: Agent, now: datetime) -> None:
        contact.attrs.update(OwnerId=owner.id, RecordStatus="Connected")
        contact.attrs["NewsFeedNotificationUI"] = owner.feed_setting
        contact.attrs["ModificationTimestamp"] = timestamp(now)

    def delete(self, contact_id: str) -> None:
        del self.contacts[contact_id]

    # -------------------------------------------------------------- reading helpers

    def email_counts(self) -> Counter[str]:
        """How many contacts (of any owner) use each primary email, lower-cased."""
        return Counter(_email_of(contact) for contact in self.contacts.values())

    def snapshot(self) -> dict[str, Any]:
        """All data as plain JSON values; equal snapshots mean identical data."""
        return {
            "contacts": [c.snapshot() for c in self.contacts.values()],
            "self_contacts": [c.snapshot() for c in self.self_contacts.values()],
            "consumers": dict(self.consumers),
        }


def _email_of(contact: StoredContact) -> str:
    return str(contact.attrs.get("PrimaryEmail") or "").lower()
