"""Pure mappers from SAP payloads (OData V2 or V4, as sent) to the unified model; a payload
that cannot be mapped raises ``RecordMappingError`` naming the property at fault."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.sap.status import (
    MAINTENANCE_ORDER_TYPES,
    MAINTENANCE_PRIORITIES,
    PRODUCT_TYPES,
    PoFacts,
    production_order_status,
    purchase_order_status,
    vendor_status,
    work_order_status,
)
from ironbridge.connectors.sap.values import (
    flag,
    parse_date,
    parse_decimal,
    parse_instant,
    parse_packed,
)
from ironbridge.models import (
    Asset,
    AssetStatus,
    EntityType,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    Record,
    StockLevel,
    Vendor,
    WorkOrder,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "CUSTOM_FIELD_PREFIXES",
    "ITEM_NAVIGATIONS",
    "MAPPERS",
    "SCHEDULE_LINE_NAVIGATIONS",
    "STOCK_KEYS",
    "children",
    "custom_fields",
    "etag_in",
    "etag_of",
    "map_asset",
    "map_inventory_item",
    "map_location",
    "map_production_order",
    "map_purchase_order",
    "map_stock_level",
    "map_vendor",
    "map_work_order",
    "remote_data",
]

R = TypeVar("R", bound=Record)

# SAP's extension fields: key-user (YY1_) and developer (ZZ1_) extensibility
CUSTOM_FIELD_PREFIXES = ("YY1_", "ZZ1_")
_PREFIXES = frozenset(CUSTOM_FIELD_PREFIXES)
# navigation property names: V4 first, then V2
ITEM_NAVIGATIONS = ("_PurchaseOrderItem", "to_PurchaseOrderItem")
SCHEDULE_LINE_NAVIGATIONS = ("_PurchaseOrderScheduleLine", "to_ScheduleLine")
DESCRIPTION_NAVIGATIONS = ("_ProductDescription", "to_Description")
STOCK_KEYS = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
)
UNRESTRICTED_STOCK = frozenset({"01", ""})
_MAPPING_ERRORS = (ValueError, TypeError, KeyError, ArithmeticError)


# -- raw payload helpers --------------------------------------------------------------------


def _clean(entity: dict[str, Any]) -> dict[str, Any]:
    """A copy without ``__metadata`` and deferred links, at any depth (only containers are
    walked: a 100k-record sync maps every payload)."""
    out: dict[str, Any] = {}
    for key, value in entity.items():
        if key == "__metadata":
            continue
        kind = type(value)
        if kind is dict:
            if "__deferred" in value:
                continue
            value = _clean(value)
        elif kind is list:
            value = [_clean(v) if type(v) is dict else v for v in value]
        out[key] = value
    return out


def remote_data(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as SAP sent it, minus ``__metadata`` (but its ``etag``), deferred navigation
    links and the response-level ``@odata.context``."""
    data = _clean(dict(raw))
    data.pop("@odata.context", None)
    metadata = raw.get("__metadata")
    tag = metadata.get("etag") if isinstance(metadata, dict) else None
    if isinstance(tag, str) and tag:
        data = {"__metadata": {"etag": tag}, **data}
    return data


def etag_of(record: Record) -> str | None:
    """The ETag SAP sent with a record: V4 ``@odata.etag`` or V2 ``__metadata.etag``."""
    return etag_in(record.remote_data)


def etag_in(remote_data: Mapping[str, Any] | None) -> str | None:
    """The ETag kept in a record's raw payload, if SAP sent one."""
    data = remote_data or {}
    tag = data.get("@odata.etag")
    if tag is None and isinstance(meta := data.get("__metadata"), dict):
        tag = meta.get("etag")
    return tag if isinstance(tag, str) and tag else None


