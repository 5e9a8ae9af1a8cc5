"""Pure mappers from System-Link domain entities (property path → text) to the unified model.

Purchase orders carry their ``com.mapics.pm.PoItem`` entities under ``"items"``. Change stamps
are the system's local time; ``offset`` is its ``systemTimeZoneOffset``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.infor_xa.status import (
    ITEM_TYPE,
    MO_STATUS,
    VENDOR_STATUS,
    po_status,
)
from ironbridge.models import (
    Address,
    EntityType,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Vendor,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CUSTOM_PREFIX",
    "map_inventory_item",
    "map_location",
    "map_production_order",
    "map_purchase_order",
    "map_stock_level",
    "map_vendor",
    "parse_offset",
    "parse_stamp",
    "parse_ymd",
    "stamp_literal",
]

Raw = "Mapping[str, Any]"
CUSTOM_PREFIX = "userField"
_STAMP = "%Y-%m-%d-%H.%M.%S.%f"
# the same layout, read without strptime (a sync reads several of these per record)
_STAMP_PARTS = re.compile(r"(\d{4})-(\d\d)-(\d\d)-(\d\d)\.(\d\d)\.(\d\d)(?:\.(\d{1,6}))?")


def parse_offset(text: str | None) -> timedelta:
    """``systemTimeZoneOffset`` (``-5:00``) as a timedelta; zero when absent or unreadable."""
    if not text:
        return timedelta(0)
    sign = -1 if text.strip().startswith("-") else 1
    hours, _, minutes = text.strip().lstrip("+-").partition(":")
    try:
        return sign * timedelta(hours=int(hours), minutes=int(minutes or 0))
    except ValueError:
        return timedelta(0)


def parse_stamp(value: str | None, offset: timedelta) -> datetime | None:
    """A DB2 timestamp (``2025-06-01-12.00.00.000000``) in system time, as a UTC instant."""
    if not value:
        return None
    found = _STAMP_PARTS.fullmatch(value.strip())
    if found is None:
        raise ValueError(f"time data {value!r} does not match format {_STAMP!r}")
    *parts, fraction = found.groups()
    year, month, day, hour, minute, second = map(int, parts)
    micro = int((fraction or "0").ljust(6, "0"))
    local = datetime(year, month, day, hour, minute, second, micro)  # ValueError: out of range
    return (local - offset).replace(tzinfo=UTC)


def parse_ymd(value: str) -> date:
    """A ``yyyymmdd`` number as a date; ValueError when it is not one."""
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"not a yyyymmdd date: {value!r}")
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def stamp_literal(instant: datetime, offset: timedelta) -> str:
    return (instant.astimezone(UTC) + offset).strftime(_STAMP)


class _Fields:
    """One entity's properties, read with the entity and id in every error."""

    def __init__(self, entity: EntityType, raw: Mapping[str, Any], remote_id: str | None) -> None:
        self.entity, self.raw, self.remote_id = entity, raw, remote_id

    def fail(self, detail: str) -> RecordMappingError:
        return RecordMappingError(self.entity.value, self.remote_id, detail, payload=dict(self.raw))

    def text(self, path: str) -> str | None:
        value = self.raw.get(path)
        return None if value is None or not str(value).strip() else str(value).strip()

    def required(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise self.fail(f"{path} is missing")
        return value

    def decimal(self, path: str) -> Decimal | None:
        value = self.text(path)
        try:
            return None if value is None else Decimal(value)
        except InvalidOperation:
            raise self.fail(f"{path} is not a number: {value!r}") from None

    def day(self, path: str) -> date | None:
        """A ``yyyymmdd`` date; 0 or blank is no date."""
        value = self.text(path)
        if value is None or value.strip("0") == "":
            return None
        try:
            return parse_ymd(value)
        except ValueError:
            raise self.fail(f"{path} is not a yyyymmdd date: {value!r}") from None

    def stamp(self, offset: timedelta) -> datetime | None:
        try:
            return parse_stamp(self.text("lastChangeTimestamp"), offset)
        except ValueError:
            raise self.fail("lastChangeTimestamp is not a timestamp") from None

    def custom(self) -> dict[str, str]:
        return {
            k: str(v).strip()
            for k, v in self.raw.items()
            if k.startswith(CUSTOM_PREFIX) and v is not None and str(v).strip()
        }


def _raw(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "items"} | (
        {"items": [dict(i) for i in raw["items"]]} if "items" in raw else {}
    )


def map_purchase_order(raw: Mapping[str, Any], *, offset: timedelta) -> PurchaseOrder:
    f = _Fields(EntityType.PURCHASE_ORDER, raw, raw.get("order"))
    number = f.required("order")
    order_status, approval = f.text("orderStatus"), f.text("approvalStatus")
    status = po_status(order_status, approval)
    if status is None:
        raise f.fail(f"unknown status orderStatus={order_status!r} approvalStatus={approval!r}")
    lines = []
    total = Decimal(0)
    for item in raw.get("items") or ():
        line = _Fields(EntityType.PURCHASE_ORDER, item, number)
        quantity = line.decimal("orderQuantityRequested")
        if quantity is None:
            raise f.fail(f"item {item.get('line')}: orderQuantityRequested is missing")
        price = line.decimal("unitPriceRequested")
        amount = None if price is None else (quantity * price).quantize(Decimal("0.01"))
        total += amount or 0
        lines.append(
            PurchaseOrderLine(
                line_number=line.required("line"),
                quantity=quantity,
                item_remote_id=line.text("item"),
                description=line.text("itemDescription"),
                quantity_received=line.decimal("quantityReceived"),
                unit_of_measure=line.text("orderUm"),
                unit_price=price,
                amount=amount,
                expected_delivery_date=line.day("dueToDockDate"),
            )
        )
    created = f.day("orderCreatedDate")
    return PurchaseOrder(
        remote_id=number,
        number=number,
        status=status,
        remote_status=f"{order_status}/{approval}",
        vendor_remote_id=f.text("vendor"),
        order_date=created,
        expected_delivery_date=f.day("requestedDeliveryDate"),
        currency=f.text("currency"),
        total_amount=total if lines else None,
        description=f.text("description"),
        ship_to_remote_id=f.text("warehouse"),
        lines=tuple(sorted(lines, key=lambda x: int(x.line_number) if x.line_number.isdigit()
                           else 0)),
        created_at=None if created is None else datetime(
            created.year, created.month, created.day, tzinfo=UTC),
        updated_at=f.stamp(offset),
        custom_fields=f.custom(),
        remote_data=_raw(raw),
    )  # fmt: skip


def map_vendor(raw: Mapping[str, Any], *, offset: timedelta) -> Vendor:
    f = _Fields(EntityType.VENDOR, raw, raw.get("vendor"))
    code = f.required("vendor")
    status = VENDOR_STATUS.get(f.text("vendorStatus") or "")
    if status is None:
        raise f.fail(f"unknown vendorStatus {f.text('vendorStatus')!r}")
    return Vendor(
        remote_id=code,
        code=code,
        name=f.text("name") or code,
        status=status,
        phone=f.text("phone"),
        currency=f.text("currency"),
        address=Address(
            line1=f.text("address1"),
            city=f.text("address4City"),
            postal_code=f.text("postalCode"),
            country=f.text("country"),
        ),
        updated_at=f.stamp(offset),
        custom_fields=f.custom(),
        remote_data=dict(raw),
    )


def map_inventory_item(raw: Mapping[str, Any], *, offset: timedelta) -> InventoryItem:
    f = _Fields(EntityType.INVENTORY_ITEM, raw, raw.get("item"))
    number = f.required("item")
    return InventoryItem(
        remote_id=number,
        number=number,
        name=f.text("itemDescription") or number,
        type=ITEM_TYPE.get(f.text("itemType") or "", InventoryItemType.OTHER),
        unit_of_measure=f.text("stockingUm"),
        unit_cost=f.decimal("unitCost"),
        currency=f.text("currency"),
        active=f.text("itemStatus") != "I",
        updated_at=f.stamp(offset),
        custom_fields=f.custom(),
        remote_data=dict(raw),
    )


def map_stock_level(raw: Mapping[str, Any], *, offset: timedelta) -> StockLevel:
    item, warehouse = raw.get("item"), raw.get("warehouse")
    f = _Fields(EntityType.STOCK_LEVEL, raw, f"{item}/{warehouse}")
    on_hand = f.decimal("onHandQuantity")
    if on_hand is None:
        raise f.fail("onHandQuantity is missing")
    allocated = f.decimal("allocatedQuantity")
    return StockLevel(
        remote_id=f"{f.required('item')}/{f.required('warehouse')}",
        item_remote_id=item,
        location_remote_id=warehouse,
        quantity_on_hand=on_hand,
        quantity_reserved=allocated,
        quantity_available=on_hand - (allocated or 0),
        quantity_on_order=f.decimal("onOrderQuantity"),
        reorder_point=f.decimal("reorderPoint"),
        unit_of_measure=f.text("stockingUm"),
        remote_data=dict(raw),
    )


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def map_production_order(raw: Mapping[str, Any], *, offset: timedelta) -> ProductionOrder:
    f = _Fields(EntityType.PRODUCTION_ORDER, raw, raw.get("order"))
    number = f.required("order")
    code = f.text("orderStatus")
    status = MO_STATUS.get(code or "")
    if status is None:
        raise f.fail(f"unknown orderStatus {code!r}")
    quantity = f.decimal("totalOrderQuantity")
    if quantity is None:
        raise f.fail("totalOrderQuantity is missing")
    return ProductionOrder(
        remote_id=number,
        number=number,
        quantity_planned=quantity,
        quantity_completed=f.decimal("quantityCompleted"),
        status=status,
        remote_status=code,
        item_remote_id=f.text("item"),
        location_remote_id=f.text("warehouse"),
        planned_start_at=_start_of(f.day("startDate")),
        planned_end_at=_start_of(f.day("dueDate")),
        actual_start_at=_start_of(f.day("actualStartDate")),
        actual_end_at=_start_of(f.day("actualCompletionDate")),
        updated_at=f.stamp(offset),
        remote_data=dict(raw),
    )


def map_location(raw: Mapping[str, Any], *, offset: timedelta) -> Location:
    f = _Fields(EntityType.LOCATION, raw, raw.get("warehouse"))
    code = f.required("warehouse")
    return Location(
        remote_id=code,
        code=code,
        name=f.text("description") or code,
        type=LocationType.WAREHOUSE,
        address=Address(city=f.text("address4City"), country=f.text("country")),
        updated_at=f.stamp(offset),
        remote_data=dict(raw),
    )
