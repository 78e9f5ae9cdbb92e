"""Records to GraphQL objects: one converter per provider, found by name."""

from __future__ import annotations

from collections.abc import Callable

from providers.model import ContactRecord, ProviderName
from schema.autodns import DomainContact
from schema.contact import Contact
from schema.is24 import RealtorContact
from schema.spark import SparkContact

CONVERTERS: dict[ProviderName, Callable[[ContactRecord], Contact]] = {
    ProviderName.SPARK: SparkContact.from_record,
    ProviderName.AUTODNS: DomainContact.from_record,
    ProviderName.IS24: RealtorContact.from_record,
}


def contact_object(record: ContactRecord) -> Contact:
    """The GraphQL object of the record's provider type (SparkContact, ...)."""
    return CONVERTERS[record.provider](record)