def custom_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The extension fields that hold a value."""
    return {k: v for k, v in raw.items() if k[:4] in _PREFIXES and v is not None and v != ""}


def children(raw: Mapping[str, Any], names: Sequence[str]) -> list[Mapping[str, Any]]:
    """The expanded entities of the first navigation property present (V4 list or V2
    ``{"results": [...]}``); none when it is absent or deferred."""
    for name in names:
        value = raw.get(name)
        if isinstance(value, dict):
            value = value.get("results")
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
    return []


class _Reader:
    """Typed access to one payload's properties; a bad value names its property."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def _parse(self, name: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(self.raw.get(name))
        except _MAPPING_ERRORS as exc:
            raise ValueError(f"{name}: {exc}") from exc

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{name}: not a string: {value!r}")
        return str(value)

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise ValueError(f"{name}: missing")
        return value

    def code(self, name: str) -> str:
        """A code where blank is meaningful (deletion codes, stock types)."""
        return self.text(name) or ""

    def decimal(self, name: str) -> Decimal | None:
        value: Decimal | None = self._parse(name, parse_decimal)
        return value

    def quantity(self, name: str) -> Decimal:
        value = self.decimal(name)
        if value is None:
            raise ValueError(f"{name}: missing")
        return value

    def date(self, name: str) -> date | None:
        value: date | None = self._parse(name, parse_date)
        return value

    def midnight(self, name: str) -> datetime | None:
        """A date property as an instant: midnight UTC of that day."""
        day = self.date(name)
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)

    def instant(self, name: str) -> datetime | None:
        value: datetime | None = self._parse(name, parse_instant)
        return value

    def packed(self, name: str) -> datetime | None:
        value: datetime | None = self._parse(name, parse_packed)
        return value

    def flag(self, name: str) -> bool:
        value: bool = self._parse(name, flag)
        return value


def _mapper(
    entity: EntityType, keys: Sequence[str]
) -> Callable[[Callable[[_Reader], R]], Callable[[Mapping[str, Any]], R]]:
    """Turn a mapper of a ``_Reader`` into a mapper of raw payloads that raises
    ``RecordMappingError`` (with the record's id and payload) for any bad value."""

    def decorate(build: Callable[[_Reader], R]) -> Callable[[Mapping[str, Any]], R]:
        @functools.wraps(build)
        def mapped(raw: Mapping[str, Any]) -> R:
            if not isinstance(raw, dict):
                raise RecordMappingError(entity.value, None, "not a JSON object", payload=raw)
            try:
                return build(_Reader(raw))
            except _MAPPING_ERRORS as exc:
                parts = [raw.get(k) for k in keys]
                remote_id = "/".join(str(p) for p in parts) if None not in parts else None
                raise RecordMappingError(entity.value, remote_id, str(exc), payload=raw) from exc

        return mapped

    return decorate


# -- purchase orders ------------------------------------------------------------------------


def _line(item: _Reader) -> PurchaseOrderLine:
    quantity = item.quantity("OrderQuantity")
    price = item.decimal("NetPriceAmount")
    per = item.decimal("NetPriceQuantity")
    per = None if per in (None, 0, 1) else per
    unit_price = price if price is None or per is None else price / per
    amount = (
        None if price is None else (quantity * price if per is None else quantity * price / per)
    )
    deliveries = [
        day
        for line in children(item.raw, SCHEDULE_LINE_NAVIGATIONS)
        if (day := _Reader(line).date("ScheduleLineDeliveryDate")) is not None
    ]
    return PurchaseOrderLine(
        line_number=item.required("PurchaseOrderItem"),
        quantity=quantity,
        item_remote_id=item.text("Material"),
        description=item.text("PurchaseOrderItemText"),
        quantity_received=quantity if item.flag("IsCompletelyDelivered") else None,
        unit_of_measure=item.text("PurchaseOrderQuantityUnit"),
        unit_price=unit_price,
        amount=amount,
        expected_delivery_date=min(deliveries, default=None),
    )


