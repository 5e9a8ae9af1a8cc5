"""Turning a store page into a Relay page, with the limits the API promises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.errors import bad_input
from ironbridge.models import EntityType
from ironbridge.schema.context import Context
from ironbridge.schema.prefetch import node_selections, prefetch
from ironbridge.schema.types.common import Edge, Page, PageInfo
from ironbridge.store import records as record_store

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Row
    from strawberry.types import Info

T = TypeVar("T")

RECORD_TYPE_NAMES = {
    EntityType.PURCHASE_ORDER: "PurchaseOrder",
    EntityType.WORK_ORDER: "WorkOrder",
    EntityType.ASSET: "Asset",
    EntityType.INVENTORY_ITEM: "InventoryItem",
    EntityType.STOCK_LEVEL: "StockLevel",
    EntityType.VENDOR: "Vendor",
    EntityType.LOCATION: "Location",
    EntityType.PRODUCTION_ORDER: "ProductionOrder",
}
P = TypeVar("P", bound=Page[Any])


def check_first(first: int | None, *, limit: int, default: int = 50) -> int:
    """The page size to use: ``default`` for an omitted or null ``first``; BAD_USER_INPUT when
    negative or over ``limit`` (never silently cut)."""
    if first is None:
        return default
    if first < 0:
        raise bad_input("'first' must not be negative.", field="first")
    if first > limit:
        raise bad_input(
            f"'first' may be at most {limit}; ask for the next page with 'after'.", field="first"
        )
    return first


async def record_page(
    info: Info[Context, Any],
    page_type: type[P],
    entity: EntityType,
    connection_id: int,
    build: Callable[[Row[Any]], Any],
    *,
    flt: record_store.RecordFilter,
    order: record_store.RecordOrder,
    first: int | None,
    after: str | None,
) -> P:
    context = info.context
    first = check_first(first, limit=context.services.settings.max_page_size)
    engine = context.services.engine
    try:
        async with engine.connect() as conn:
            page = await record_store.list_page(
                conn, entity, connection_id, flt, order, first=first, after=after
            )
    except record_store.InvalidCursor as exc:
        raise bad_input(str(exc), field="after") from exc

    async def count() -> int:
        async with engine.connect() as conn:
            return await record_store.count(conn, entity, connection_id, flt)

    nodes = [build(row) for row in page.rows]
    selections = node_selections(info.selected_fields[0]) if info.selected_fields else []
    await prefetch(context, RECORD_TYPE_NAMES[entity], nodes, selections)
    edges = [Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)]
    page_info = PageInfo(
        has_next_page=page.has_next_page, end_cursor=page.cursors[-1] if page.cursors else None
    )
    return page_type(edges=edges, page_info=page_info, _count=count)


__all__ = ["check_first", "record_page"]
