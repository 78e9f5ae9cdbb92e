"""Relay cursor connections for contact lists."""

from __future__ import annotations

import strawberry

from schema.contact import Contact


@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More contacts follow this page.")
    has_previous_page: bool = strawberry.field(description="This page does not start at 1.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="One contact in a list, with the cursor just after it.")
class ContactEdge:
    cursor: str = strawberry.field(description="Opaque; pass as `after` to continue after it.")
    node: Contact = strawberry.field(description="The contact.")


@strawberry.type(description="A page of contacts.")
class ContactConnection:
    edges: list[ContactEdge] = strawberry.field(description="Contacts with their cursors.")
    nodes: list[Contact] = strawberry.field(description="The edges' nodes, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int | None = strawberry.field(
        description="All contacts matching the filter, across pages (null if unknown)."
    )
