"""Unified write input turned into Maximo request bodies for work orders, items and purchase
orders, checked first: every refusal is a ``Rejected`` whose message starts with the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.connectors.errors import Rejected
from ironbridge.connectors.maximo.statuses import (
    ITEM_TYPE_OUT,
    WO_PRIORITY_OUT,
    WO_STATUS_OUT,
    WO_TYPE_OUT,
)
from ironbridge.connectors.sandbox.inputs import Fields
from ironbridge.models import (
    InventoryItemType,
    PurchaseOrderStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

__all__ = [
    "INVENTORY_ITEM_CREATE",
    "INVENTORY_ITEM_NOTES",
    "INVENTORY_ITEM_REQUIRED",
    "INVENTORY_ITEM_UPDATE",
    "PURCHASE_ORDER_CREATE",
    "PURCHASE_ORDER_NOTES",
    "PURCHASE_ORDER_REQUIRED",
    "PURCHASE_ORDER_UPDATE",
    "WORK_ORDER_CREATE",
    "WORK_ORDER_NOTES",
    "WORK_ORDER_REQUIRED",
    "WORK_ORDER_UPDATE",
    "Input",
    "inventory_item_body",
    "purchase_order_body",
    "work_order_body",
]

E = TypeVar("E", bound=StrEnum)

WORK_ORDER_CREATE = (
    "title",
    "description",
    "status",
    "priority",
    "type",
    "asset_remote_id",
    "location_remote_id",
    "assignee",
    "due_at",
    "scheduled_start_at",
    "custom_fields",
)
WORK_ORDER_UPDATE = WORK_ORDER_CREATE
WORK_ORDER_REQUIRED = ("title",)
WORK_ORDER_NOTES = (
    "Created in the site of its asset or location, else in the API user's default insert "
    "site. Status changes follow Maximo's rules (a completed work order can only be closed); "
    "closed and cancelled work orders cannot be changed. Deleting cancels the work order "
    "(status CAN): Maximo keeps work orders."
)
INVENTORY_ITEM_CREATE = (
    "number",
    "name",
    "description",
    "type",
    "unit_of_measure",
    "custom_fields",
)
INVENTORY_ITEM_UPDATE = (
    "name",
    "description",
    "type",
    "unit_of_measure",
    "active",
    "custom_fields",
)
INVENTORY_ITEM_REQUIRED = ("number", "name")
INVENTORY_ITEM_NOTES = (
    "Items of the item master (ITEM). Types: SPARE_PART (ITEM), SERVICE (STDSERVICE), OTHER "
    "(TOOL). Costs are kept per storeroom in Maximo and cannot be set here; 'active' sets the "
    "item status ACTIVE or OBSOLETE."
)
PURCHASE_ORDER_CREATE = (
    "number",
    "vendor_remote_id",
    "order_date",
    "expected_delivery_date",
    "currency",
    "description",
    "ship_to_remote_id",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_UPDATE = ("expected_delivery_date", "description", "status", "custom_fields")
PURCHASE_ORDER_REQUIRED = ("vendor_remote_id", "lines")
PURCHASE_ORDER_NOTES = (
    "Each revision is its own record (ponum/revisionnum/siteid); a revised one is CLOSED. "
    "Created waiting on approval (WAPPR) in the site of the ship-to location, else the API "
    "user's default insert site. An approved purchase order takes only a status change "
    "(CLOSED, CANCELLED) or a new expected delivery date: the date goes into a new revision "
    "(Revise PO), answered as its own record in status PNDREV (DRAFT) until it is approved, "
    "while the approved revision stays in force; any other change is refused. Status: "
    "PENDING_APPROVAL (WAPPR), APPROVED (APPR), CLOSED (CLOSE), CANCELLED (CAN). Deleting "
    "removes an order still waiting on approval and cancels (CAN) any other: a soft delete."
)
_PO_LINE = (
    "item_remote_id",
    "description",
    "quantity",
    "unit_price",
    "unit_of_measure",
    "expected_delivery_date",
)
PO_STATUS_OUT = {
    PurchaseOrderStatus.PENDING_APPROVAL: "WAPPR",
    PurchaseOrderStatus.APPROVED: "APPR",
    PurchaseOrderStatus.CLOSED: "CLOSE",
    PurchaseOrderStatus.CANCELLED: "CAN",
}
_MAX_DESCRIPTION = 100


def maximo_instant(value: datetime) -> str:
    """A datetime as Maximo reads it: ISO 8601 with an offset, to the second."""
    instant = value if value.tzinfo else value.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat(timespec="seconds")


class Input:
    """The fields of one write, checked against what the operation accepts."""

    def __init__(self, system: str, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
        if not isinstance(data, Mapping):
            raise Rejected(system, "input: must be an object")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise Rejected(system, f"{unknown[0]}: unknown field; accepted: {', '.join(allowed)}")
        self.system = system
        self.data = data

    def reject(self, key: str, why: str) -> Rejected:
        return Rejected(self.system, f"{key}: {why}")

    def given(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, *, required: bool = False, max_length: int = 4000) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.reject(key, "is required")
            return None
        if not isinstance(value, str):
            raise self.reject(key, "must be a string")
        value = value.strip()
        if required and not value:
            raise self.reject(key, "must not be empty")
        if len(value) > max_length:
            raise self.reject(key, f"must be at most {max_length} characters")
        return value or None

    def choice(self, key: str, enum: type[E]) -> E | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            return enum(value.value if isinstance(value, StrEnum) else value)
        except ValueError:
            raise self.reject(key, f"must be one of {', '.join(e.value for e in enum)}") from None

    def instant(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self.reject(key, "must be an ISO 8601 date and time") from None
        if not isinstance(value, datetime):
            raise self.reject(key, "must be a date and time")
        return maximo_instant(value)

    def reference(self, key: str, parts: int) -> tuple[str, ...] | None:
        value = self.text(key)
        if value is None:
            return None
        split = tuple(value.split("/"))
        if len(split) != parts or not all(split):
            raise self.reject(key, f"is not a Maximo id ({parts} values joined by '/')")
        return split

    def custom(self, allowed: Sequence[str]) -> dict[str, Any]:
        value = self.data.get("custom_fields")
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.reject("custom_fields", "must be an object")
        known = {name.lower() for name in allowed}
        for name, item in value.items():
            if name.lower() not in known:
                accepted = ", ".join(sorted(known)) or "none are configured"
                raise self.reject(f"custom_fields.{name}", f"unknown attribute ({accepted})")
            if item is not None and not isinstance(item, str | int | float | bool):
                raise self.reject(f"custom_fields.{name}", "must be a scalar")
        return {name.lower(): item for name, item in value.items()}


def _site(
    data: Input, site: str | None, refs: Sequence[tuple[str, tuple[str, ...] | None]]
) -> str | None:
    """The one site of the work order, its asset and its location."""
    for key, ref in refs:
        if ref is None:
            continue
        if site is not None and ref[1] != site:
            raise data.reject(key, f"is in site {ref[1]}, the work order in site {site}")
        site = ref[1]
    return site


def work_order_body(
    system: str,
    data: Mapping[str, Any],
    *,
    creating: bool,
    site: str | None = None,
    custom_fields: Sequence[str] = (),
) -> dict[str, Any]:
    """The MXWO body of a create (``creating``) or an update of a work order in ``site``."""
    fields = Input(system, data, WORK_ORDER_CREATE if creating else WORK_ORDER_UPDATE)
    body: dict[str, Any] = {}
    title = fields.text("title", required=creating, max_length=_MAX_DESCRIPTION)
    if title is not None:
        body["description"] = title
    elif fields.given("title"):
        raise fields.reject("title", "must not be empty")
    if fields.given("description"):
        body["description_longdescription"] = fields.text("description")
    status = fields.choice("status", WorkOrderStatus)
    if status is not None:
        body["status"] = WO_STATUS_OUT[status]
    if fields.given("priority"):
        priority = fields.choice("priority", WorkOrderPriority)
        body["wopriority"] = None if priority is None else WO_PRIORITY_OUT[priority]
    kind = fields.choice("type", WorkOrderType)
    if kind is not None:
        if kind not in WO_TYPE_OUT:
            raise fields.reject("type", f"has no Maximo work type ({', '.join(WO_TYPE_OUT)})")
        body["worktype"] = WO_TYPE_OUT[kind]
    asset = fields.reference("asset_remote_id", 2)
    location = fields.reference("location_remote_id", 2)
    where = _site(fields, site, [("asset_remote_id", asset), ("location_remote_id", location)])
    if creating and where is not None:
        body["siteid"] = where
    if asset is not None:
        body["assetnum"] = asset[0]
    if location is not None:
        body["location"] = location[0]
    for key, attr in (("assignee", "lead"), ("due_at", "targcompdate")):
        if fields.given(key):
            body[attr] = fields.text(key) if key == "assignee" else fields.instant(key)
    if fields.given("scheduled_start_at"):
        body["schedstart"] = fields.instant("scheduled_start_at")
    body.update(fields.custom(custom_fields))
    return body


def inventory_item_body(
    system: str, data: Mapping[str, Any], *, creating: bool, custom_fields: Sequence[str] = ()
) -> dict[str, Any]:
    """The MXITEM body of a create (``creating``) or an update of an item."""
    fields = Input(system, data, INVENTORY_ITEM_CREATE if creating else INVENTORY_ITEM_UPDATE)
    body: dict[str, Any] = {}
    if creating:
        body["itemnum"] = fields.text("number", required=True, max_length=30)
    name = fields.text("name", required=creating, max_length=_MAX_DESCRIPTION)
    if name is not None:
        body["description"] = name
    elif fields.given("name"):
        raise fields.reject("name", "must not be empty")
    if fields.given("description"):
        body["description_longdescription"] = fields.text("description")
    kind = fields.choice("type", InventoryItemType)
    if kind is not None:
        if kind not in ITEM_TYPE_OUT:
            raise fields.reject("type", f"has no Maximo item type ({', '.join(ITEM_TYPE_OUT)})")
        body["itemtype"] = ITEM_TYPE_OUT[kind]
    unit = fields.text("unit_of_measure", max_length=16)
    if unit is not None:
        body["issueunit"] = body["orderunit"] = unit.upper()
    if fields.given("active"):
        active = fields.data.get("active")
        if not isinstance(active, bool):
            raise fields.reject("active", "must be true or false")
        body["status"] = "ACTIVE" if active else "OBSOLETE"
    body.update(fields.custom(custom_fields))
    return body


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _day(value: date | None) -> str | None:
    """A unified date as a Maximo date-time: midnight UTC."""
    return None if value is None else f"{value.isoformat()}T00:00:00+00:00"


def _ref(fields: Fields, key: str, parts: int, *, required: bool = False) -> tuple[str, ...] | None:
    value = fields.text(key, required=required)
    if value is None:
        return None
    split = tuple(value.split("/"))
    if len(split) != parts or not all(split):
        raise fields.reject(key, f"is not a Maximo id ({parts} values joined by '/')")
    return split


def _po_lines(system: str, rows: Sequence[Mapping[str, Any]], store: str | None) -> list[Any]:
    lines: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        line = Fields(system, row, _PO_LINE, where=f"lines[{position}].")
        item = _ref(line, "item_remote_id", 2, required=True)
        assert item is not None
        quantity = line.decimal("quantity", required=True, positive=True)
        assert quantity is not None
        body: dict[str, Any] = {
            "polinenum": position + 1,
            "linetype": "ITEM",
            "itemnum": item[0],
            "orderqty": _number(quantity),
        }
        if (price := line.decimal("unit_price")) is not None:
            body["unitcost"] = _number(price)
        if (unit := line.text("unit_of_measure", max_length=16)) is not None:
            body["orderunit"] = unit.upper()
        if (text := line.text("description", max_length=_MAX_DESCRIPTION)) is not None:
            body["description"] = text
        if (day := _day(line.date("expected_delivery_date"))) is not None:
            body["reqdeliverydate"] = day
        if store is not None:
            body["storeloc"] = store
        lines.append(body)
    return lines


def purchase_order_body(
    system: str,
    data: Mapping[str, Any],
    *,
    creating: bool,
    custom_fields: Sequence[str] = (),
) -> dict[str, Any]:
    """The MXPO body of a create (``creating``, with its lines) or an update."""
    allowed = PURCHASE_ORDER_CREATE if creating else PURCHASE_ORDER_UPDATE
    fields = Fields(system, data, allowed)
    body: dict[str, Any] = {}
    ship_to = None
    if creating:
        vendor = _ref(fields, "vendor_remote_id", 2, required=True)
        assert vendor is not None
        body["vendor"] = vendor[0]
        if (number := fields.text("number", max_length=30)) is not None:
            body["ponum"] = number
        ship_to = _ref(fields, "ship_to_remote_id", 2)
        if ship_to is not None:
            body["siteid"] = ship_to[1]
        order_date = fields.date("order_date")
        if order_date is not None:
            body["orderdate"] = _day(order_date)
        if (code := fields.currency("currency")) is not None:
            body["currencycode"] = code
    if fields.given("expected_delivery_date"):
        body["requireddate"] = _day(fields.date("expected_delivery_date"))
    if fields.given("description"):
        body["description"] = fields.text("description", max_length=_MAX_DESCRIPTION)
    if fields.given("status"):
        status = fields.choice("status", PurchaseOrderStatus, required=True)
        if status not in PO_STATUS_OUT:
            settable = ", ".join(PO_STATUS_OUT)
            raise fields.reject(
                "status", f"Maximo derives {status} from receipts; settable: {settable}"
            )
        body["status"] = PO_STATUS_OUT[status]
    if creating:
        rows = fields.rows("lines", required=True) or []
        body["poline"] = _po_lines(system, rows, None if ship_to is None else ship_to[0])
    body.update(Input(system, data, allowed).custom(custom_fields))
    if not body:
        raise Rejected(system, "nothing to update")
    return body
