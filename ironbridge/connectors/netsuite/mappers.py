"""Pure mappers from NetSuite REST records (and SuiteQL rows) to the unified model.

Each takes a payload as the record API returns it with ``expandSubResources=true`` and a
``MapContext`` (the account's currency codes); a payload that cannot be mapped raises
``RecordMappingError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.models import (
    Address,
    EntityType,
    InventoryItem,
    Location,
    LocationType,
    ProductionOrder,
    ProductionOrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    Vendor,
    VendorStatus,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ironbridge.models import Record

__all__ = [
    "LOCATION_TYPES",
    "MAPPERS",
    "PO_STATUS",
    "WO_STATUS",
    "MapContext",
    "map_inventory_item",
    "map_location",
    "map_production_order",
    "map_purchase_order",
    "map_stock_level",
    "map_vendor",
    "stock_id",
]

PO = PurchaseOrderStatus
WO = ProductionOrderStatus

# orderStatus letters of a purchase order (saved searches say ``PurchOrd:B``)
PO_STATUS: Mapping[str, PurchaseOrderStatus] = {
    "A": PO.PENDING_APPROVAL,  # Pending Supervisor Approval
    "B": PO.APPROVED,  # Pending Receipt
    "C": PO.CANCELLED,  # Rejected by Supervisor
    "D": PO.PARTIALLY_RECEIVED,  # Partially Received
    "E": PO.PARTIALLY_RECEIVED,  # Pending Billing/Partially Received
    "F": PO.RECEIVED,  # Pending Bill
    "G": PO.CLOSED,  # Fully Billed
    "H": PO.CLOSED,  # Closed (CANCELLED when nothing was received)
    "P": PO.DRAFT,  # Planned
}
# orderStatus letters of a manufacturing work order (``WorkOrd:D``)
WO_STATUS: Mapping[str, ProductionOrderStatus] = {
    "A": WO.PLANNED,  # Planned
    "B": WO.RELEASED,  # Released
    "C": WO.CANCELLED,  # Cancelled
    "D": WO.IN_PROGRESS,  # In Process
    "G": WO.COMPLETED,  # Built
    "H": WO.CLOSED,  # Closed
}
LOCATION_TYPES: Mapping[str, LocationType] = {"1": LocationType.OTHER, "2": LocationType.WAREHOUSE}
_CUSTOM_PREFIXES = ("custbody_", "custentity_", "custitem_", "custrecord_")


@dataclass(frozen=True, slots=True, kw_only=True)
class MapContext:
    """Account data the mappers need: currency internal id → ISO code."""

    currencies: Mapping[str, str] = field(default_factory=dict)


class _Reader:
    """Typed access to one payload; every failure names the record and the field."""

    def __init__(self, entity: EntityType, payload: Any, *, key: str = "id") -> None:
        if not isinstance(payload, Mapping):
            raise RecordMappingError(
                entity.value, None, "payload is not an object", payload=payload
            )
        self.entity = entity
        self.payload = payload
        raw_id = payload.get(key)
        self.remote_id = str(raw_id) if isinstance(raw_id, str | int) and raw_id != "" else None
        if self.remote_id is None:
            raise self.error(f"{key} is missing")

    def error(self, detail: str) -> RecordMappingError:
        return RecordMappingError(self.entity.value, self.remote_id, detail, payload=self.payload)

    def text(self, key: str, source: Mapping[str, Any] | None = None) -> str | None:
        value = (self.payload if source is None else source).get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(f"{key} is not text: {value!r}")
        return str(value)

    def required(self, key: str, source: Mapping[str, Any] | None = None) -> str:
        value = self.text(key, source)
        if value is None:
            raise self.error(f"{key} is missing")
        return value

    def ref(self, key: str, source: Mapping[str, Any] | None = None) -> str | None:
        value = (self.payload if source is None else source).get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping) or value.get("id") in (None, ""):
            raise self.error(f"{key} is not a reference: {value!r}")
        return str(value["id"])

    def ref_name(self, key: str, source: Mapping[str, Any] | None = None) -> str | None:
        value = (self.payload if source is None else source).get(key)
        name = value.get("refName") if isinstance(value, Mapping) else None
        return str(name) if isinstance(name, str | int) and name != "" else None

    def decimal(self, key: str, source: Mapping[str, Any] | None = None) -> Decimal | None:
        value = (self.payload if source is None else source).get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(f"{key} is not a number: {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(f"{key} is not a number: {value!r}") from None
        if not number.is_finite():
            raise self.error(f"{key} is not a finite number: {value!r}")
        return number

    def day(self, key: str, source: Mapping[str, Any] | None = None) -> date | None:
        value = (self.payload if source is None else source).get(key)
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value)[:10]) if isinstance(value, str) else None
        except ValueError:
            raise self.error(f"{key} is not a date: {value!r}") from None

    def instant(self, key: str) -> datetime | None:
        value = self.payload.get(key)
        if value is None or value == "":
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise self.error(f"{key} is not a date and time: {value!r}")
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def flag(self, key: str) -> bool:
        value = self.payload.get(key, False)
        if not isinstance(value, bool):
            raise self.error(f"{key} is not a boolean: {value!r}")
        return value

    def sublist(self, key: str) -> list[Mapping[str, Any]]:
        value = self.payload.get(key)
        if value is None:
            return []
        items = value.get("items") if isinstance(value, Mapping) else None
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise self.error(f"{key} is not an expanded sublist (fetch with expandSubResources)")
        return items

    def custom_fields(self, source: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            k: _plain(v)
            for k, v in (self.payload if source is None else source).items()
            if k.startswith(_CUSTOM_PREFIXES) and v is not None
        }


def _plain(value: Any) -> Any:
    """A custom field value without the API's ``links``."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if k != "links"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _address(reader: _Reader, value: Any) -> Address | None:
    if not isinstance(value, Mapping):
        return None
    return Address(
        line1=reader.text("addr1", value),
        line2=reader.text("addr2", value),
        city=reader.text("city", value),
        region=reader.text("state", value),
        postal_code=reader.text("zip", value),
        country=reader.ref("country", value),
    )


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def map_purchase_order(payload: Any, context: MapContext) -> PurchaseOrder:
    r = _Reader(EntityType.PURCHASE_ORDER, payload)
    letter = r.ref("orderStatus")
    if letter is None or letter not in PO_STATUS:
        raise r.error(f"unknown orderStatus {letter!r}")
    lines: list[PurchaseOrderLine] = []
    line_fields: dict[str, Any] = {}
    for line in r.sublist("item"):
        number = r.required("line", line)
        quantity = r.decimal("quantity", line)
        if quantity is None:
            raise r.error(f"line {number}: quantity is missing")
        lines.append(
            PurchaseOrderLine(
                line_number=number,
                quantity=quantity,
                item_remote_id=r.ref("item", line),
                description=r.text("description", line) or r.ref_name("item", line),
                quantity_received=r.decimal("quantityReceived", line),
                unit_of_measure=r.ref_name("units", line),
                unit_price=r.decimal("rate", line),
                amount=r.decimal("amount", line),
                expected_delivery_date=r.day("expectedReceiptDate", line),
            )
        )
        if custom := {k: _plain(v) for k, v in line.items() if k.startswith("custcol_")}:
            line_fields[number] = custom
    status = PO_STATUS[letter]
    if letter == "H" and not any(line.quantity_received for line in lines):
        status = PO.CANCELLED  # closed before anything arrived
    custom_fields = r.custom_fields()
    if line_fields:
        custom_fields["lines"] = line_fields
    currency = r.ref("currency")
    return PurchaseOrder(
        remote_id=r.remote_id or "",
        created_at=r.instant("createdDate"),
        updated_at=r.instant("lastModifiedDate"),
        custom_fields=custom_fields,
        remote_data=payload,
        number=r.required("tranId"),
        status=status,
        remote_status=letter,
        vendor_remote_id=r.ref("entity"),
        order_date=r.day("tranDate"),
        expected_delivery_date=r.day("dueDate"),
        currency=context.currencies.get(currency) if currency else None,
        total_amount=r.decimal("total"),
        description=r.text("memo"),
        ship_to_remote_id=r.ref("location"),
        lines=tuple(lines),
    )


