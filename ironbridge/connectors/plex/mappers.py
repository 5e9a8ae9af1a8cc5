"""Pure mappers from Plex Connect payloads to the unified model. A payload that cannot be
mapped raises ``RecordMappingError`` (the record is quarantined, the sync goes on)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.plex.status import (
    INACTIVE_PART_STATUSES,
    JOB_STATUSES,
    LOCATION_TYPES,
    PART_TYPES,
    SUPPLIER_STATUSES,
    StatusTable,
    purchase_order_status,
)
from ironbridge.models import (
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
    VendorStatus,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "PURCHASE_ORDER_FIELDS",
    "MapOptions",
    "map_inventory_item",
    "map_location",
    "map_production_order",
    "map_purchase_order",
    "map_purchase_order_line",
    "map_stock_level",
    "map_vendor",
    "parse_instant",
]

# PurchaseOrderDto: anything else on an order is a tenant's custom field
PURCHASE_ORDER_FIELDS = frozenset(
    {
        "id", "poNumber", "status", "type", "active", "receive", "supplierId",
        "supplierAddressId", "currencyCode", "poDate", "dueDate", "scheduledReceiptDate",
        "approvedById", "approvedDate", "terms", "freightTerms", "shipTo", "fob",
        "lineItemCount", "lineItemTotal", "blanketOrder", "consignment", "building",
        "createdById", "createdDate", "modifiedById", "modifiedDate", "lineItems",
    }
)  # fmt: skip
_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$"
)
_AVAILABLE_CONTAINER = frozenset({"ok", "available", "active"})


@dataclass(frozen=True, slots=True, kw_only=True)
class MapOptions:
    """What a connection's options change in the mapping."""

    # purchase order attributes read as custom fields; None: every attribute Plex adds
    custom_fields: tuple[str, ...] | None = None
    # supplier status name (lower case) -> unified status, over SUPPLIER_STATUSES
    supplier_statuses: Mapping[str, VendorStatus] = field(
        default_factory=lambda: MappingProxyType({})
    )


def parse_instant(value: Any) -> datetime | None:
    """A Plex UTC instant (``...Z``, up to seven fractional digits); ValueError otherwise."""
    if value in (None, ""):
        return None
    match = _INSTANT.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a Plex date-time: {value!r}")
    head, fraction, zone = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]
    offset = "+00:00" if zone in (None, "Z") else zone
    try:
        return datetime.fromisoformat(f"{head}.{micro}{offset}").astimezone(UTC)
    except ValueError as exc:
        raise ValueError(f"not a Plex date-time: {value!r} ({exc})") from exc


