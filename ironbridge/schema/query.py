"""The query root."""

from __future__ import annotations

from typing import Any

import strawberry

from ironbridge.errors import ApiError, ErrorCode, forbidden, not_found
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id, from_global_id
from ironbridge.schema.inputs import ConnectionFilter
from ironbridge.schema.pagination import check_first
from ironbridge.schema.types.common import Edge, Node, PageInfo
from ironbridge.schema.types.connection import (
    Connection,
    ConnectionConnection,
    Credits,
    SyncRun,
)
from ironbridge.schema.types.enums import SystemCategory
from ironbridge.schema.types.records import ENTITY_BY_TYPE_NAME, RECORD_TYPES
from ironbridge.schema.types.system import System
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.store.tables import sync_runs

Info = strawberry.Info


async def load_visible_connection(info: Info[Context, Any], pk: int) -> Connection:
    """The connection ``pk`` if the caller may see it: FORBIDDEN or NOT_FOUND otherwise."""
    principal = info.context.require_principal()
    if not principal.may_read_connection(pk):
        raise forbidden("This credential may not see that connection.")
    async with info.context.services.engine.connect() as conn:
        row = await connection_store.get_connection(conn, pk)
    if row is None:
        raise not_found("No such connection.")
    return Connection.from_row(row)


async def _node(info: Info[Context, Any], type_name: str, pk: int) -> Node | None:
    principal = info.context.require_principal()
    engine = info.context.services.engine
    if type_name == "Connection":
        if not principal.may_read_connection(pk):
            return None
        async with engine.connect() as conn:
            row = await connection_store.get_connection(conn, pk)
        return Connection.from_row(row) if row else None
    if type_name == "SyncRun":
        async with engine.connect() as conn:
            row = (await conn.execute(sync_runs.select().where(sync_runs.c.id == pk))).first()
        if row is None or not principal.may_read_connection(row.connection_id):
            return None
        return SyncRun.from_row(row)
    if type_name == "WebhookEndpoint":
        from ironbridge.schema.webhooks import load_webhook_endpoint

        endpoint: Node | None = await load_webhook_endpoint(info, pk)
        return endpoint
    entity = ENTITY_BY_TYPE_NAME.get(type_name)
    if entity is None:
        return None
    async with engine.connect() as conn:
        row = (await record_store.get_by_ids(conn, entity, [pk])).get(pk)
    if row is None or not principal.may_read_connection(row.connection_id):
        return None
    node: Node = RECORD_TYPES[entity][1].from_row(row)
    return node


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, Any], id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(str(id))
        node = await _node(info, type_name, pk)
        if node is None:
            # the same answer whether it does not exist or is not the caller's to see
            raise not_found("No object with that id is visible to this credential.")
        return node

    @strawberry.field(description="The catalog of systems that can be connected.")
    def systems(
        self,
        info: Info[Context, Any],
        search: str | None = None,
        category: SystemCategory | None = None,
    ) -> list[System]:
        info.context.require_principal()
        needle = (search or "").strip().lower()
        found = []
        for connector in info.context.services.registry.all():
            system = connector.system
            if category is not None and category not in system.categories:
                continue
            haystack = " ".join((system.key, system.name, system.vendor or "", system.description))
            if needle and needle not in haystack.lower():
                continue
            found.append(System.from_connector(connector))
        return found

    @strawberry.field
    def system(self, info: Info[Context, Any], key: str) -> System | None:
        info.context.require_principal()
        connector = info.context.services.registry.get(key)
        return System.from_connector(connector) if connector else None

    @strawberry.field(
        description="A connection by id; without an id, the caller's own (connection token)."
    )
    async def connection(
        self, info: Info[Context, Any], id: strawberry.ID | None = None
    ) -> Connection | None:
        principal = info.context.require_principal()
        if id is None:
            if principal.connection_id is None:
                raise ApiError(
                    ErrorCode.BAD_USER_INPUT,
                    "Give the connection 'id': only a connection token has one of its own.",
                    field="id",
                )
            return await load_visible_connection(info, principal.connection_id)
        return await load_visible_connection(info, expect_global_id(str(id), "Connection"))

    @strawberry.field(description="Every connection (admin).")
    async def connections(
        self,
        info: Info[Context, Any],
        filter: ConnectionFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> ConnectionConnection:
        info.context.require_admin()
        first = check_first(first, limit=info.context.services.settings.max_page_size)
        after_id = expect_global_id(after, "Connection", field="after") if after else None
        flt = connection_store.ConnectionFilter(
            statuses=[s.value for s in filter.status] if filter and filter.status else None,
            system_keys=filter.system_key if filter else None,
            search=filter.search if filter else None,
        )
        engine = info.context.services.engine
        async with engine.connect() as conn:
            rows, has_next = await connection_store.list_connections(
                conn, flt, first=first, after_id=after_id
            )

        async def total() -> int:
            async with engine.connect() as conn:
                return await connection_store.count_connections(conn, flt)

        edges = [Edge(cursor=str(c.id), node=c) for c in map(Connection.from_row, rows)]
        return ConnectionConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            _count=total,
        )

    @strawberry.field(description="The connection credits of this installation (admin).")
    async def credits(self, info: Info[Context, Any]) -> Credits:
        info.context.require_admin()
        total = info.context.services.settings.connection_credits
        async with info.context.services.engine.connect() as conn:
            used = await connection_store.credits_in_use(conn)
        return Credits(total=total, used=used, available=max(0, total - used))


__all__ = ["Query", "load_visible_connection"]
