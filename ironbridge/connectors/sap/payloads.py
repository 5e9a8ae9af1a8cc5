"""Write payloads for SAP: unified input checked, then turned into OData bodies: a deep insert
for a new purchase order, a list of PATCHes (header, items, schedule lines) for a change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import Rejected
from ironbridge.connectors.sap.mappers import (
    CUSTOM_FIELD_PREFIXES,
    ITEM_NAVIGATIONS,
    SCHEDULE_LINE_NAVIGATIONS,
    children,
)
from ironbridge.connectors.sap.odata import key_predicate
from ironbridge.connectors.sap.status import MAINTENANCE_ORDER_TYPES, MAINTENANCE_PRIORITIES
from ironbridge.connectors.sap.values import parse_date, parse_decimal, parse_instant
from ironbridge.models import WorkOrderPriority, WorkOrderType

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from decimal import Decimal

    from ironbridge.connectors.sap.odata import ODataProtocol

__all__ = [
    "ORGANIZATION_OPTIONS",
    "PURCHASE_ORDER_CREATE",
    "PURCHASE_ORDER_NOTES",
    "PURCHASE_ORDER_REQUIRED",
    "PURCHASE_ORDER_UPDATE",
    "WORK_ORDER_CREATE",
    "WORK_ORDER_NOTES",
    "WORK_ORDER_REQUIRED",
    "WORK_ORDER_UPDATE",
    "Patch",
    "PoSets",
    "purchase_order_body",
    "purchase_order_patches",
    "work_order_body",
    "work_order_patch",
]

PURCHASE_ORDER_CREATE = (
    "vendor_remote_id",
    "ship_to_remote_id",
    "currency",
    "order_date",
    "expected_delivery_date",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_REQUIRED = ("vendor_remote_id", "ship_to_remote_id", "currency", "lines")
PURCHASE_ORDER_UPDATE = (
    "vendor_remote_id",
    "currency",
    "order_date",
    "expected_delivery_date",
    "lines",
    "custom_fields",
)
LINE_FIELDS = (
    "line_number",
    "item_remote_id",
    "description",
    "quantity",
    "unit_of_measure",
    "unit_price",
    "expected_delivery_date",
)
WORK_ORDER_CREATE = (
    "title",
    "type",
    "priority",
    "asset_remote_id",
    "location_remote_id",
    "scheduled_start_at",
    "due_at",
)
WORK_ORDER_REQUIRED = ("title", "location_remote_id")
WORK_ORDER_UPDATE = ("title", "priority", "asset_remote_id", "scheduled_start_at", "due_at")
# connection option → purchase order header field: SAP's organisational data for new orders
ORGANIZATION_OPTIONS: Mapping[str, str] = {
    "company_code": "CompanyCode",
    "purchasing_organization": "PurchasingOrganization",
    "purchasing_group": "PurchasingGroup",
}
PURCHASE_ORDER_NOTES = (
    "Released purchase orders accept only delivery date changes; deleted ones accept nothing. "
    "Delete sets deletion code L (the order stays, CANCELLED). New orders take the ship-to "
    "plant for every line and need the connection options company_code, "
    "purchasing_organization and purchasing_group. Status changes (release) are not writable."
)
WORK_ORDER_NOTES = (
    "Technically completed or closed maintenance orders cannot be changed. New orders are "
    "PM01 (CORRECTIVE) unless type is PREVENTIVE (PM02). Status changes (release, completion) "
    "are not writable."
)
_ITEM_KEYS = ("PurchaseOrder", "PurchaseOrderItem")
_SCHEDULE_KEYS = ("PurchasingDocument", "PurchasingDocumentItem", "ScheduleLine")
_ORDER_TYPE_CODES: dict[WorkOrderType, str] = {
    kind: code for code, kind in MAINTENANCE_ORDER_TYPES.items() if kind != WorkOrderType.OTHER
}
_PRIORITY_CODES = {priority: code for code, priority in MAINTENANCE_PRIORITIES.items()}


@dataclass(frozen=True, slots=True)
class PoSets:
    """Entity sets and navigation names of the purchase order service of one protocol."""

    header: str
    item: str
    schedule_line: str
    items_nav: str
    schedule_nav: str


PO_SETS: Mapping[int, PoSets] = {
    2: PoSets(
        "A_PurchaseOrder",
        "A_PurchaseOrderItem",
        "A_PurchaseOrderScheduleLine",
        ITEM_NAVIGATIONS[1],
        SCHEDULE_LINE_NAVIGATIONS[1],
    ),
    4: PoSets(
        "PurchaseOrder",
        "PurchaseOrderItem",
        "PurchaseOrderScheduleLine",
        ITEM_NAVIGATIONS[0],
        SCHEDULE_LINE_NAVIGATIONS[0],
    ),
}


@dataclass(frozen=True, slots=True)
class Patch:
    """One PATCH: the entity's path under the service root, the changed properties, and the
    ETag the entity had when read."""

    path: str
    body: dict[str, Any]
    etag: str | None


class _Input:
    """The fields of one write, checked against what the operation accepts."""

    def __init__(self, system: str, data: Any, allowed: Sequence[str], *, where: str = "") -> None:
        if not isinstance(data, dict):
            raise Rejected(system, f"{where or 'input'}: must be an object")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise Rejected(
                system, f"{where}{unknown[0]}: unknown field; accepted: {', '.join(allowed)}"
            )
        self.system = system
        self.data: dict[str, Any] = data
        self.where = where

    def reject(self, key: str, why: str) -> Rejected:
        return Rejected(self.system, f"{self.where}{key}: {why}")

    def require(self, keys: Sequence[str]) -> None:
        for key in keys:
            if self.data.get(key) in (None, "", []):
                raise self.reject(key, "is required")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.reject(key, "must be a string")
        return value.strip() or None

    def decimal(self, key: str, *, positive: bool = False) -> Decimal | None:
        try:
            value = parse_decimal(self.data.get(key))
        except ValueError:
            raise self.reject(key, "must be a number") from None
        if value is not None and (value < 0 or (positive and value == 0)):
            raise self.reject(key, "must be positive" if positive else "must not be negative")
        return value

    def day(self, key: str) -> date | None:
        """A date, or the UTC day of an instant."""
        value = self.data.get(key)
        try:
            if isinstance(value, datetime) or (isinstance(value, str) and len(value) > 10):
                instant = parse_instant(value)
                return None if instant is None else instant.astimezone(UTC).date()
            return parse_date(value)
        except ValueError:
            raise self.reject(key, "must be a date (YYYY-MM-DD) or an ISO 8601 instant") from None

    def rows(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self.reject(key, "must be a list")
        return list(value)

    def extensions(self, key: str, known: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Custom fields: SAP extension fields (YY1_/ZZ1_) only; ``None`` clears one."""
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.reject(key, "must be an object")
        out: dict[str, str] = {}
        for name, field_value in value.items():
            if not str(name).startswith(CUSTOM_FIELD_PREFIXES):
                raise self.reject(f"{key}.{name}", "SAP extension fields start with YY1_ or ZZ1_")
            if known is not None and name not in known:
                raise self.reject(f"{key}.{name}", "no such field on this record")
            if field_value is not None and not isinstance(field_value, str):
                raise self.reject(f"{key}.{name}", "must be a string or null")
            out[name] = field_value or ""
        return out


