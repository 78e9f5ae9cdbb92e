"""What a Spark key can do, by role (spark.md "Roles" and "Expansions")."""

from __future__ import annotations

from dataclasses import fields
from typing import Final

from providers.base import Capabilities, Operation
from providers.model import SortField
from providers.spark.types import Expansion, SparkContactInput, SparkRole

_ALL_READS: Final = frozenset({Operation.READ, Operation.LIST, Operation.READ_ME})
_ALL_WRITES: Final = frozenset(
    {Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.TRANSFER, Operation.UPDATE_ME}
)
OPERATIONS: Final[dict[SparkRole, frozenset[Operation]]] = {
    SparkRole.PRIVATE: _ALL_READS | _ALL_WRITES,
    SparkRole.IDX: _ALL_READS | _ALL_WRITES,
    SparkRole.PUBLIC: _ALL_READS,
    SparkRole.VOW: frozenset({Operation.READ_ME, Operation.UPDATE_ME}),
    SparkRole.PORTAL: frozenset({Operation.READ_ME, Operation.UPDATE_ME}),
}
_FOR_ALL: Final = frozenset(Expansion) - {Expansion.ACTIVITY, Expansion.PORTAL}
EXPANSIONS: Final[dict[SparkRole, frozenset[str]]] = {
    SparkRole.PRIVATE: frozenset(Expansion),
    SparkRole.IDX: _FOR_ALL,
    SparkRole.PUBLIC: _FOR_ALL,
    SparkRole.VOW: _FOR_ALL | {Expansion.PORTAL},
    SparkRole.PORTAL: _FOR_ALL | {Expansion.PORTAL},
}

_BASE_FIELDS: Final = frozenset(
    {
        "native_id",
        "display_name",
        "salutation",
        "given_name",
        "middle_name",
        "family_name",
        "organization",
        "position",
        "emails",
        "phones",
        "addresses",
        "created_at",
        "updated_at",
    }
)
_SPARK_FIELDS: Final = frozenset(
    {f.name for f in fields(SparkContactInput) if f.name != "notify"} | {"owner_id"}
)
READABLE: Final = (
    _BASE_FIELDS
    | _SPARK_FIELDS
    | {"resource_uri", "news_feed_notification_ui", "portal_invitation_at"}
)
WRITABLE: Final = (_BASE_FIELDS - {"native_id", "created_at", "updated_at"}) | _SPARK_FIELDS
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
        "updated_since",
        "created_since",
        "spark.unconnected",
        "spark.vow_active",
        "spark.portal_login_name",
    }
)
SORTABLE: Final = frozenset(SortField)


def capabilities_for(role: SparkRole, page_cap: int) -> Capabilities:
    sortable = (
        SORTABLE
        if Expansion.ACTIVITY in EXPANSIONS[role]
        else SORTABLE - {SortField.ACTIVITY_SCORE}
    )
    return Capabilities(
        operations=OPERATIONS[role],
        readable_fields=READABLE,
        writable_fields=WRITABLE if Operation.UPDATE in OPERATIONS[role] else frozenset(),
        filterable_fields=FILTERABLE,
        sortable_fields=sortable,
        expansions=EXPANSIONS[role],
        max_page_size=page_cap,
        batch_read=True,
        notes={
            "role": role.value,
            "owner_id": "transfer only",
            "filtering": "every filterable field is pushed upstream as one SparkQL _filter",
            "paging": f"_limit is capped at {page_cap}; a larger page is several requests "
            "sent at once",
            "expansions": "selected expansion fields are folded into the same request",
        },
    )
