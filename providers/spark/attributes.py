"""Which Spark attribute carries which unified field: the tables both mapping directions,
the adapter's `_select` and the tests share.

Names only, no reading or writing rules: `reading.py` and `mapping.py` hold those.
"""

from __future__ import annotations

from providers.model import AddressKind, PhoneKind, Salutation

PHONE_ATTRIBUTES: dict[PhoneKind, str] = {
    PhoneKind.PRIMARY: "PrimaryPhoneNumber",
    PhoneKind.HOME: "HomePhoneNumber",
    PhoneKind.WORK: "WorkPhoneNumber",
    PhoneKind.FAX: "FaxPhoneNumber",
    PhoneKind.MOBILE: "MobilePhoneNumber",
    PhoneKind.PAGER: "PagerPhoneNumber",
    PhoneKind.OTHER: "OtherPhoneNumber",
}
ADDRESS_PREFIXES: dict[AddressKind, str] = {AddressKind.HOME: "Home", AddressKind.WORK: "Work"}
ADDRESS_PARTS = ("StreetAddress", "Locality", "Region", "PostalCode")

NAME_ATTRIBUTES: dict[str, str] = {
    "display_name": "DisplayName",
    "given_name": "GivenName",
    "middle_name": "MiddleName",
    "family_name": "FamilyName",
    "organization": "Organization",
    "position": "Position",
}
EXTRA_TEXT_ATTRIBUTES: dict[str, str] = {
    "note": "Note",
    "spouse_given_name": "SpouseGivenName",
    "spouse_middle_name": "SpouseMiddleName",
    "spouse_family_name": "SpouseFamilyName",
    "birthday": "Birthday",
    "anniversary": "Anniversary",
    "assistant": "Assistant",
    "children": "Children",
    "status": "Status",
    "other": "Other",
    "pets": "Pets",
    "referred_by": "ReferredBy",
    "mobile_phone_country_code": "MobilePhoneCountryCode",
}
SALUTATION_TEXT: dict[Salutation, str | None] = {
    Salutation.MR: "Mr.",
    Salutation.MS: "Ms.",
    Salutation.MX: "Mx.",
    Salutation.NONE: None,
}

# Unified field name -> the Spark attributes that carry it (for `_select`).
FIELD_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    **{name: (attr,) for name, attr in NAME_ATTRIBUTES.items()},
    **{name: (attr,) for name, attr in EXTRA_TEXT_ATTRIBUTES.items()},
    "native_id": ("Id",),
    "title": (),
    "salutation_text": ("Salutation",),
    "id": ("Id",),
    "salutation": ("Salutation",),
    "emails": ("PrimaryEmail", "SecondaryEmails", "AdditionalNotificationEmails", "InvalidEmails"),
    "phones": (*PHONE_ATTRIBUTES.values(), "MobilePhoneCountryCode"),
    "addresses": tuple(p + part for p in ADDRESS_PREFIXES.values() for part in ADDRESS_PARTS),
    "created_at": ("CreatedTimestamp",),
    "updated_at": ("ModificationTimestamp",),
    "resource_uri": ("ResourceUri",),
    "record_status": ("RecordStatus",),
    "owner_id": ("OwnerId",),
    "tags": ("Tags",),
    "news_feed_notification_ui": ("NewsFeedNotificationUI",),
    "portal_invitation_at": ("PortalInvitationTimestamp",),
    "reverse_prospecting": ("Settings",),
}
