"""Node, Record, Relay pages and the small value types shared by every entity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

import strawberry
from strawberry.scalars import JSON


@strawberry.interface(description="An object with a global, opaque, stable id.")
class Node:
    id: strawberry.ID


@strawberry.interface(description="What every synced record has.")
class Record(Node):
    remote_id: str = strawberry.field(description="The record's id in the connected system.")
    created_at: datetime | None = strawberry.field(description="As the system says.")
    updated_at: datetime | None = strawberry.field(description="As the system says.")
    synced_at: datetime = strawberry.field(description="When Ironbridge last stored it.")
    deleted_at: datetime | None = strawberry.field(
        description="Set once the record is gone from the system (soft delete)."
    )
    custom_fields: JSON = strawberry.field(description="The system's custom fields, by name.")
    remote_data: JSON | None = strawberry.field(description="The raw payload, as received.")


@strawberry.type
class Address:
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = False
    start_cursor: str | None = None


T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Page(Generic[T]):
    """A Relay-shaped list: edges, nodes, pageInfo, totalCount."""

    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many records match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


__all__ = ["Address", "Edge", "Node", "Page", "PageInfo", "Record"]
