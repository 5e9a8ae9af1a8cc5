"""A connected system: its status, sync settings and state, and its data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from sqlalchemy import func, select

from ironbridge.errors import ApiError, ErrorCode
from ironbridge.live import LiveReader
from ironbridge.models import EntityType as E
from ironbridge.schema.context import Context
from ironbridge.schema.ids import from_global_id, to_global_id
from ironbridge.schema.inputs import (
    AssetFilter,
    InventoryItemFilter,
    LocationFilter,
    ProductionOrderFilter,
    PurchaseOrderFilter,
    RecordOrder,
    StockLevelFilter,
    VendorFilter,
    WorkOrderFilter,
    to_record_filter,
    to_record_order,
)
from ironbridge.schema.pagination import check_first, record_page
from ironbridge.schema.types.common import Edge, Node, Page, PageInfo
from ironbridge.schema.types.enums import (
    ConnectionStatus,
    EntityType,
    SyncMode,
    SyncState,
    SyncTrigger,
)
from ironbridge.schema.types.records import (
    RECORD_TYPES,
    Asset,
    AssetConnection,
    InventoryItem,
    InventoryItemConnection,
    Location,
    LocationConnection,
    ProductionOrder,
    ProductionOrderConnection,
    PurchaseOrder,
    PurchaseOrderConnection,
    StockLevelConnection,
    Vendor,
    VendorConnection,
    WorkOrder,
    WorkOrderConnection,
)
from ironbridge.schema.types.system import EntityCapability, System, capabilities_of
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.store.tables import ENTITY_TABLES, sync_runs

if TYPE_CHECKING:
    from sqlalchemy import Row


Info = strawberry.Info
P = TypeVar("P", bound=Page[Any])


@strawberry.type
class SyncSettings:
    interval_minutes: int
    initial_lookback_days: int
    entities: list[EntityType]
    paused: bool


@strawberry.type
class SyncError:
    code: str
    message: str
    entity: EntityType | None
    remote_id: str | None
    at: datetime

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> SyncError:
        entity = value.get("entity")
        return cls(
            code=value["code"],
            message=value["message"],
            entity=EntityType(entity) if entity else None,
            remote_id=value.get("remoteId"),
            at=datetime.fromisoformat(value["at"]),
        )


@strawberry.type
class EntitySyncStatus:
    entity: EntityType
    state: SyncState
    last_successful_sync_at: datetime | None
    record_count: int
    last_error: SyncError | None


@strawberry.type
class SyncStatus:
    state: SyncState
    last_successful_sync_at: datetime | None
    last_sync_started_at: datetime | None
    next_scheduled_sync_at: datetime | None
    consecutive_failures: int
    errors: list[SyncError]
    entities: list[EntitySyncStatus]


@strawberry.type
class SyncRun(Node):
    mode: SyncMode
    trigger: SyncTrigger
    state: SyncState
    started_at: datetime
    finished_at: datetime | None
    entities: list[EntityType]
    records_fetched: int
    records_created: int
    records_updated: int
    records_deleted: int
    records_failed: int
    upstream_requests: int
    errors: list[SyncError]
    _connection_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> SyncRun:
        return cls(
            id=strawberry.ID(to_global_id("SyncRun", row.id)),
            mode=SyncMode(row.mode),
            trigger=SyncTrigger(row.trigger),
            state=SyncState(row.state),
            started_at=row.started_at,
            finished_at=row.finished_at,
            entities=[EntityType(e) for e in row.entities],
            records_fetched=row.records_fetched,
            records_created=row.records_created,
            records_updated=row.records_updated,
            records_deleted=row.records_deleted,
            records_failed=row.records_failed,
            upstream_requests=row.upstream_requests,
            errors=[SyncError.from_json(e) for e in row.errors],
            _connection_id=row.connection_id,
        )


@strawberry.type(name="SyncRunConnection")
class SyncRunConnection(Page[SyncRun]):
    pass


async def _single(
    info: Info[Context, Any],
    entity: E,
    connection_id: int,
    record_id: strawberry.ID | None,
    remote_id: str | None,
    live: bool = False,
) -> Row[Any] | None:
    if (record_id is None) == (remote_id is None):
        raise ApiError(
            ErrorCode.BAD_USER_INPUT, "Give exactly one of 'id' and 'remoteId'.", field="id"
        )
    if live:
        return await _live_single(info, entity, connection_id, record_id, remote_id)
    if remote_id is not None:
        return await info.context.loaders.record(entity, connection_id, remote_id)
    type_name = RECORD_TYPES[entity][0]
    actual, pk = from_global_id(str(record_id))
    if actual != type_name:
        return None
    async with info.context.services.engine.connect() as conn:
        row = (await record_store.get_by_ids(conn, entity, [pk])).get(pk)
    # a record of another connection is as invisible as one that does not exist
    return row if row is not None and row.connection_id == connection_id else None


async def _live_single(
    info: Info[Context, Any],
    entity: E,
    connection_id: int,
    record_id: strawberry.ID | None,
    remote_id: str | None,
) -> Row[Any] | None:
    """The record as the system has it now (see ``ironbridge.live``)."""
    services = info.context.services
    if remote_id is None:
        row = await _single(info, entity, connection_id, record_id, None)
        if row is None:
            return None
        remote_id = row.remote_id
    reader = await LiveReader.of(services, connection_id)
    await reader.refresh_one(entity, remote_id)
    async with services.engine.connect() as conn:
        found = await record_store.get_by_remote_ids(conn, entity, [(connection_id, remote_id)])
    return found.get((connection_id, remote_id))


LIVE_DESCRIPTION = (
    "Ask the system itself through its connector (cached briefly, keyed by the connection's "
    "data version) instead of answering from the synced store alone."
)


@strawberry.type
class Connection(Node):
    instance_url: str
    display_name: str | None
    sandbox: bool
    status: ConnectionStatus
    status_reason: str | None
    status_changed_at: datetime
    created_at: datetime
    disconnected_at: datetime | None
    credits_used: int
    sync_settings: SyncSettings
    _pk: strawberry.Private[int]
    _system_key: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Row[Any]) -> Connection:
        return cls(
            id=strawberry.ID(to_global_id("Connection", row.id)),
            instance_url=row.instance_url,
            display_name=row.display_name,
            sandbox=row.sandbox,
            status=ConnectionStatus(row.status),
            status_reason=row.status_reason,
            status_changed_at=row.status_changed_at,
            created_at=row.created_at,
            disconnected_at=row.disconnected_at,
            credits_used=row.credits_used,
            sync_settings=SyncSettings(
                interval_minutes=row.sync_interval_minutes,
                initial_lookback_days=row.sync_initial_lookback_days,
                entities=[EntityType(e) for e in row.sync_entities] or list(EntityType),
                paused=row.sync_paused,
            ),
            _pk=row.id,
            _system_key=row.system_key,
        )

    @strawberry.field
    def system(self, info: Info[Context, Any]) -> System:
        connector = info.context.services.registry.get(self._system_key)
        if connector is None:
            raise ApiError(ErrorCode.INTERNAL, f"connector {self._system_key} is not installed")
        return System.from_connector(connector)

    @strawberry.field
    def capabilities(self, info: Info[Context, Any]) -> list[EntityCapability]:
        connector = info.context.services.registry.get(self._system_key)
        return capabilities_of(connector) if connector else []

    @strawberry.field
    async def sync_status(self, info: Info[Context, Any]) -> SyncStatus:
        engine = info.context.services.engine
        async with engine.connect() as conn:
            state = (await connection_store.sync_rows(conn, [self._pk])).get(self._pk)
            per_entity = {
                row.entity: row
                for row in (await connection_store.entity_sync_rows(conn, [self._pk])).get(
                    self._pk, []
                )
            }
            counts = {}
            for entity, table in ENTITY_TABLES.items():
                stmt = (
                    select(func.count())
                    .select_from(table)
                    .where(table.c.connection_id == self._pk, table.c.deleted_at.is_(None))
                )
                counts[entity] = int((await conn.execute(stmt)).scalar_one())
            last_run = None
            if state is not None and state.last_run_id is not None:
                last_run = (
                    await conn.execute(select(sync_runs).where(sync_runs.c.id == state.last_run_id))
                ).first()
        entities = []
        for entity in self.sync_settings.entities:
            row = per_entity.get(entity.value)
            entities.append(
                EntitySyncStatus(
                    entity=entity,
                    state=SyncState(row.state) if row else SyncState.IDLE,
                    last_successful_sync_at=row.last_successful_sync_at if row else None,
                    record_count=counts[E(entity.value)],
                    last_error=SyncError.from_json(row.last_error)
                    if row and row.last_error
                    else None,
                )
            )
        paused = self.sync_settings.paused
        return SyncStatus(
            state=SyncState.PAUSED if paused else SyncState(state.state if state else "IDLE"),
            last_successful_sync_at=state.last_successful_sync_at if state else None,
            last_sync_started_at=state.last_sync_started_at if state else None,
            next_scheduled_sync_at=None
            if paused or state is None
            else state.next_scheduled_sync_at,
            consecutive_failures=state.consecutive_failures if state else 0,
            errors=[SyncError.from_json(e) for e in last_run.errors] if last_run else [],
            entities=entities,
        )

    @strawberry.field
    async def sync_runs(
        self, info: Info[Context, Any], first: int | None = 20, after: str | None = None
    ) -> SyncRunConnection:
        first = check_first(first, limit=info.context.services.settings.max_page_size, default=20)
        after_id = None
        if after is not None:
            try:
                after_id = int(after)
            except ValueError as exc:
                raise ApiError(ErrorCode.BAD_USER_INPUT, "Unknown cursor.", field="after") from exc
        engine = info.context.services.engine
        stmt = select(sync_runs).where(sync_runs.c.connection_id == self._pk)
        async with engine.connect() as conn:
            page_stmt = stmt.where(sync_runs.c.id < after_id) if after_id is not None else stmt
            rows = list(
                (
                    await conn.execute(page_stmt.order_by(sync_runs.c.id.desc()).limit(first + 1))
                ).all()
            )

        async def total() -> int:
            async with engine.connect() as conn:
                count_stmt = (
                    select(func.count())
                    .select_from(sync_runs)
                    .where(sync_runs.c.connection_id == self._pk)
                )
                return int((await conn.execute(count_stmt)).scalar_one())

        edges = [Edge(cursor=str(r.id), node=SyncRun.from_row(r)) for r in rows[:first]]
        return SyncRunConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
            ),
            _count=total,
        )

    # --- data ------------------------------------------------------------------------------

    @strawberry.field
    async def purchase_orders(
        self,
        info: Info[Context, Any],
        filter: PurchaseOrderFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> PurchaseOrderConnection:
        return await self._list(
            info, E.PURCHASE_ORDER, PurchaseOrderConnection, filter, order_by, first, after, live
        )

    @strawberry.field
    async def purchase_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> PurchaseOrder | None:
        row = await _single(info, E.PURCHASE_ORDER, self._pk, id, remote_id, live)
        return PurchaseOrder.from_row(row) if row else None

    @strawberry.field
    async def work_orders(
        self,
        info: Info[Context, Any],
        filter: WorkOrderFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> WorkOrderConnection:
        return await self._list(
            info, E.WORK_ORDER, WorkOrderConnection, filter, order_by, first, after, live
        )

    @strawberry.field
    async def work_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> WorkOrder | None:
        row = await _single(info, E.WORK_ORDER, self._pk, id, remote_id, live)
        return WorkOrder.from_row(row) if row else None

    @strawberry.field
    async def assets(
        self,
        info: Info[Context, Any],
        filter: AssetFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> AssetConnection:
        return await self._list(
            info, E.ASSET, AssetConnection, filter, order_by, first, after, live
        )

    @strawberry.field
    async def asset(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> Asset | None:
        row = await _single(info, E.ASSET, self._pk, id, remote_id, live)
        return Asset.from_row(row) if row else None

    @strawberry.field
    async def inventory_items(
        self,
        info: Info[Context, Any],
        filter: InventoryItemFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> InventoryItemConnection:
        return await self._list(
            info, E.INVENTORY_ITEM, InventoryItemConnection, filter, order_by, first, after, live
        )

    @strawberry.field
    async def inventory_item(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> InventoryItem | None:
        row = await _single(info, E.INVENTORY_ITEM, self._pk, id, remote_id, live)
        return InventoryItem.from_row(row) if row else None

    @strawberry.field
    async def stock_levels(
        self,
        info: Info[Context, Any],
        filter: StockLevelFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> StockLevelConnection:
        return await self._list(
            info, E.STOCK_LEVEL, StockLevelConnection, filter, None, first, after, live
        )

    @strawberry.field
    async def vendors(
        self,
        info: Info[Context, Any],
        filter: VendorFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> VendorConnection:
        return await self._list(
            info, E.VENDOR, VendorConnection, filter, order_by, first, after, live
        )

    @strawberry.field
    async def vendor(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> Vendor | None:
        row = await _single(info, E.VENDOR, self._pk, id, remote_id, live)
        return Vendor.from_row(row) if row else None

    @strawberry.field
    async def locations(
        self,
        info: Info[Context, Any],
        filter: LocationFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> LocationConnection:
        return await self._list(
            info, E.LOCATION, LocationConnection, filter, None, first, after, live
        )

    @strawberry.field
    async def location(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> Location | None:
        row = await _single(info, E.LOCATION, self._pk, id, remote_id, live)
        return Location.from_row(row) if row else None

    @strawberry.field
    async def production_orders(
        self,
        info: Info[Context, Any],
        filter: ProductionOrderFilter | None = None,
        order_by: RecordOrder | None = None,
        first: int | None = 50,
        after: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> ProductionOrderConnection:
        return await self._list(
            info,
            E.PRODUCTION_ORDER,
            ProductionOrderConnection,
            filter,
            order_by,
            first,
            after,
            live,
        )

    @strawberry.field
    async def production_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID | None = None,
        remote_id: str | None = None,
        live: Annotated[bool, strawberry.argument(description=LIVE_DESCRIPTION)] = False,
    ) -> ProductionOrder | None:
        row = await _single(info, E.PRODUCTION_ORDER, self._pk, id, remote_id, live)
        return ProductionOrder.from_row(row) if row else None

    async def _list(
        self,
        info: Info[Context, Any],
        entity: E,
        page_type: type[P],
        flt: Any,
        order_by: RecordOrder | None,
        first: int | None,
        after: str | None,
        live: bool = False,
    ) -> P:
        type_ = RECORD_TYPES[entity][1]
        if live:
            first = check_first(first, limit=info.context.services.settings.max_page_size)
            reader = await LiveReader.of(info.context.services, self._pk)
            await reader.catch_up(entity)
        return await record_page(
            info,
            page_type,
            entity,
            self._pk,
            type_.from_row,
            flt=await to_record_filter(info.context, entity, self._pk, flt),
            order=to_record_order(order_by),
            first=first,
            after=after,
        )


@strawberry.type(name="ConnectionConnection")
class ConnectionConnection(Page[Connection]):
    pass


@strawberry.type
class Credits:
    total: int
    used: int
    available: int


__all__ = [
    "Connection",
    "ConnectionConnection",
    "Credits",
    "EntitySyncStatus",
    "SyncError",
    "SyncRun",
    "SyncRunConnection",
    "SyncSettings",
    "SyncStatus",
]
