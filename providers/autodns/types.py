"""AutoDNS's own domain-contact attributes, inputs and filters, beside the unified model.

Plain dataclasses the schema layer reads; `mapping.py` fills them from AutoDNS's
JSON and turns the inputs into AutoDNS contact fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from providers.model import UNSET, Maybe, ProviderExtras


class ContactType(StrEnum):
    """What a handle stands for: a natural person, an organisation, or a role (hostmaster)."""

    PERSON = "PERSON"
    ORG = "ORG"
    ROLE = "ROLE"


class Protection(StrEnum):
    """How much of the handle the registry's WHOIS shows (the levels the rules know)."""

    SHOW_NONE = "SHOW_NONE"
    SHOW_EMAIL = "SHOW_EMAIL"
    SHOW_ALL = "SHOW_ALL"


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An AutoDNS account as `owner` / `updater` name it: context number and user name."""

    context: int | None = None
    user: str | None = None


@dataclass(frozen=True, slots=True)
class AutoDnsExtras(ProviderExtras):
    """AutoDNS attributes outside the unified model, and the stid of the call that read them.

    `protection` and `verification` are kept as AutoDNS sends them (strings): the
    provider documents that more levels exist than the ones we know.
    """

    alias: str | None = None
    type: ContactType | None = None
    protection: str | None = None
    comment: str | None = None
    sip: str | None = None
    verification: str | None = None
    domainsafe: bool | None = None
    owner: AccountRef | None = None
    updater: AccountRef | None = None
    stid: str | None = None


@dataclass(frozen=True, slots=True)
class AutoDnsContactInput:
    """The AutoDNS-only fields of a create or update (UNSET = leave as is).

    `force_handle_create` applies to creates only: without it, AutoDNS refuses a
    contact whose data matches an existing handle of the account (EF03020).
    """

    alias: Maybe[str] = UNSET
    type: Maybe[ContactType] = UNSET
    protection: Maybe[Protection] = UNSET
    comment: Maybe[str] = UNSET
    sip: Maybe[str] = UNSET
    force_handle_create: bool = False


@dataclass(frozen=True, slots=True)
class AutoDnsFilter:
    """AutoDNS-only search filters (text fields take `*` as a wildcard)."""

    alias: str | None = None
    type: ContactType | None = None
    country: str | None = None
    verification: str | None = None
    domainsafe: bool | None = None
