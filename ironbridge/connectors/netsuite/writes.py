"""Unified write input to NetSuite record bodies: pure functions, checked before anything is
sent, every refusal a ``Rejected`` that starts with the offending field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import Rejected
from ironbridge.connectors.sandbox.inputs import Fields
from ironbridge.models import PurchaseOrderStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "INVENTORY_ITEM_CREATE",
    "INVENTORY_ITEM_RULES",
    "INVENTORY_ITEM_UPDATE",
    "PURCHASE_ORDER_CREATE",
    "PURCHASE_ORDER_RULES",
    "PURCHASE_ORDER_UPDATE",
    "PurchaseOrderPatch",
    "inventory_item_body",
    "purchase_order_body",
    "purchase_order_patch",
]

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
PURCHASE_ORDER_UPDATE = (
    "expected_delivery_date",
    "description",
    "status",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_LINE = ("item_remote_id", "description", "quantity", "unit_price",
                       "expected_delivery_date")  # fmt: skip
INVENTORY_ITEM_CREATE = ("number", "name", "description", "unit_cost")
INVENTORY_ITEM_UPDATE = ("name", "description", "unit_cost", "active")

PURCHASE_ORDER_RULES = (
    "Fully billed and closed purchase orders cannot be modified; purchase orders with receipts "
    "or bills cannot be deleted, and received lines cannot be removed or reduced below the "
    "quantity received. Status: CLOSED or CANCELLED closes every line; APPROVED and "
    "PENDING_APPROVAL set the approval status; NetSuite derives the others from receipts and "
    "bills. Lines need an inventory item; units come from the item. Custom fields: custbody_* "
    "keys."
)
INVENTORY_ITEM_RULES = (
    "Inventory items (InvtPart). The number is the item name/number and must be unique; "
    "units, type and currency follow the account's setup and are not written."
)

_CLOSING = frozenset({PurchaseOrderStatus.CLOSED, PurchaseOrderStatus.CANCELLED})
_APPROVAL = {PurchaseOrderStatus.APPROVED: "2", PurchaseOrderStatus.PENDING_APPROVAL: "1"}


def _number(value: Decimal) -> int | float:
    """JSON number for NetSuite (which stores floating point numbers anyway)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _ref(record_id: str) -> dict[str, str]:
    return {"id": record_id}


def _custom_fields(fields: Fields, prefix: str) -> dict[str, Any]:
    values = fields.mapping("custom_fields") or {}
    wrong = sorted(k for k in values if not k.startswith(prefix))
    if wrong:
        raise fields.reject("custom_fields", f"{wrong[0]}: NetSuite body fields start {prefix}")
    return values


