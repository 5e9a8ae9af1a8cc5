"""Turning a store page into a Relay page, with the limits the API promises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.errors import bad_input
from ironbridge.schema.context import Context
from ironbridge.schema.types.common import Edge, Page, PageInfo
from ironbridge.store import records as record_store

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Row

    from ironbridge.models import EntityType

T = TypeVar("T")
P = TypeVar("P", bound=Page[Any])


def check_first(first: int, *, limit: int) -> None:
    if first < 0:
        raise bad_input("'first' must not be negative.", field="first")
    if first > limit:
        raise bad_input(
            f"'first' may be at most {limit}; ask for the next page with 'after'.", field="first"
        )


async def record_page(
    context: Context,
    page_type: type[P],
    entity: EntityType,
    connection_id: int,
    build: Callable[[Row[Any]], Any],
    *,
    flt: record_store.RecordFilter,
    order: record_store.RecordOrder,
    first: int,
    after: str | None,
) -> P:
    check_first(first, limit=context.services.settings.max_page_size)
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

    edges = [
        Edge(cursor=c, node=build(row)) for c, row in zip(page.cursors, page.rows, strict=True)
    ]
    info = PageInfo(
        has_next_page=page.has_next_page, end_cursor=page.cursors[-1] if page.cursors else None
    )
    return page_type(edges=edges, page_info=info, _count=count)


__all__ = ["check_first", "record_page"]