@_mapper(EntityType.PURCHASE_ORDER, ("PurchaseOrder",))
def map_purchase_order(po: _Reader) -> PurchaseOrder:
    """Header, items (with their schedule lines when expanded) → ``PurchaseOrder``. Deleted
    items are left out, except on a deleted order, which keeps all its lines."""
    number = po.required("PurchaseOrder")
    deletion = po.code("PurchasingDocumentDeletionCode")
    items = [_Reader(i) for i in children(po.raw, ITEM_NAVIGATIONS)]
    live = [i for i in items if i.code("PurchasingDocumentDeletionCode") != "L"]
    delivered = [i for i in live if i.flag("IsCompletelyDelivered")]
    status, remote_status = purchase_order_status(
        PoFacts(
            processing_status=po.code("PurchasingProcessingStatus"),
            deletion_code=deletion,
            held=po.flag("PurchasingCompletenessStatus"),
            release_pending=po.flag("ReleaseIsNotCompleted"),
            items=len(live),
            delivered=len(delivered),
            invoiced=sum(1 for i in delivered if i.flag("IsFinallyInvoiced")),
        )
    )
    shown = items if deletion == "L" else live
    lines = tuple(_line(i) for i in shown)
    amounts = [a for line in lines if (a := line.amount) is not None]
    total = sum(amounts, Decimal(0)) if lines and len(amounts) == len(lines) else None
    extensions = custom_fields(po.raw)
    line_extensions = {
        i.required("PurchaseOrderItem"): fields for i in items if (fields := custom_fields(i.raw))
    }
    if line_extensions:
        extensions["lines"] = line_extensions
    return PurchaseOrder(
        remote_id=number,
        number=number,
        status=status,
        remote_status=remote_status,
        vendor_remote_id=po.text("Supplier"),
        order_date=po.date("PurchaseOrderDate"),
        expected_delivery_date=min(
            (d for line in lines if (d := line.expected_delivery_date) is not None), default=None
        ),
        currency=po.text("DocumentCurrency"),
        total_amount=total,
        ship_to_remote_id=shown[0].text("Plant") if shown else None,
        lines=lines,
        created_at=po.midnight("CreationDate"),
        updated_at=po.instant("LastChangeDateTime"),
        custom_fields=extensions,
        remote_data=remote_data(po.raw),
    )


# -- master data ----------------------------------------------------------------------------


@_mapper(EntityType.VENDOR, ("Supplier",))
def map_vendor(supplier: _Reader) -> Vendor:
    code = supplier.required("Supplier")
    return Vendor(
        remote_id=code,
        code=code,
        name=supplier.text("SupplierFullName") or supplier.required("SupplierName"),
        status=vendor_status(supplier.raw),
        tax_id=supplier.text("VATRegistration"),
        created_at=supplier.midnight("CreationDate"),
        custom_fields=custom_fields(supplier.raw),
        remote_data=remote_data(supplier.raw),
    )


def _description(product: _Reader, language: str) -> str | None:
    texts = [_Reader(d) for d in children(product.raw, DESCRIPTION_NAVIGATIONS)]
    preferred = [t for t in texts if t.text("Language") == language] + texts
    return next((text for t in preferred if (text := t.text("ProductDescription"))), None)


@_mapper(EntityType.INVENTORY_ITEM, ("Product",))
def map_inventory_item(product: _Reader) -> InventoryItem:
    """A product (material); its name is the English description when expanded."""
    number = product.required("Product")
    kind = product.text("ProductType")
    return InventoryItem(
        remote_id=number,
        number=number,
        name=_description(product, "EN") or number,
        type=None if kind is None else PRODUCT_TYPES.get(kind, InventoryItemType.OTHER),
        unit_of_measure=product.text("BaseUnit"),
        active=not product.flag("IsMarkedForDeletion"),
        created_at=product.midnight("CreationDate"),
        updated_at=product.instant("LastChangeDateTime") or product.midnight("LastChangeDate"),
        custom_fields=custom_fields(product.raw),
        remote_data=remote_data(product.raw),
    )


@_mapper(EntityType.STOCK_LEVEL, STOCK_KEYS)
def map_stock_level(stock: _Reader) -> StockLevel:
    """One stock row; its id joins the ten key values with ``/``. Only unrestricted-use stock
    (type 01) counts as available."""
    remote_id = "/".join(stock.code(k) for k in STOCK_KEYS)
    quantity = stock.quantity("MatlWrhsStkQtyInMatlBaseUnit")
    unrestricted = stock.code("InventoryStockType") in UNRESTRICTED_STOCK
    return StockLevel(
        remote_id=remote_id,
        quantity_on_hand=quantity,
        quantity_available=quantity if unrestricted else Decimal(0),
        item_remote_id=stock.required("Material"),
        location_remote_id=stock.required("Plant"),
        unit_of_measure=stock.text("MaterialBaseUnit"),
        remote_data=remote_data(stock.raw),
    )


