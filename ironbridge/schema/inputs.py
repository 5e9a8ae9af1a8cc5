"""Filter and ordering inputs, and their translation into store filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from ironbridge.models import EntityType
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id
from ironbridge.schema.types.enums import (
    AssetStatus,
    ConnectionStatus,
    InventoryItemType,
    LocationType,
    OrderDirection,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    RecordOrderField,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
)
from ironbridge.store import records as record_store

# a value no remote id has: an id filter that names nothing visible matches nothing
_NOTHING = "\x00"


@strawberry.input
class RecordOrder:
    field: RecordOrderField = RecordOrderField.UPDATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="What every record list can be filtered on.")
class RecordFilter:
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    include_deleted: bool | None = False
    remote_ids: list[str] | None = None


@strawberry.input
class PurchaseOrderFilter(RecordFilter):
    status: list[PurchaseOrderStatus] | None = None
    vendor_id: strawberry.ID | None = None
    ship_to_id: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="In number (case-insensitive, part of it)."
    )


@strawberry.input
class WorkOrderFilter(RecordFilter):
    status: list[WorkOrderStatus] | None = None
    priority: list[WorkOrderPriority] | None = None
    asset_id: strawberry.ID | None = None
    location_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class AssetFilter(RecordFilter):
    status: list[AssetStatus] | None = None
    location_id: strawberry.ID | None = None
    parent_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class InventoryItemFilter(RecordFilter):
    type: list[InventoryItemType] | None = None
    active: bool | None = None
    search: str | None = None


@strawberry.input
class StockLevelFilter(RecordFilter):
    item_id: strawberry.ID | None = None
    location_id: strawberry.ID | None = None


@strawberry.input
class VendorFilter(RecordFilter):
    status: list[VendorStatus] | None = None
    search: str | None = None


@strawberry.input
class LocationFilter(RecordFilter):
    type: list[LocationType] | None = None
    parent_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class ProductionOrderFilter(RecordFilter):
    status: list[ProductionOrderStatus] | None = None
    item_id: strawberry.ID | None = None
    location_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class ConnectionFilter:
    status: list[ConnectionStatus] | None = None
    system_key: list[str] | None = None
    search: str | None = None


# input attribute -> (column, entity the id names, its GraphQL type name)
_ID_FILTERS: dict[str, tuple[str, EntityType, str]] = {
    "vendor_id": ("vendor_remote_id", EntityType.VENDOR, "Vendor"),
    "ship_to_id": ("ship_to_remote_id", EntityType.LOCATION, "Location"),
    "asset_id": ("asset_remote_id", EntityType.ASSET, "Asset"),
    "location_id": ("location_remote_id", EntityType.LOCATION, "Location"),
    "parent_id": ("parent_remote_id", EntityType.LOCATION, "Location"),
    "item_id": ("item_remote_id", EntityType.INVENTORY_ITEM, "InventoryItem"),
}
# the parent of an asset is an asset
_PARENT_ENTITY = {EntityType.ASSET: (EntityType.ASSET, "Asset")}
# input attribute -> column, for lists of enum values
_ANY_OF = {"status": "status", "priority": "priority", "type": "type"}


async def _remote_id_of(
    context: Context,
    entity: EntityType,
    type_name: str,
    global_id: str,
    connection_id: int,
    field: str,
) -> str:
    pk = expect_global_id(global_id, type_name, field=field)
    async with context.services.engine.connect() as conn:
        rows = await record_store.get_by_ids(conn, entity, [pk])
    row = rows.get(pk)
    if row is None or row.connection_id != connection_id:
        return _NOTHING
    remote_id: str = row.remote_id
    return remote_id


async def to_record_filter(
    context: Context, entity: EntityType, connection_id: int, flt: Any | None
) -> record_store.RecordFilter:
    if flt is None:
        return record_store.RecordFilter()
    any_of: dict[str, list[str]] = {}
    equals: dict[str, Any] = {}
    for attr, column in _ANY_OF.items():
        values = getattr(flt, attr, None)
        if values is not None:
            any_of[column] = [v.value for v in values]
    for attr, (column, target, type_name) in _ID_FILTERS.items():
        value = getattr(flt, attr, None)
        if value is None:
            continue
        if attr == "parent_id" and entity in _PARENT_ENTITY:
            target, type_name = _PARENT_ENTITY[entity]
        equals[column] = await _remote_id_of(
            context, target, type_name, str(value), connection_id, _camel(attr)
        )
    if getattr(flt, "active", None) is not None:
        equals["active"] = flt.active
    return record_store.RecordFilter(
        updated_after=flt.updated_after,
        updated_before=flt.updated_before,
        include_deleted=bool(flt.include_deleted),
        remote_ids=flt.remote_ids,
        search=getattr(flt, "search", None),
        any_of=any_of,
        equals=equals,
    )


def to_record_order(order: RecordOrder | None) -> record_store.RecordOrder:
    if order is None:
        return record_store.RecordOrder()
    return record_store.RecordOrder(
        field=order.field.value, descending=order.direction is OrderDirection.DESC
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


__all__ = [
    "AssetFilter",
    "ConnectionFilter",
    "InventoryItemFilter",
    "LocationFilter",
    "ProductionOrderFilter",
    "PurchaseOrderFilter",
    "RecordOrder",
    "StockLevelFilter",
    "VendorFilter",
    "WorkOrderFilter",
    "to_record_filter",
    "to_record_order",
]
