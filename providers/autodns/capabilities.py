"""What the AutoDNS adapter offers (one credential sees its own account's handles)."""

from __future__ import annotations

from typing import Final

from providers.autodns.filters import SORT_KEYS
from providers.autodns.search import MAX_LIMIT
from providers.base import Capabilities, Operation

OPERATIONS: Final = frozenset(
    {Operation.READ, Operation.LIST, Operation.CREATE, Operation.UPDATE, Operation.DELETE}
)
_UNIFIED: Final = frozenset(
    {
        "title",
        "given_name",
        "family_name",
        "organization",
        "emails",
        "phones",
        "addresses",
    }
)
_AUTODNS_WRITABLE: Final = frozenset({"alias", "type", "protection", "comment", "sip"})
READABLE: Final = (
    _UNIFIED
    | _AUTODNS_WRITABLE
    | {"native_id", "display_name", "created_at", "updated_at"}
    | {"verification", "domainsafe", "owner", "updater", "last_stid"}
)
WRITABLE: Final = _UNIFIED | _AUTODNS_WRITABLE
FILTERABLE: Final = frozenset(
    {
        "ids",
        "display_name",
        "given_name",
        "family_name",
        "email",
        "phone",
        "organization",
        "city",
        "postal_code",
        "updated_since",
        "created_since",
        "autodns.alias",
        "autodns.type",
        "autodns.country",
        "autodns.verification",
        "autodns.domainsafe",
    }
)
NOTES: Final = {
    "phones": "one PRIMARY (voice) and one FAX number; E.164 here, +CC-AREA-NUMBER upstream",
    "addresses": "one address, kind OTHER; region is AutoDNS's state",
    "emails": "one PRIMARY email",
    "display_name": "derived: 'fname lname' (PERSON, ROLE) or the organization (ORG)",
    "duplicates": "same data as an existing handle is refused (EF03020) unless "
    "autodns.forceHandleCreate is true",
    "batch_read": "several ids are read with one _search (id EQUAL ... OR ...)",
    "filtering": "every filterable field is pushed upstream into the _search filters; "
    "tags do not exist on domain contacts (a merged list asks AutoDNS nothing then)",
}

CAPABILITIES: Final = Capabilities(
    operations=OPERATIONS,
    readable_fields=READABLE,
    writable_fields=WRITABLE,
    filterable_fields=FILTERABLE,
    sortable_fields=frozenset(SORT_KEYS),
    max_page_size=MAX_LIMIT,
    batch_read=True,
    notes=NOTES,
)
