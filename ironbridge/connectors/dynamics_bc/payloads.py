"""Write payloads for Business Central: unified input checked, then turned into API bodies:
a deep insert for a new purchase order, a header PATCH and line PATCHes/POSTs for a change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.dynamics_bc.mappers import etag_of
from ironbridge.connectors.dynamics_bc.settings import SYSTEM_KEY
from ironbridge.connectors.errors import Rejected

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "PURCHASE_ORDER_NOTES",
    "PURCHASE_ORDER_REQUIRED",
    "PURCHASE_ORDER_UPDATE",
    "LinePatch",
    "Plan",
    "purchase_order_body",
    "purchase_order_plan",
]

PURCHASE_ORDER_REQUIRED = ("vendor_remote_id", "lines")
PURCHASE_ORDER_CREATE = (
    "number",
    "vendor_remote_id",
    "order_date",
    "expected_delivery_date",
    "currency",
    "ship_to_remote_id",
    "lines",
)
PURCHASE_ORDER_UPDATE = ("expected_delivery_date", "currency", "lines")
PURCHASE_ORDER_NOTES = (
    "Released (Open) and In Review orders accept only delivery date changes "
    "(requestedReceiptDate, line expectedReceiptDate); Business Central refuses anything else "
    "with its own message. Delete removes the order for good (no soft delete) and is refused "
    "for released or received orders. Lines are items; ship_to_remote_id is the location of "
    "every new line. The vendor of an order and its status are not writable."
)
_LINE_FIELDS = {
    "item_remote_id": "itemId",
    "description": "description",
    "quantity": "quantity",
    "unit_of_measure": "unitOfMeasureCode",
    "unit_price": "directUnitCost",
    "expected_delivery_date": "expectedReceiptDate",
}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _line_body(line: Mapping[str, Any], where: str, location: Any) -> dict[str, Any]:
    unknown = sorted(set(line) - set(_LINE_FIELDS) - {"line_number"})
    if unknown:
        raise Rejected(SYSTEM_KEY, f"{where}{unknown[0]} cannot be written to Business Central")
    body: dict[str, Any] = {"lineType": "Item"}
    for name, target in _LINE_FIELDS.items():
        if line.get(name) is not None:
            body[target] = _json_value(line[name])
    if location:
        body["locationId"] = location
    return body


def purchase_order_body(data: Mapping[str, Any]) -> dict[str, Any]:
    """The deep-insert body of a new purchase order with its lines."""
    unknown = sorted(k for k in data if k not in PURCHASE_ORDER_CREATE and data[k] is not None)
    if unknown:
        raise Rejected(SYSTEM_KEY, f"{unknown[0]} cannot be written to Business Central")
    lines = data.get("lines") or []
    for n, line in enumerate(lines):
        if not line.get("item_remote_id"):
            raise Rejected(SYSTEM_KEY, f"lines[{n}].item_remote_id is required")
    body: dict[str, Any] = {"vendorId": data["vendor_remote_id"]}
    for name, target in (
        ("number", "number"),
        ("order_date", "orderDate"),
        ("expected_delivery_date", "requestedReceiptDate"),
        ("currency", "currencyCode"),
    ):
        if data.get(name) is not None:
            body[target] = _json_value(data[name])
    location = data.get("ship_to_remote_id")
    body["purchaseOrderLines"] = [
        _line_body(line, f"lines[{n}].", location) for n, line in enumerate(lines)
    ]
    return body


@dataclass(frozen=True, slots=True)
class LinePatch:
    """A change to one existing line (``line_id`` and its ETag) or a new line (no id)."""

    body: dict[str, Any]
    line_id: str | None = None
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    header: dict[str, Any] = field(default_factory=dict)
    lines: tuple[LinePatch, ...] = ()


def purchase_order_plan(raw: Mapping[str, Any], data: Mapping[str, Any]) -> Plan:
    """What to send to turn the order ``raw`` (lines expanded) into ``data``: only what
    differs, so that an unchanged value never trips a released order's rules."""
    header: dict[str, Any] = {}
    if "expected_delivery_date" in data:
        wanted = _json_value(data["expected_delivery_date"]) or "0001-01-01"
        if raw.get("requestedReceiptDate") != wanted:
            header["requestedReceiptDate"] = wanted
    if data.get("currency") is not None and raw.get("currencyCode") != data["currency"]:
        header["currencyCode"] = data["currency"]
    existing = {
        str(line.get("sequence")): line
        for line in raw.get("purchaseOrderLines") or []
        if isinstance(line, dict)
    }
    patches: list[LinePatch] = []
    for n, line in enumerate(data.get("lines") or []):
        number = line.get("line_number")
        if number is None:
            if not line.get("item_remote_id"):
                raise Rejected(SYSTEM_KEY, f"lines[{n}].item_remote_id is required for a new line")
            patches.append(LinePatch(_line_body(line, f"lines[{n}].", None)))
            continue
        current = existing.get(str(number))
        if current is None:
            raise Rejected(SYSTEM_KEY, f"lines[{n}]: the order has no line {number}")
        body = _line_body(line, f"lines[{n}].", None)
        body.pop("lineType")
        changed = {k: v for k, v in body.items() if current.get(k) != v}
        if changed:
            patches.append(LinePatch(changed, str(current.get("id")), etag_of(current)))
    return Plan(header=header, lines=tuple(patches))