@_mapper(EntityType.LOCATION, ("Plant",))
def map_location(plant: _Reader) -> Location:
    code = plant.required("Plant")
    return Location(
        remote_id=code,
        code=code,
        name=plant.text("PlantName") or code,
        type=LocationType.PLANT,
        custom_fields=custom_fields(plant.raw),
        remote_data=remote_data(plant.raw),
    )


@_mapper(EntityType.ASSET, ("Equipment",))
def map_asset(equipment: _Reader) -> Asset:
    number = equipment.required("Equipment")
    return Asset(
        remote_id=number,
        name=equipment.text("EquipmentName") or number,
        status=AssetStatus.ACTIVE,
        serial_number=equipment.text("SerialNumber"),
        manufacturer=equipment.text("ManufacturerName"),
        model=equipment.text("ManufacturerPartTypeName"),
        location_remote_id=equipment.text("MaintenancePlant"),
        created_at=equipment.midnight("CreationDate"),
        updated_at=equipment.instant("LastChangeDateTime"),
        custom_fields=custom_fields(equipment.raw),
        remote_data=remote_data(equipment.raw),
    )


# -- orders ---------------------------------------------------------------------------------


@_mapper(EntityType.WORK_ORDER, ("MaintenanceOrder",))
def map_work_order(order: _Reader) -> WorkOrder:
    number = order.required("MaintenanceOrder")
    phase = order.text("MaintenanceProcessingPhase")
    priority = order.text("MaintPriority")
    kind = order.text("MaintenanceOrderType")
    return WorkOrder(
        remote_id=number,
        number=number,
        title=order.text("MaintenanceOrderDesc") or f"Maintenance order {number}",
        status=work_order_status(phase),
        remote_status=phase,
        priority=None if priority is None else MAINTENANCE_PRIORITIES.get(priority),
        type=None if kind is None else MAINTENANCE_ORDER_TYPES.get(kind, WorkOrderType.OTHER),
        asset_remote_id=order.text("Equipment"),
        location_remote_id=order.text("MaintenancePlant") or order.text("MaintenancePlanningPlant"),
        scheduled_start_at=order.midnight("MaintOrdBasicStartDate"),
        due_at=order.midnight("MaintOrdBasicEndDate"),
        created_at=order.midnight("CreationDate"),
        updated_at=order.instant("LastChangeDateTime"),
        custom_fields=custom_fields(order.raw),
        remote_data=remote_data(order.raw),
    )


@_mapper(EntityType.PRODUCTION_ORDER, ("ManufacturingOrder",))
def map_production_order(order: _Reader) -> ProductionOrder:
    number = order.required("ManufacturingOrder")
    status, remote_status = production_order_status(order.raw)
    return ProductionOrder(
        remote_id=number,
        number=number,
        quantity_planned=order.quantity("MfgOrderPlannedTotalQty"),
        quantity_completed=order.decimal("MfgOrderConfirmedYieldQty"),
        status=status,
        remote_status=remote_status,
        item_remote_id=order.text("Material"),
        unit_of_measure=order.text("ProductionUnit"),
        planned_start_at=order.midnight("MfgOrderPlannedStartDate"),
        planned_end_at=order.midnight("MfgOrderPlannedEndDate"),
        location_remote_id=order.text("ProductionPlant"),
        created_at=order.midnight("MfgOrderCreationDate"),
        updated_at=order.packed("LastChangeDateTime"),
        custom_fields=custom_fields(order.raw),
        remote_data=remote_data(order.raw),
    )


MAPPERS: Mapping[EntityType, Callable[[Mapping[str, Any]], Record]] = {
    EntityType.PURCHASE_ORDER: map_purchase_order,
    EntityType.VENDOR: map_vendor,
    EntityType.INVENTORY_ITEM: map_inventory_item,
    EntityType.STOCK_LEVEL: map_stock_level,
    EntityType.LOCATION: map_location,
    EntityType.ASSET: map_asset,
    EntityType.WORK_ORDER: map_work_order,
    EntityType.PRODUCTION_ORDER: map_production_order,
}