def _lines(system: str, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    lines = []
    for position, row in enumerate(rows):
        line = Fields(system, row, PURCHASE_ORDER_LINE, where=f"lines[{position}].")
        item = line.text("item_remote_id", required=True) or ""
        if not item.isdigit():
            raise line.reject("item_remote_id", f"{item!r} is not a NetSuite internal id")
        quantity = line.decimal("quantity", required=True, positive=True) or Decimal(1)
        body: dict[str, Any] = {"item": _ref(item), "quantity": _number(quantity)}
        if (price := line.decimal("unit_price")) is not None:
            body["rate"] = _number(price)
        if (description := line.text("description", max_length=4000)) is not None:
            body["description"] = description
        if (expected := line.date("expected_delivery_date")) is not None:
            body["expectedReceiptDate"] = expected.isoformat()
        lines.append(body)
    return lines


def _internal_id(fields: Fields, key: str, *, required: bool = False) -> str | None:
    value = fields.text(key, required=required)
    if value is not None and not value.isdigit():
        raise fields.reject(key, f"{value!r} is not a NetSuite internal id")
    return value


def purchase_order_body(
    system: str, data: Mapping[str, Any], *, currency_ids: Mapping[str, str]
) -> dict[str, Any]:
    """The ``POST .../purchaseOrder`` body of a unified create."""
    fields = Fields(system, data, PURCHASE_ORDER_CREATE)
    vendor = _internal_id(fields, "vendor_remote_id", required=True) or ""
    body: dict[str, Any] = {"entity": _ref(vendor)}
    if (number := fields.text("number", max_length=45)) is not None:
        body["tranId"] = number
    order_date = fields.date("order_date")
    expected = fields.date("expected_delivery_date")
    if order_date is not None and expected is not None and expected < order_date:
        raise fields.reject("expected_delivery_date", "is before the order date")
    if order_date is not None:
        body["tranDate"] = order_date.isoformat()
    if expected is not None:
        body["dueDate"] = expected.isoformat()
    if (code := fields.currency("currency")) is not None:
        if code not in currency_ids:
            known = ", ".join(sorted(currency_ids)) or "none"
            raise fields.reject("currency", f"{code} is not a currency of this account ({known})")
        body["currency"] = _ref(currency_ids[code])
    if (memo := fields.text("description", max_length=4000)) is not None:
        body["memo"] = memo
    if (ship_to := _internal_id(fields, "ship_to_remote_id")) is not None:
        body["location"] = _ref(ship_to)
    body["item"] = {"items": _lines(system, fields.rows("lines", required=True) or [])}
    body.update(_custom_fields(fields, "custbody_"))
    return body


@dataclass(frozen=True, slots=True)
class PurchaseOrderPatch:
    """A ``PATCH`` body; ``replace`` names sublists sent whole; ``close_lines`` asks the caller
    to close every current line (it needs their line numbers)."""

    body: dict[str, Any]
    replace: frozenset[str] = frozenset()
    close_lines: bool = False


def purchase_order_patch(system: str, data: Mapping[str, Any]) -> PurchaseOrderPatch:
    fields = Fields(system, data, PURCHASE_ORDER_UPDATE)
    body: dict[str, Any] = {}
    replace: set[str] = set()
    if fields.given("expected_delivery_date"):
        expected = fields.date("expected_delivery_date")
        body["dueDate"] = expected.isoformat() if expected else None
    if fields.given("description"):
        body["memo"] = fields.text("description", max_length=4000)
    close = False
    if fields.given("status"):
        status = fields.choice("status", PurchaseOrderStatus, required=True)
        if status in _CLOSING:
            close = True
        elif status in _APPROVAL:
            body["approvalStatus"] = _ref(_APPROVAL[status])
        else:
            settable = ", ".join(s.value for s in (*_CLOSING, *_APPROVAL))
            raise fields.reject(
                "status", f"NetSuite derives {status} from receipts and bills; settable: {settable}"
            )
    if fields.given("lines"):
        if close:
            raise fields.reject("lines", "cannot be replaced while closing the order")
        body["item"] = {"items": _lines(system, fields.rows("lines", required=True) or [])}
        replace.add("item")
    if fields.given("custom_fields"):
        body.update(_custom_fields(fields, "custbody_"))
    if not body and not close:
        raise Rejected(system, "nothing to update")
    return PurchaseOrderPatch(body, frozenset(replace), close)


def inventory_item_body(system: str, data: Mapping[str, Any], *, create: bool) -> dict[str, Any]:
    """The body of an inventory item create or ``PATCH``."""
    allowed = INVENTORY_ITEM_CREATE if create else INVENTORY_ITEM_UPDATE
    fields = Fields(system, data, allowed)
    body: dict[str, Any] = {}
    if create:
        body["itemId"] = fields.text("number", required=True, max_length=60)
        body["displayName"] = fields.text("name", required=True)
    elif fields.given("name"):
        body["displayName"] = fields.text("name", required=True)
    if fields.given("description"):
        body["purchaseDescription"] = fields.text("description", max_length=4000)
    if fields.given("unit_cost"):
        cost = fields.decimal("unit_cost")
        body["cost"] = None if cost is None else _number(cost)
    if fields.given("active"):
        active = fields.flag("active")
        if active is None:
            raise fields.reject("active", "must be true or false")
        body["isInactive"] = not active
    if not body:
        raise Rejected(system, "nothing to update")
    return body
