"""The eight unified entities: what every connector maps its system's payloads to.

Frozen value objects with no framework in them. References to other records are by the
system's own id (``*_remote_id``); the store resolves them to records of the same connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ironbridge.models.enums import (
    AssetStatus,
    EntityType,
    InventoryItemType,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime
    from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What every synced record has, as the system says it."""

    remote_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    remote_data: Mapping[str, Any] | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.PURCHASE_ORDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseOrderLine:
    line_number: str
    quantity: Decimal
    item_remote_id: str | None = None
    description: str | None = None
    quantity_received: Decimal | None = None
    unit_of_measure: str | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    expected_delivery_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseOrder(Record):
    number: str
    status: PurchaseOrderStatus
    remote_status: str | None = None
    vendor_remote_id: str | None = None
    order_date: date | None = None
    expected_delivery_date: date | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    description: str | None = None
    ship_to_remote_id: str | None = None
    lines: tuple[PurchaseOrderLine, ...] = ()

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.PURCHASE_ORDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrder(Record):
    number: str
    title: str
    status: WorkOrderStatus
    description: str | None = None
    remote_status: str | None = None
    priority: WorkOrderPriority | None = None
    type: WorkOrderType | None = None
    asset_remote_id: str | None = None
    location_remote_id: str | None = None
    assignee: str | None = None
    due_at: datetime | None = None
    scheduled_start_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    estimated_hours: Decimal | None = None
    actual_hours: Decimal | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.WORK_ORDER)


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset(Record):
    name: str
    status: AssetStatus
    tag: str | None = None
    description: str | None = None
    serial_number: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    criticality: str | None = None
    location_remote_id: str | None = None
    parent_remote_id: str | None = None
    installed_at: date | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.ASSET)


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryItem(Record):
    number: str
    name: str
    description: str | None = None
    type: InventoryItemType | None = None
    unit_of_measure: str | None = None
    unit_cost: Decimal | None = None
    currency: str | None = None
    active: bool = True

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.INVENTORY_ITEM)


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLevel(Record):
    quantity_on_hand: Decimal
    item_remote_id: str | None = None
    location_remote_id: str | None = None
    quantity_available: Decimal | None = None
    quantity_reserved: Decimal | None = None
    quantity_on_order: Decimal | None = None
    reorder_point: Decimal | None = None
    unit_of_measure: str | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.STOCK_LEVEL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vendor(Record):
    name: str
    status: VendorStatus
    code: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    currency: str | None = None
    tax_id: str | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.VENDOR)


@dataclass(frozen=True, slots=True, kw_only=True)
class Location(Record):
    name: str
    code: str | None = None
    type: LocationType | None = None
    parent_remote_id: str | None = None
    address: Address | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.LOCATION)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductionOrder(Record):
    number: str
    quantity_planned: Decimal
    status: ProductionOrderStatus
    item_remote_id: str | None = None
    quantity_completed: Decimal | None = None
    unit_of_measure: str | None = None
    remote_status: str | None = None
    planned_start_at: datetime | None = None
    planned_end_at: datetime | None = None
    actual_start_at: datetime | None = None
    actual_end_at: datetime | None = None
    location_remote_id: str | None = None

    entity_type: EntityType = field(init=False, repr=False, default=EntityType.PRODUCTION_ORDER)


ENTITY_CLASSES: Mapping[EntityType, type[Record]] = {
    EntityType.PURCHASE_ORDER: PurchaseOrder,
    EntityType.WORK_ORDER: WorkOrder,
    EntityType.ASSET: Asset,
    EntityType.INVENTORY_ITEM: InventoryItem,
    EntityType.STOCK_LEVEL: StockLevel,
    EntityType.VENDOR: Vendor,
    EntityType.LOCATION: Location,
    EntityType.PRODUCTION_ORDER: ProductionOrder,
}