def _day(value: Any) -> date | None:
    instant = parse_instant(value)
    return None if instant is None else instant.date()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a number: {value!r}")
    return number.quantize(Decimal(1)) if number == number.to_integral() else number


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _required(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = _text(value)
    if text is None:
        raise ValueError(f"{name} is missing")
    return text


def _fail(entity: EntityType, raw: Any, key: str, exc: Exception) -> RecordMappingError:
    remote_id = raw.get(key) if isinstance(raw, dict) else None
    return RecordMappingError(
        entity.value, str(remote_id) if remote_id is not None else None, str(exc), payload=raw
    )


def _mapping(raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("the record is not a JSON object")
    return raw


# -- purchase orders --------------------------------------------------------------------------


def _quantities(line: Mapping[str, Any]) -> tuple[Decimal, Decimal | None, date | None]:
    """Ordered and received quantities over the line's releases, and the earliest due day."""
    releases = line.get("releases")
    if not isinstance(releases, list):
        return Decimal(0), None, None
    ordered, received, due = Decimal(0), Decimal(0), None
    for release in releases:
        release = _mapping(release)
        ordered += _decimal(release.get("quantity")) or Decimal(0)
        received += _decimal(release.get("quantityReceived")) or Decimal(0)
        day = _day(release.get("dueDateTime"))
        due = day if due is None or (day is not None and day < due) else due
    return ordered, received, due


def map_purchase_order_line(raw: Mapping[str, Any]) -> PurchaseOrderLine:
    line = _mapping(raw)
    quantity, received, due = _quantities(line)
    price = _decimal(line.get("unitPrice"))
    return PurchaseOrderLine(
        line_number=_required(line, "lineItemNumber"),
        quantity=quantity,
        item_remote_id=_text(line.get("partId")) or _text(line.get("itemId")),
        description=_text(line.get("description")),
        quantity_received=received,
        unit_of_measure=_text(line.get("orderUnit")) or _text(line.get("unit")),
        unit_price=price,
        amount=None if price is None else (price * quantity).quantize(Decimal("0.01")),
        expected_delivery_date=due,
    )


def _partly_received(lines: Sequence[PurchaseOrderLine], raws: Sequence[Any]) -> bool:
    flagged = any(
        isinstance(r, dict) and r.get("partial") is True
        for line in raws
        if isinstance(line, dict)
        for r in line.get("releases") or []
    )
    received = sum((line.quantity_received or Decimal(0) for line in lines), Decimal(0))
    ordered = sum((line.quantity for line in lines), Decimal(0))
    return flagged or Decimal(0) < received < ordered


def map_purchase_order(
    raw: Any,
    *,
    statuses: StatusTable,
    lines: Sequence[Any] | None = None,
    options: MapOptions | None = None,
) -> PurchaseOrder:
    """An order from its PurchaseOrderDto and its line items (None: not read). The status
    comes from the tenant's flags of the status name; an unknown name fails the record."""
    options = options or MapOptions()
    try:
        order = _mapping(raw)
        remote_id = _required(order, "id")
        name = _required(order, "status")
        flags = statuses.get(name)
        if flags is None:
            raise ValueError(f"status {name!r} is not one of the tenant's purchase order statuses")
        mapped_lines = tuple(map_purchase_order_line(line) for line in lines or ())
        approved = parse_instant(order.get("approvedDate")) is not None
        status = purchase_order_status(
            flags,
            approved=approved,
            partially_received=_partly_received(mapped_lines, lines or ()),
        )
        wanted = options.custom_fields
        custom = {
            k: v
            for k, v in order.items()
            if (k in wanted if wanted is not None else k not in PURCHASE_ORDER_FIELDS)
            and not k.startswith("_")
        }
        payload = dict(order)
        if lines is not None:
            payload["lineItems"] = list(lines)
        return PurchaseOrder(
            remote_id=remote_id,
            number=_required(order, "poNumber"),
            status=status,
            remote_status=name,
            vendor_remote_id=_text(order.get("supplierId")),
            order_date=_day(order.get("poDate")),
            expected_delivery_date=_day(order.get("dueDate")),
            currency=_text(order.get("currencyCode")),
            total_amount=_decimal(order.get("lineItemTotal")),
            lines=mapped_lines,
            created_at=parse_instant(order.get("createdDate")),
            updated_at=parse_instant(order.get("modifiedDate")),
            custom_fields=custom,
            remote_data=payload,
        )
    except ValueError as exc:
        raise _fail(EntityType.PURCHASE_ORDER, raw, "id", exc) from exc


# -- master data ------------------------------------------------------------------------------


def map_vendor(raw: Any, *, options: MapOptions | None = None) -> Vendor:
    options = options or MapOptions()
    try:
        supplier = _mapping(raw)
        status_name = (_text(supplier.get("status")) or "").lower()
        status = options.supplier_statuses.get(status_name) or SUPPLIER_STATUSES.get(
            status_name, VendorStatus.ACTIVE
        )
        return Vendor(
            remote_id=_required(supplier, "id"),
            name=_required(supplier, "name"),
            status=status,
            code=_text(supplier.get("code")),
            created_at=parse_instant(supplier.get("createdDate")),
            updated_at=parse_instant(supplier.get("modifiedDate")),
            remote_data=dict(supplier),
        )
    except ValueError as exc:
        raise _fail(EntityType.VENDOR, raw, "id", exc) from exc


def map_inventory_item(raw: Any) -> InventoryItem:
    """A part of ``mdm/v2/parts``: number and revision make the item number."""
    try:
        part = _mapping(raw)
        number = _required(part, "number")
        revision = _text(part.get("revision"))
        kind = (_text(part.get("type")) or "").lower()
        status = (_text(part.get("status")) or "").lower()
        return InventoryItem(
            remote_id=_required(part, "id"),
            number=f"{number}-{revision}" if revision else number,
            name=_text(part.get("name")) or number,
            description=_text(part.get("description")),
            type=PART_TYPES.get(kind, InventoryItemType.OTHER) if kind else None,
            unit_of_measure=_text(part.get("inventoryUnit")),
            active=status not in INACTIVE_PART_STATUSES,
            created_at=parse_instant(part.get("createdDateTime")),
            updated_at=parse_instant(part.get("modifiedDateTime")),
            remote_data=dict(part),
        )
    except ValueError as exc:
        raise _fail(EntityType.INVENTORY_ITEM, raw, "id", exc) from exc


def map_location(raw: Any) -> Location:
    try:
        location = _mapping(raw)
        code = _required(location, "locationCode")
        kind = (_text(location.get("locationType")) or "").lower()
        return Location(
            remote_id=_required(location, "id"),
            name=code,
            code=code,
            type=LOCATION_TYPES.get(kind, LocationType.OTHER) if kind else None,
            updated_at=parse_instant(location.get("modifiedDateTime")),
            remote_data=dict(location),
        )
    except ValueError as exc:
        raise _fail(EntityType.LOCATION, raw, "id", exc) from exc


# -- inventory and production -----------------------------------------------------------------


def map_stock_level(raw: Any) -> StockLevel:
    """One active container: what is on hand of one part, at one location, in one lot. A
    container on hold is on hand but not available."""
    try:
        container = _mapping(raw)
        quantity = _decimal(container.get("quantity"))
        if quantity is None:
            raise ValueError("quantity is missing")
        status = (_text(container.get("containerStatus")) or "").lower()
        return StockLevel(
            remote_id=_required(container, "serialNo"),
            quantity_on_hand=quantity,
            quantity_available=quantity if status in _AVAILABLE_CONTAINER else Decimal(0),
            item_remote_id=_text(container.get("partId")),
            location_remote_id=_text(container.get("locationId")),
            updated_at=parse_instant(container.get("updateDateTime")),
            remote_data=dict(container),
        )
    except ValueError as exc:
        raise _fail(EntityType.STOCK_LEVEL, raw, "serialNo", exc) from exc


def map_production_order(raw: Any) -> ProductionOrder:
    try:
        job = _mapping(raw)
        name = _required(job, "jobStatus")
        status = JOB_STATUSES.get(name.lower())
        if status is None:
            raise ValueError(f"unknown job status {name!r}")
        quantity = _decimal(job.get("quantity"))
        if quantity is None:
            raise ValueError("quantity is missing")
        return ProductionOrder(
            remote_id=_required(job, "id"),
            number=_required(job, "jobNumber"),
            quantity_planned=quantity,
            quantity_completed=_decimal(job.get("quantityCompleted")),
            status=status,
            remote_status=name,
            item_remote_id=_text(job.get("partId")),
            planned_end_at=parse_instant(job.get("dueDate")),
            actual_end_at=parse_instant(job.get("completedDate")),
            remote_data=dict(job),
        )
    except ValueError as exc:
        raise _fail(EntityType.PRODUCTION_ORDER, raw, "id", exc) from exc
