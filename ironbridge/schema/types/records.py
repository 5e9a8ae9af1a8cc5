"""The eight synced entities as GraphQL types; relations resolve through per-request loaders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import strawberry

from ironbridge import models
from ironbridge.schema.context import Context
from ironbridge.schema.ids import to_global_id
from ironbridge.schema.prefetch import cached_or_load
from ironbridge.schema.types.common import Address, Page, Record
from ironbridge.schema.types.enums import (
    AssetStatus,
    InventoryItemType,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)
from ironbridge.store.rows import address_from_row

if TYPE_CHECKING:
    from sqlalchemy import Row
    from strawberry.types import Info


E = models.EntityType


def _record_fields(type_name: str, row: Row[Any]) -> dict[str, Any]:
    return {
        "id": strawberry.ID(to_global_id(type_name, row.id)),
        "remote_id": row.remote_id,
        "created_at": row.remote_created_at,
        "updated_at": row.remote_updated_at,
        "synced_at": row.synced_at,
        "deleted_at": row.deleted_at,
        "custom_fields": row.custom_fields,
        "remote_data": row.remote_data,
        "_pk": row.id,
        "_connection_id": row.connection_id,
    }


def _address(row: Row[Any]) -> Address | None:
    value = address_from_row(row)
    if value is None:
        return None
    return Address(
        line1=value.line1,
        line2=value.line2,
        city=value.city,
        region=value.region,
        postal_code=value.postal_code,
        country=value.country,
    )


def _opt(enum: Any, value: str | None) -> Any:
    return None if value is None else enum(value)


def _one(
    info: Info[Context, Any],
    entity: models.EntityType,
    connection_id: int,
    remote_id: str | None,
    build: Callable[[Row[Any]], Any],
) -> Any:
    """The related record: at once when prefetched, else an awaitable through the loader."""
    if not remote_id:
        return None
    loader = info.context.loaders.by_remote_id[entity]
    return cached_or_load(
        loader, (connection_id, remote_id), lambda row: build(row) if row else None
    )


def _many(build: Callable[[Row[Any]], Any]) -> Callable[[list[Row[Any]]], list[Any]]:
    return lambda rows: [build(row) for row in rows]


@strawberry.type
class Vendor(Record):
    name: str
    code: str | None
    email: str | None
    phone: str | None
    address: Address | None
    currency: str | None
    tax_id: str | None
    status: VendorStatus
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> Vendor:
        return cls(
            **_record_fields("Vendor", row),
            name=row.name,
            code=row.code,
            email=row.email,
            phone=row.phone,
            address=_address(row),
            currency=row.currency,
            tax_id=row.tax_id,
            status=VendorStatus(row.status),
        )


@strawberry.type
class Location(Record):
    name: str
    code: str | None
    type: LocationType | None
    address: Address | None
    _parent_remote_id: strawberry.Private[str | None]
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def parent(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(info, E.LOCATION, self._connection_id, self._parent_remote_id, Location.from_row),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> Location:
        return cls(
            **_record_fields("Location", row),
            name=row.name,
            code=row.code,
            type=_opt(LocationType, row.type),
            address=_address(row),
            _parent_remote_id=row.parent_remote_id,
        )


@strawberry.type
class StockLevel(Record):
    item_remote_id: str | None
    location_remote_id: str | None
    quantity_on_hand: Decimal
    quantity_available: Decimal | None
    quantity_reserved: Decimal | None
    quantity_on_order: Decimal | None
    reorder_point: Decimal | None
    unit_of_measure: str | None
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def item(self, info: strawberry.Info[Context, Any]) -> InventoryItem | None:
        return cast(
            "InventoryItem | None",
            _one(
                info,
                E.INVENTORY_ITEM,
                self._connection_id,
                self.item_remote_id,
                InventoryItem.from_row,
            ),
        )

    @strawberry.field
    def location(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(info, E.LOCATION, self._connection_id, self.location_remote_id, Location.from_row),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> StockLevel:
        return cls(
            **_record_fields("StockLevel", row),
            item_remote_id=row.item_remote_id,
            location_remote_id=row.location_remote_id,
            quantity_on_hand=row.quantity_on_hand,
            quantity_available=row.quantity_available,
            quantity_reserved=row.quantity_reserved,
            quantity_on_order=row.quantity_on_order,
            reorder_point=row.reorder_point,
            unit_of_measure=row.unit_of_measure,
        )


@strawberry.type
class InventoryItem(Record):
    number: str
    name: str
    description: str | None
    type: InventoryItemType | None
    unit_of_measure: str | None
    unit_cost: Decimal | None
    currency: str | None
    active: bool
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def stock_levels(self, info: strawberry.Info[Context, Any]) -> list[StockLevel]:
        loader = info.context.loaders.stock_by_item
        key = (self._connection_id, self.remote_id)
        return cast("list[StockLevel]", cached_or_load(loader, key, _many(StockLevel.from_row)))

    @classmethod
    def from_row(cls, row: Row[Any]) -> InventoryItem:
        return cls(
            **_record_fields("InventoryItem", row),
            number=row.number,
            name=row.name,
            description=row.description,
            type=_opt(InventoryItemType, row.type),
            unit_of_measure=row.unit_of_measure,
            unit_cost=row.unit_cost,
            currency=row.currency,
            active=row.active,
        )


@strawberry.type
class PurchaseOrderLine:
    line_number: str
    item_remote_id: str | None
    description: str | None
    quantity: Decimal
    quantity_received: Decimal | None
    unit_of_measure: str | None
    unit_price: Decimal | None
    amount: Decimal | None
    expected_delivery_date: date | None
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def item(self, info: strawberry.Info[Context, Any]) -> InventoryItem | None:
        return cast(
            "InventoryItem | None",
            _one(
                info,
                E.INVENTORY_ITEM,
                self._connection_id,
                self.item_remote_id,
                InventoryItem.from_row,
            ),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> PurchaseOrderLine:
        return cls(
            line_number=row.line_number,
            item_remote_id=row.item_remote_id,
            description=row.description,
            quantity=row.quantity,
            quantity_received=row.quantity_received,
            unit_of_measure=row.unit_of_measure,
            unit_price=row.unit_price,
            amount=row.amount,
            expected_delivery_date=row.expected_delivery_date,
            _connection_id=row.connection_id,
        )


@strawberry.type
class PurchaseOrder(Record):
    number: str
    status: PurchaseOrderStatus
    remote_status: str | None
    vendor_remote_id: str | None
    order_date: date | None
    expected_delivery_date: date | None
    currency: str | None
    total_amount: Decimal | None
    description: str | None
    _ship_to_remote_id: strawberry.Private[str | None]
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def vendor(self, info: strawberry.Info[Context, Any]) -> Vendor | None:
        return cast(
            "Vendor | None",
            _one(info, E.VENDOR, self._connection_id, self.vendor_remote_id, Vendor.from_row),
        )

    @strawberry.field
    def ship_to(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(info, E.LOCATION, self._connection_id, self._ship_to_remote_id, Location.from_row),
        )

    @strawberry.field
    def lines(self, info: strawberry.Info[Context, Any]) -> list[PurchaseOrderLine]:
        loader = info.context.loaders.lines
        built = cached_or_load(loader, self._pk, _many(PurchaseOrderLine.from_row))
        return cast("list[PurchaseOrderLine]", built)

    @classmethod
    def from_row(cls, row: Row[Any]) -> PurchaseOrder:
        return cls(
            **_record_fields("PurchaseOrder", row),
            number=row.number,
            status=PurchaseOrderStatus(row.status),
            remote_status=row.remote_status,
            vendor_remote_id=row.vendor_remote_id,
            order_date=row.order_date,
            expected_delivery_date=row.expected_delivery_date,
            currency=row.currency,
            total_amount=row.total_amount,
            description=row.description,
            _ship_to_remote_id=row.ship_to_remote_id,
        )


@strawberry.type
class WorkOrder(Record):
    number: str
    title: str
    description: str | None
    status: WorkOrderStatus
    remote_status: str | None
    priority: WorkOrderPriority | None
    type: WorkOrderType | None
    asset_remote_id: str | None
    assignee: str | None
    due_at: datetime | None
    scheduled_start_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    estimated_hours: Decimal | None
    actual_hours: Decimal | None
    _location_remote_id: strawberry.Private[str | None]
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def asset(self, info: strawberry.Info[Context, Any]) -> Asset | None:
        return cast(
            "Asset | None",
            _one(info, E.ASSET, self._connection_id, self.asset_remote_id, Asset.from_row),
        )

    @strawberry.field
    def location(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(
                info, E.LOCATION, self._connection_id, self._location_remote_id, Location.from_row
            ),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> WorkOrder:
        return cls(
            **_record_fields("WorkOrder", row),
            number=row.number,
            title=row.title,
            description=row.description,
            status=WorkOrderStatus(row.status),
            remote_status=row.remote_status,
            priority=_opt(WorkOrderPriority, row.priority),
            type=_opt(WorkOrderType, row.type),
            asset_remote_id=row.asset_remote_id,
            assignee=row.assignee,
            due_at=row.due_at,
            scheduled_start_at=row.scheduled_start_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            estimated_hours=row.estimated_hours,
            actual_hours=row.actual_hours,
            _location_remote_id=row.location_remote_id,
        )


@strawberry.type(name="WorkOrderConnection")
class WorkOrderConnection(Page[WorkOrder]):
    pass


@strawberry.type
class Asset(Record):
    name: str
    tag: str | None
    description: str | None
    serial_number: str | None
    manufacturer: str | None
    model: str | None
    status: AssetStatus
    criticality: str | None
    installed_at: date | None
    _location_remote_id: strawberry.Private[str | None]
    _parent_remote_id: strawberry.Private[str | None]
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def location(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(
                info, E.LOCATION, self._connection_id, self._location_remote_id, Location.from_row
            ),
        )

    @strawberry.field
    def parent(self, info: strawberry.Info[Context, Any]) -> Asset | None:
        return cast(
            "Asset | None",
            _one(info, E.ASSET, self._connection_id, self._parent_remote_id, Asset.from_row),
        )

    @strawberry.field
    async def work_orders(
        self, info: strawberry.Info[Context, Any], first: int | None = 20, after: str | None = None
    ) -> WorkOrderConnection:
        from ironbridge.schema.pagination import record_page
        from ironbridge.store.records import RecordFilter, RecordOrder

        return await record_page(
            info,
            WorkOrderConnection,
            E.WORK_ORDER,
            self._connection_id,
            WorkOrder.from_row,
            flt=RecordFilter(equals={"asset_remote_id": self.remote_id}),
            order=RecordOrder(),
            first=20 if first is None else first,
            after=after,
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> Asset:
        return cls(
            **_record_fields("Asset", row),
            name=row.name,
            tag=row.tag,
            description=row.description,
            serial_number=row.serial_number,
            manufacturer=row.manufacturer,
            model=row.model,
            status=AssetStatus(row.status),
            criticality=row.criticality,
            installed_at=row.installed_at,
            _location_remote_id=row.location_remote_id,
            _parent_remote_id=row.parent_remote_id,
        )


@strawberry.type
class ProductionOrder(Record):
    number: str
    item_remote_id: str | None
    quantity_planned: Decimal
    quantity_completed: Decimal | None
    unit_of_measure: str | None
    status: ProductionOrderStatus
    remote_status: str | None
    planned_start_at: datetime | None
    planned_end_at: datetime | None
    actual_start_at: datetime | None
    actual_end_at: datetime | None
    _location_remote_id: strawberry.Private[str | None]
    _pk: strawberry.Private[int]
    _connection_id: strawberry.Private[int]

    @strawberry.field
    def item(self, info: strawberry.Info[Context, Any]) -> InventoryItem | None:
        return cast(
            "InventoryItem | None",
            _one(
                info,
                E.INVENTORY_ITEM,
                self._connection_id,
                self.item_remote_id,
                InventoryItem.from_row,
            ),
        )

    @strawberry.field
    def location(self, info: strawberry.Info[Context, Any]) -> Location | None:
        return cast(
            "Location | None",
            _one(
                info, E.LOCATION, self._connection_id, self._location_remote_id, Location.from_row
            ),
        )

    @classmethod
    def from_row(cls, row: Row[Any]) -> ProductionOrder:
        return cls(
            **_record_fields("ProductionOrder", row),
            number=row.number,
            item_remote_id=row.item_remote_id,
            quantity_planned=row.quantity_planned,
            quantity_completed=row.quantity_completed,
            unit_of_measure=row.unit_of_measure,
            status=ProductionOrderStatus(row.status),
            remote_status=row.remote_status,
            planned_start_at=row.planned_start_at,
            planned_end_at=row.planned_end_at,
            actual_start_at=row.actual_start_at,
            actual_end_at=row.actual_end_at,
            _location_remote_id=row.location_remote_id,
        )


@strawberry.type(name="PurchaseOrderConnection")
class PurchaseOrderConnection(Page[PurchaseOrder]):
    pass


@strawberry.type(name="AssetConnection")
class AssetConnection(Page[Asset]):
    pass


@strawberry.type(name="InventoryItemConnection")
class InventoryItemConnection(Page[InventoryItem]):
    pass


@strawberry.type(name="StockLevelConnection")
class StockLevelConnection(Page[StockLevel]):
    pass


@strawberry.type(name="VendorConnection")
class VendorConnection(Page[Vendor]):
    pass


@strawberry.type(name="LocationConnection")
class LocationConnection(Page[Location]):
    pass


@strawberry.type(name="ProductionOrderConnection")
class ProductionOrderConnection(Page[ProductionOrder]):
    pass


# per entity: the GraphQL type name, the type, its page type
RECORD_TYPES: dict[models.EntityType, tuple[str, Any, Any]] = {
    E.PURCHASE_ORDER: ("PurchaseOrder", PurchaseOrder, PurchaseOrderConnection),
    E.WORK_ORDER: ("WorkOrder", WorkOrder, WorkOrderConnection),
    E.ASSET: ("Asset", Asset, AssetConnection),
    E.INVENTORY_ITEM: ("InventoryItem", InventoryItem, InventoryItemConnection),
    E.STOCK_LEVEL: ("StockLevel", StockLevel, StockLevelConnection),
    E.VENDOR: ("Vendor", Vendor, VendorConnection),
    E.LOCATION: ("Location", Location, LocationConnection),
    E.PRODUCTION_ORDER: ("ProductionOrder", ProductionOrder, ProductionOrderConnection),
}
ENTITY_BY_TYPE_NAME = {name: entity for entity, (name, _, _) in RECORD_TYPES.items()}

__all__ = [
    "ENTITY_BY_TYPE_NAME",
    "RECORD_TYPES",
    "Asset",
    "AssetConnection",
    "InventoryItem",
    "InventoryItemConnection",
    "Location",
    "LocationConnection",
    "ProductionOrder",
    "ProductionOrderConnection",
    "PurchaseOrder",
    "PurchaseOrderConnection",
    "PurchaseOrderLine",
    "StockLevel",
    "StockLevelConnection",
    "Vendor",
    "VendorConnection",
    "WorkOrder",
    "WorkOrderConnection",
]
