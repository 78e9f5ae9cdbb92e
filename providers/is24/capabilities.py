"""What the IS24 realtor-contact resource offers (is24.md "Resource" and "Fields")."""

from __future__ import annotations

from typing import Final

from providers.base import Capabilities, Operation
from providers.model import SortField

_BASE_FIELDS: Final = frozenset(
    {
        "native_id",
        "display_name",
        "salutation",
        "title",
        "given_name",
        "family_name",
        "organization",
        "position",
        "emails",
        "phones",
        "addresses",
    }
)
_IS24_FIELDS: Final = frozenset(
    {
        "company",
        "office_hours",
        "homepage_url",
        "additional_name",
        "default_contact",
        "local_partner_contact",
        "business_card_contact",
        "show_on_profile_page",
        "real_estate_reference_count",
        "external_id",
        "click_out_url",
        "country_code",
    }
)
READABLE: Final = _BASE_FIELDS | _IS24_FIELDS
# company is written as `organization`, country_code as the address's `country`.
WRITABLE: Final = (_BASE_FIELDS - {"native_id", "display_name"}) | (
    _IS24_FIELDS - {"real_estate_reference_count", "company", "country_code"}
)
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
        "tags",
        "is24.external_id",
        "is24.show_on_profile_page",
        "is24.default_contact",
        "is24.business_card_contact",
        "is24.local_partner_contact",
    }
)
SORTABLE: Final = frozenset(
    {
        SortField.DISPLAY_NAME,
        SortField.GIVEN_NAME,
        SortField.FAMILY_NAME,
        SortField.EMAIL,
        SortField.ORGANIZATION,
        SortField.ID,
    }
)

CAPABILITIES: Final = Capabilities(
    operations=frozenset(
        {Operation.READ, Operation.LIST, Operation.CREATE, Operation.UPDATE, Operation.DELETE}
    ),
    readable_fields=READABLE,
    writable_fields=WRITABLE,
    filterable_fields=FILTERABLE,
    sortable_fields=SORTABLE,
    max_page_size=100,
    batch_read=False,
    notes={
        "filtering": "applied locally: IS24's list has no filter, so every search is ONE "
        "list call, then filter, order and offset/limit in the adapter",
        "paging": "IS24 has no paging; the whole list is read once per search",
        "reads": "up to 4 ids: one GET each (at most 8 at once); more: one list call",
        "writes": "create and update read the list once first (duplicate check and the "
        "20-contact profile-page limit), then write, then read the contact back",
        "timestamps": "IS24 contacts have no createdAt/updatedAt; ordering by them is by id",
    },
)
