"""Purchase order bodies as Plex takes them: ``POST`` of a new order with its line items and
``PUT`` of the fields that change. Pure functions; a value Plex cannot take is ``Rejected``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import Rejected

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "PURCHASE_ORDER_NOTES",
    "PURCHASE_ORDER_REQUIRED",
    "PURCHASE_ORDER_UPDATE",
    "create_body",
    "plex_day",
    "update_body",
]

PURCHASE_ORDER_CREATE = (
    "vendor_remote_id",
    "currency",
    "order_date",
    "expected_delivery_date",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_REQUIRED = ("vendor_remote_id", "lines")
PURCHASE_ORDER_UPDATE = ("expected_delivery_date", "currency", "lines", "custom_fields")
LINE_FIELDS = (
    "line_number",
    "item_remote_id",
    "description",
    "quantity",
    "unit_of_measure",
    "unit_price",
    "expected_delivery_date",
)
PURCHASE_ORDER_NOTES = (
    "New orders start in the tenant's default status, unapproved. Approved orders accept only "
    "due date changes (header and line); received, closed and voided ones accept nothing. "
    "Delete voids the order (the tenant's cancelled status): Plex keeps purchase orders. "
    "Status changes (approval, receipt) are not writable. Lines are matched by lineNumber."
)


def _reject(system: str, field: str, problem: str) -> Rejected:
    return Rejected(system, f"{field}: {problem}")


def plex_day(value: Any, *, system: str, field: str) -> str:
    """A day as Plex dates it: midnight UTC with its time (dates alone are refused)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            raise _reject(system, field, f"{value!r} is not a date") from None
    if not isinstance(value, date):
        raise _reject(system, field, "must be a date")
    return f"{value.isoformat()}T00:00:00Z"


def _number(value: Any, *, system: str, field: str, positive: bool = False) -> float:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or (positive and number == 0):
        raise _reject(system, field, "must be a positive number" if positive else "must be >= 0")
    return float(number)


def _text(value: Any, *, system: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _reject(system, field, "must be a non-empty string")
    return value.strip()


def _only(system: str, data: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    extra = sorted(k for k, v in data.items() if k not in allowed and v is not None)
    if extra:
        raise Rejected(system, f"Plex does not take {', '.join(where + e for e in extra)} here")


def _custom(system: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _reject(system, "custom_fields", "must be an object")
    return {str(k): v for k, v in value.items()}


def _line(system: str, raw: Any, n: int, *, creating: bool) -> dict[str, Any]:
    where = f"lines[{n}]."
    if not isinstance(raw, dict):
        raise _reject(system, f"lines[{n}]", "must be an object")
    _only(system, raw, LINE_FIELDS, where)
    line: dict[str, Any] = {}
    if (number := raw.get("line_number")) is not None:
        if creating:
            raise _reject(system, where + "line_number", "Plex numbers new lines itself")
        if not str(number).strip().isdigit():
            raise _reject(system, where + "line_number", "must be a line item number")
        line["lineItemNumber"] = int(str(number).strip())
    if (item := raw.get("item_remote_id")) is not None:
        line["partId"] = _text(item, system=system, field=where + "item_remote_id")
    if (text := raw.get("description")) is not None:
        line["description"] = _text(text, system=system, field=where + "description")
    if (quantity := raw.get("quantity")) is not None:
        field = where + "quantity"
        line["quantity"] = _number(quantity, system=system, field=field, positive=True)
    elif creating or number is None:
        raise _reject(system, where + "quantity", "is required for a new line")
    if (unit := raw.get("unit_of_measure")) is not None:
        line["unit"] = _text(unit, system=system, field=where + "unit_of_measure")
    if (price := raw.get("unit_price")) is not None:
        line["unitPrice"] = _number(price, system=system, field=where + "unit_price")
    if (day := raw.get("expected_delivery_date")) is not None:
        line["dueDate"] = plex_day(day, system=system, field=where + "expected_delivery_date")
    return line


def _lines(system: str, value: Any, *, creating: bool) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise _reject(system, "lines", "must be a list")
    return [_line(system, raw, n, creating=creating) for n, raw in enumerate(value)]


def create_body(system: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``POST`` body of a new order."""
    _only(system, data, PURCHASE_ORDER_CREATE, "")
    missing = [name for name in PURCHASE_ORDER_REQUIRED if data.get(name) in (None, "", [])]
    if missing:
        raise Rejected(system, f"missing {', '.join(missing)}")
    body: dict[str, Any] = {
        "supplierId": _text(data["vendor_remote_id"], system=system, field="vendor_remote_id")
    }
    if (currency := data.get("currency")) is not None:
        body["currencyCode"] = _text(currency, system=system, field="currency").upper()
    if (ordered := data.get("order_date")) is not None:
        body["poDate"] = plex_day(ordered, system=system, field="order_date")
    if (due := data.get("expected_delivery_date")) is not None:
        body["dueDate"] = plex_day(due, system=system, field="expected_delivery_date")
    if (custom := data.get("custom_fields")) is not None:
        body.update(_custom(system, custom))
    body["lineItems"] = _lines(system, data["lines"], creating=True)
    return body


def update_body(system: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PUT`` body: only the fields asked."""
    _only(system, data, PURCHASE_ORDER_UPDATE, "")
    body: dict[str, Any] = {}
    if (due := data.get("expected_delivery_date")) is not None:
        body["dueDate"] = plex_day(due, system=system, field="expected_delivery_date")
    if (currency := data.get("currency")) is not None:
        body["currencyCode"] = _text(currency, system=system, field="currency").upper()
    if (custom := data.get("custom_fields")) is not None:
        body.update(_custom(system, custom))
    if (lines := data.get("lines")) is not None:
        body["lineItems"] = _lines(system, lines, creating=False)
    return body