def _number(value: Decimal) -> str:
    return format(value, "f")


# -- purchase orders ------------------------------------------------------------------------


def purchase_order_body(
    protocol: ODataProtocol, data: Any, *, system: str, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The deep insert of a new purchase order with its items (and their delivery dates)."""
    fields = _Input(system, data, PURCHASE_ORDER_CREATE)
    fields.require(PURCHASE_ORDER_REQUIRED)
    missing = [name for name in ORGANIZATION_OPTIONS if not options.get(name)]
    if missing:
        raise Rejected(
            system, f"set the connection options {', '.join(missing)} to create purchase orders"
        )
    sets = PO_SETS[protocol.version]
    currency = fields.text("currency")
    header: dict[str, Any] = {
        sap: str(options[name]) for name, sap in ORGANIZATION_OPTIONS.items()
    } | {
        "PurchaseOrderType": str(options.get("purchase_order_type") or "NB"),
        "Supplier": fields.text("vendor_remote_id"),
        "DocumentCurrency": currency,
    }
    if (ordered := fields.day("order_date")) is not None:
        header["PurchaseOrderDate"] = protocol.date_value(ordered)
    header.update(fields.extensions("custom_fields"))
    plant = fields.text("ship_to_remote_id")
    delivery = fields.day("expected_delivery_date")
    items = []
    for position, row in enumerate(fields.rows("lines")):
        line = _Input(system, row, LINE_FIELDS, where=f"lines[{position}].")
        line.require(("quantity", "unit_of_measure"))
        quantity = line.decimal("quantity", positive=True)
        assert quantity is not None
        item: dict[str, Any] = {
            "PurchaseOrderItem": line.text("line_number") or str(10 * (position + 1)),
            "Plant": plant,
            "OrderQuantity": _number(quantity),
            "PurchaseOrderQuantityUnit": line.text("unit_of_measure"),
        }
        if (material := line.text("item_remote_id")) is not None:
            item["Material"] = material
        if (text := line.text("description")) is not None:
            item["PurchaseOrderItemText"] = text
        if (price := line.decimal("unit_price")) is not None:
            item["NetPriceAmount"] = _number(price)
            item["DocumentCurrency"] = currency
        if (day := line.day("expected_delivery_date") or delivery) is not None:
            schedule = {"ScheduleLineDeliveryDate": protocol.date_value(day)}
            item[sets.schedule_nav] = protocol.deep_children([schedule])
        items.append(item)
    header[sets.items_nav] = protocol.deep_children(items)
    return header


def _changed(current: Any, wanted: Any, parse: Any) -> bool:
    try:
        return bool(parse(current) != wanted)
    except ValueError:
        return True


def _text_of(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def purchase_order_patches(
    protocol: ODataProtocol, service: str, current: Mapping[str, Any], data: Any, *, system: str
) -> list[Patch]:
    """The PATCHes that turn ``current`` (the order read with items and schedule lines) into
    what ``data`` asks: header first, then items, then schedule lines, so that a change SAP
    refuses on a released order fails before any delivery date is moved. Unchanged values are
    not sent."""
    fields = _Input(system, data, PURCHASE_ORDER_UPDATE)
    sets = PO_SETS[protocol.version]
    number = str(current["PurchaseOrder"])
    header: dict[str, Any] = {}
    for key, sap in (("vendor_remote_id", "Supplier"), ("currency", "DocumentCurrency")):
        if key in fields.data and (wanted := fields.text(key)) != _text_of(current.get(sap)):
            header[sap] = wanted or ""
    if "order_date" in fields.data:
        ordered = fields.day("order_date")
        if _changed(current.get("PurchaseOrderDate"), ordered, parse_date):
            header["PurchaseOrderDate"] = None if ordered is None else protocol.date_value(ordered)
    for name, value in fields.extensions("custom_fields", current).items():
        if (current.get(name) or "") != value:
            header[name] = value
    patches = []
    if header:
        path = f"{service}/{sets.header}{key_predicate(('PurchaseOrder',), (number,))}"
        patches.append(Patch(path, header, protocol.etag(current)))
    items = {str(i.get("PurchaseOrderItem")): i for i in children(current, ITEM_NAVIGATIONS)}
    dates: dict[str, date] = {}
    if (everywhere := fields.day("expected_delivery_date")) is not None:
        dates = {
            n: everywhere
            for n, i in items.items()
            if i.get("PurchasingDocumentDeletionCode") != "L"
        }
    for position, row in enumerate(fields.rows("lines")):
        line = _Input(system, row, LINE_FIELDS, where=f"lines[{position}].")
        line.require(("line_number",))
        item_number = line.text("line_number") or ""
        item = items.get(item_number)
        if item is None:
            raise line.reject("line_number", f"purchase order {number} has no item {item_number}")
        if (day := line.day("expected_delivery_date")) is not None:
            dates[item_number] = day
        body = _item_changes(line, item)
        if body:
            predicate = key_predicate(_ITEM_KEYS, (number, item_number))
            patches.append(Patch(f"{service}/{sets.item}{predicate}", body, protocol.etag(item)))
    for item_number, day in dates.items():
        for schedule in children(items[item_number], SCHEDULE_LINE_NAVIGATIONS):
            if not _changed(schedule.get("ScheduleLineDeliveryDate"), day, parse_date):
                continue
            values = (number, item_number, str(schedule.get("ScheduleLine")))
            path = f"{service}/{sets.schedule_line}{key_predicate(_SCHEDULE_KEYS, values)}"
            body = {"ScheduleLineDeliveryDate": protocol.date_value(day)}
            patches.append(Patch(path, body, protocol.etag(schedule)))
    return patches


def _item_changes(line: _Input, item: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    texts = (
        ("item_remote_id", "Material"),
        ("description", "PurchaseOrderItemText"),
        ("unit_of_measure", "PurchaseOrderQuantityUnit"),
    )
    for key, sap in texts:
        if key in line.data and (wanted := line.text(key)) != _text_of(item.get(sap)):
            body[sap] = wanted or ""
    quantity = line.decimal("quantity", positive=True)
    if quantity is not None and _changed(item.get("OrderQuantity"), quantity, parse_decimal):
        body["OrderQuantity"] = _number(quantity)
    price = line.decimal("unit_price")
    if price is not None:
        per = parse_decimal(item.get("NetPriceQuantity")) or 1
        amount = price * per
        if _changed(item.get("NetPriceAmount"), amount, parse_decimal):
            body["NetPriceAmount"] = _number(amount)
    return body


# -- maintenance orders ---------------------------------------------------------------------


def _maintenance_fields(
    protocol: ODataProtocol, fields: _Input, keys: Sequence[str]
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    texts = {
        "title": "MaintenanceOrderDesc",
        "asset_remote_id": "Equipment",
        "location_remote_id": "MaintenancePlanningPlant",
    }
    for key in keys:
        if key not in fields.data:
            continue
        if key in texts:
            body[texts[key]] = fields.text(key) or ""
        elif key == "priority":
            priority = fields.text(key) or WorkOrderPriority.NONE.value
            if priority != WorkOrderPriority.NONE and priority not in _PRIORITY_CODES:
                allowed = ", ".join([WorkOrderPriority.NONE, *_PRIORITY_CODES])
                raise fields.reject(key, f"must be one of {allowed}")
            body["MaintPriority"] = _PRIORITY_CODES.get(WorkOrderPriority(priority), "")
        elif key in ("scheduled_start_at", "due_at"):
            day = fields.day(key)
            sap = (
                "MaintOrdBasicStartDate" if key == "scheduled_start_at" else "MaintOrdBasicEndDate"
            )
            body[sap] = None if day is None else protocol.date_value(day)
    return body


def work_order_body(protocol: ODataProtocol, data: Any, *, system: str) -> dict[str, Any]:
    """A new maintenance order."""
    fields = _Input(system, data, WORK_ORDER_CREATE)
    fields.require(WORK_ORDER_REQUIRED)
    kind = fields.text("type") or WorkOrderType.CORRECTIVE.value
    if kind not in _ORDER_TYPE_CODES:
        allowed = ", ".join(_ORDER_TYPE_CODES)
        raise fields.reject("type", f"SAP order types are mapped for {allowed} only")
    body = {"MaintenanceOrderType": _ORDER_TYPE_CODES[WorkOrderType(kind)]}
    body.update(_maintenance_fields(protocol, fields, WORK_ORDER_CREATE))
    return {k: v for k, v in body.items() if v not in (None, "")}


def work_order_patch(
    protocol: ODataProtocol, path: str, current: Mapping[str, Any], data: Any, *, system: str
) -> list[Patch]:
    """The PATCH of a maintenance order (none when nothing changes)."""
    fields = _Input(system, data, WORK_ORDER_UPDATE)
    wanted = _maintenance_fields(protocol, fields, WORK_ORDER_UPDATE)
    changed = {}
    for name, value in wanted.items():
        before = current.get(name)
        if name.startswith("MaintOrdBasic"):
            differs = _changed(before, parse_date(value), parse_date)
        else:
            differs = (before or "") != value
        if differs:
            changed[name] = value
    return [Patch(path, changed, protocol.etag(current))] if changed else []