def map_production_order(payload: Any, context: MapContext) -> ProductionOrder:
    r = _Reader(EntityType.PRODUCTION_ORDER, payload)
    letter = r.ref("orderStatus")
    if letter is None or letter not in WO_STATUS:
        raise r.error(f"unknown orderStatus {letter!r}")
    quantity = r.decimal("quantity")
    if quantity is None:
        raise r.error("quantity is missing")
    return ProductionOrder(
        remote_id=r.remote_id or "",
        created_at=r.instant("createdDate"),
        updated_at=r.instant("lastModifiedDate"),
        custom_fields=r.custom_fields(),
        remote_data=payload,
        number=r.required("tranId"),
        quantity_planned=quantity,
        status=WO_STATUS[letter],
        item_remote_id=r.ref("assemblyItem"),
        quantity_completed=r.decimal("built"),
        unit_of_measure=r.ref_name("units"),
        remote_status=letter,
        planned_start_at=_start_of(r.day("startDate")),
        planned_end_at=_start_of(r.day("endDate")),
        location_remote_id=r.ref("location"),
    )


def map_vendor(payload: Any, context: MapContext) -> Vendor:
    r = _Reader(EntityType.VENDOR, payload)
    addresses = r.sublist("addressBook")
    main = next((a for a in addresses if a.get("defaultBilling") is True), None)
    main = main or (addresses[0] if addresses else None)
    currency = r.ref("currency")
    return Vendor(
        remote_id=r.remote_id or "",
        created_at=r.instant("dateCreated"),
        updated_at=r.instant("lastModifiedDate"),
        custom_fields=r.custom_fields(),
        remote_data=payload,
        name=r.text("companyName") or r.required("entityId"),
        status=VendorStatus.INACTIVE if r.flag("isInactive") else VendorStatus.ACTIVE,
        code=r.text("entityId"),
        email=r.text("email"),
        phone=r.text("phone"),
        address=_address(r, main.get("addressBookAddress")) if main else None,
        currency=context.currencies.get(currency) if currency else None,
        tax_id=r.text("taxIdNum"),
    )


def map_inventory_item(payload: Any, context: MapContext) -> InventoryItem:
    r = _Reader(EntityType.INVENTORY_ITEM, payload)
    number = r.required("itemId")
    return InventoryItem(
        remote_id=r.remote_id or "",
        created_at=r.instant("createdDate"),
        updated_at=r.instant("lastModifiedDate"),
        custom_fields=r.custom_fields(),
        remote_data=payload,
        number=number,
        name=r.text("displayName") or number,
        description=r.text("purchaseDescription"),
        unit_of_measure=r.ref_name("stockUnit"),
        unit_cost=r.decimal("cost"),
        active=not r.flag("isInactive"),
    )


def map_location(payload: Any, context: MapContext) -> Location:
    r = _Reader(EntityType.LOCATION, payload)
    kind = r.ref("locationType")
    return Location(
        remote_id=r.remote_id or "",
        updated_at=r.instant("lastModifiedDate"),
        custom_fields=r.custom_fields(),
        remote_data=payload,
        name=r.required("name"),
        type=LOCATION_TYPES.get(kind) if kind else None,
        parent_remote_id=r.ref("parent"),
        address=_address(r, payload.get("mainAddress")),
    )


def stock_id(item: str, location: str) -> str:
    """The unified remote id of a stock row: ``"<item id>:<location id>"``."""
    return f"{item}:{location}"


def map_stock_level(row: Any, context: MapContext) -> StockLevel:
    """A row of SuiteQL ``inventoryitemlocations`` (values are strings)."""
    if not isinstance(row, Mapping):
        raise RecordMappingError(EntityType.STOCK_LEVEL.value, None, "row is not an object")
    item, location = row.get("item"), row.get("location")
    if not isinstance(item, str) or not isinstance(location, str):
        raise RecordMappingError(
            EntityType.STOCK_LEVEL.value, None, "item or location is missing", payload=row
        )
    r = _Reader(EntityType.STOCK_LEVEL, {"id": stock_id(item, location), **row})
    on_hand = r.decimal("quantityonhand")
    return StockLevel(
        remote_id=r.remote_id or "",
        remote_data=row,
        quantity_on_hand=on_hand if on_hand is not None else Decimal(0),
        item_remote_id=item,
        location_remote_id=location,
        quantity_available=r.decimal("quantityavailable"),
        quantity_reserved=r.decimal("quantitycommitted"),
        quantity_on_order=r.decimal("quantityonorder"),
        reorder_point=r.decimal("reorderpoint"),
    )


MAPPERS: Mapping[EntityType, Callable[[Any, MapContext], Record]] = {
    EntityType.PURCHASE_ORDER: map_purchase_order,
    EntityType.PRODUCTION_ORDER: map_production_order,
    EntityType.VENDOR: map_vendor,
    EntityType.INVENTORY_ITEM: map_inventory_item,
    EntityType.LOCATION: map_location,
    EntityType.STOCK_LEVEL: map_stock_level,
}
