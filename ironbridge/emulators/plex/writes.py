"""Purchase order writes of the Plex emulator: ``POST`` creates an order with its line items,
``PUT`` changes the fields it is given; an approved order takes due date changes only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.plex import errors
from ironbridge.emulators.plex.dataset import KINDS, plex_instant
from ironbridge.emulators.plex.store import record_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ironbridge.emulators.plex.emulator import PlexEmulator
    from ironbridge.emulators.plex.store import Row

__all__ = ["CUSTOM_FIELDS", "create_purchase_order", "is_approved", "update_purchase_order"]

# the tenant's custom purchase order fields, written and read as top-level attributes
CUSTOM_FIELDS = ("costCenter", "projectCode")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")
_HEADER_TEXT = ("currencyCode", "terms", "shipTo", "type", "building", "freightTerms", "fob")
_HEADER_DATES = ("poDate", "dueDate", "scheduledReceiptDate")
_APPROVED_HEADER = frozenset({"dueDate", "scheduledReceiptDate"})
_LINE_FIELDS = frozenset(
    {
        "lineItemNumber",
        "partId",
        "itemId",
        "description",
        "unitPrice",
        "unit",
        "quantity",
        "dueDate",
    }
)


def _status(emulator: PlexEmulator, name: Any) -> Mapping[str, Any] | None:
    return next((s for s in emulator.dataset.statuses if s["name"] == name), None)


def is_approved(emulator: PlexEmulator, row: Mapping[str, Any]) -> bool:
    flags = _status(emulator, row.get("status")) or {}
    open_order = not flags.get("cancelled") and not flags.get("received")
    return bool(open_order and row.get("approvedDate"))


def _date(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise errors.invalid(
            f"The value of '{field}' is not a valid date. Dates must be UTC in the format "
            "YYYY-MM-DDThh:mm:ss.fffffffZ."
        )
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise errors.invalid(f"The value of '{field}' must be a non-empty string.")
    return value.strip()


def _amount(value: Any, field: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise errors.invalid(f"The value of '{field}' must be a number.")
    if value < 0 or (positive and value == 0):
        raise errors.invalid(f"The value of '{field}' must be greater than zero.")
    return float(value)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.invalid("The request body must be a JSON object.")
    return body


def _line(emulator: PlexEmulator, raw: Any, where: str, line: Row) -> Row:
    """``line`` with the fields of ``raw`` applied (a new line starts empty)."""
    raw = _object(raw)
    out = dict(line)
    parts = emulator.table("parts")
    if (part := raw.get("partId")) is not None:
        if not isinstance(part, str) or parts.find(part) is None:
            raise errors.invalid(f"{where}.partId: no part with id '{part}'.")
        out["partId"] = part
    if (item := raw.get("itemId")) is not None:
        out["itemId"] = _text(item, f"{where}.itemId")
    if (text := raw.get("description")) is not None:
        out["description"] = _text(text, f"{where}.description")
    if (unit := raw.get("unit")) is not None:
        out["unit"] = out["orderUnit"] = _text(unit, f"{where}.unit")
    if (price := raw.get("unitPrice")) is not None:
        out["unitPrice"] = _amount(price, f"{where}.unitPrice")
    release = dict((out.get("releases") or [{}])[0])
    if (quantity := raw.get("quantity")) is not None:
        release["quantity"] = _amount(quantity, f"{where}.quantity", positive=True)
    if (due := raw.get("dueDate")) is not None:
        release["dueDateTime"] = _date(due, f"{where}.dueDate")
    out["releases"] = [release, *(out.get("releases") or [])[1:]]
    return out


def _blank(emulator: PlexEmulator, index: int, number: int, due: str) -> Row:
    """A new line item (number ``number``) with one release, before its fields are applied."""
    now = plex_instant(emulator.now())
    return {
        "id": record_id(KINDS["line-items"], index),
        "lineItemNumber": number,
        "status": "Open",
        "unit": "ea",
        "orderUnit": "ea",
        "description": None,
        "unitPrice": 0.0,
        "partId": None,
        "itemId": None,
        "supplierPartNumber": None,
        "taxCode": None,
        "blanketQuantity": 0,
        "createdDate": now,
        "modifiedDate": now,
        "releases": [
            {
                "id": record_id(KINDS["releases"], index),
                "quantity": 0.0,
                "quantityReceived": 0.0,
                "dueDateTime": due,
                "status": "Open",
                "partial": False,
            }
        ],
    }


def _totals(row: Row) -> None:
    lines = row.get("_lineItems") or []
    row["lineItemCount"] = len(lines)
    row["lineItemTotal"] = round(
        sum(
            float(line.get("unitPrice") or 0)
            * sum(float(r.get("quantity") or 0) for r in line.get("releases") or [])
            for line in lines
        ),
        2,
    )


def _check_supplier(emulator: PlexEmulator, supplier: Any) -> str:
    found = None
    if isinstance(supplier, str):
        found = emulator.table("suppliers").find(supplier)
    if found is None:
        raise errors.invalid(f"supplierId: no supplier with id '{supplier}'.")
    if found.get("status") == "Inactive":
        raise errors.invalid(f"supplierId: supplier {found.get('code')} is inactive.")
    return str(supplier)


def create_purchase_order(emulator: PlexEmulator, body: Any) -> Row:
    """A new order in the tenant's default status, numbered after the last one."""
    body = _object(body)
    missing = [f for f in ("supplierId", "lineItems") if body.get(f) in (None, "", [])]
    if missing:
        raise errors.invalid(f"Required field(s) missing: {', '.join(missing)}.")
    table = emulator.table("purchase-orders")
    now = emulator.now()
    default = next(s for s in emulator.dataset.statuses if s["default"])
    row: Row = {
        "id": table.next_id(),
        "poNumber": f"{60000 + table.next_index:06d}",
        "status": default["name"],
        "type": "Production",
        "active": True,
        "receive": bool(default["receive"]),
        "supplierId": _check_supplier(emulator, body["supplierId"]),
        "supplierAddressId": None,
        "currencyCode": "USD",
        "poDate": plex_instant(now.replace(hour=0, minute=0, second=0, microsecond=0)),
        "dueDate": None,
        "scheduledReceiptDate": None,
        "approvedById": None,
        "approvedDate": None,
        "terms": None,
        "freightTerms": None,
        "shipTo": None,
        "fob": None,
        "blanketOrder": False,
        "consignment": False,
        "building": None,
        "createdById": emulator.dataset.user(0),
        "createdDate": plex_instant(now),
        "modifiedById": emulator.dataset.user(0),
    }
    for field in _HEADER_TEXT:
        if body.get(field) is not None:
            row[field] = _text(body[field], field)
    for field in _HEADER_DATES:
        if body.get(field) is not None:
            row[field] = _date(body[field], field)
    for field in CUSTOM_FIELDS:
        if field in body:
            row[field] = body[field]
    raw_lines = body["lineItems"]
    if not isinstance(raw_lines, list):
        raise errors.invalid("lineItems must be a list.")
    # line ids of created orders: after every generated line
    index = 4 * table.next_index
    lines = []
    for n, raw in enumerate(raw_lines):
        where = f"lineItems[{n}]"
        if _object(raw).get("quantity") is None:
            raise errors.invalid(f"Required field(s) missing: {where}.quantity.")
        due = row["dueDate"] or plex_instant(now + timedelta(days=14))
        blank = _blank(emulator, index + n, n + 1, due)
        lines.append(_line(emulator, raw, where, blank))
    row["_lineItems"] = lines
    _totals(row)
    emulator.save("purchase-orders", row, index=None)
    return row


def update_purchase_order(emulator: PlexEmulator, index: int, body: Any) -> Row:
    """Apply the fields given. Refused (409): any change to a received, closed or cancelled
    order, and any change but due dates to an approved one; voiding stays allowed."""
    body = _object(body)
    current = emulator.table("purchase-orders").get(index)
    assert current is not None
    row: Row = {**current, "_lineItems": [dict(line) for line in current.get("_lineItems") or []]}
    number = current.get("poNumber")
    flags = _status(emulator, current.get("status")) or {}
    changed: set[str] = set()
    if (status := body.get("status")) is not None and status != current.get("status"):
        target = _status(emulator, status)
        if target is None:
            raise errors.invalid(f"status: '{status}' is not a purchase order status.")
        if flags.get("cancelled") or flags.get("received"):
            raise errors.conflict(
                f"Purchase order {number} is {current.get('status')}; it cannot be changed."
            )
        row.update(status=status, active=bool(target["active"]), receive=bool(target["receive"]))
        if target["cancelled"]:
            # voiding takes nothing else along
            emulator.save("purchase-orders", row, index=index)
            return row
        changed.add("status")
    for field in (*_HEADER_TEXT, *_HEADER_DATES, *CUSTOM_FIELDS):
        if field not in body:
            continue
        value = body[field]
        if value is not None:
            value = _date(value, field) if field in _HEADER_DATES else value
            value = _text(value, field) if field in _HEADER_TEXT else value
        if value != current.get(field):
            row[field] = value
            changed.add(field)
    raw_lines = body.get("lineItems")
    if raw_lines is not None:
        if not isinstance(raw_lines, list):
            raise errors.invalid("lineItems must be a list.")
        lines = row["_lineItems"]
        for n, raw in enumerate(raw_lines):
            where = f"lineItems[{n}]"
            wanted = _object(raw).get("lineItemNumber")
            position = next(
                (p for p, line in enumerate(lines) if line.get("lineItemNumber") == wanted), None
            )
            if position is None:
                if wanted is not None:
                    raise errors.invalid(f"{where}.lineItemNumber: no line item {wanted}.")
                if raw.get("quantity") is None:
                    raise errors.invalid(f"Required field(s) missing: {where}.quantity.")
                due = row.get("dueDate") or plex_instant(emulator.now() + timedelta(days=14))
                line_index = 4 * index + len(lines) + 100_000_000
                blank = _blank(emulator, line_index, len(lines) + 1, due)
                lines.append(_line(emulator, raw, where, blank))
                changed.add("lineItems")
                continue
            before = lines[position]
            lines[position] = _line(emulator, raw, where, before)
            kinds = {
                k
                for k in _LINE_FIELDS - {"lineItemNumber"}
                if _line_value(before, k) != _line_value(lines[position], k)
            }
            if kinds - {"dueDate"}:
                changed.add("lineItems")
            elif kinds:
                changed.add("lineItems.dueDate")
    if changed and (flags.get("cancelled") or flags.get("received")):
        raise errors.conflict(
            f"Purchase order {number} is {current.get('status')}; it cannot be changed."
        )
    if is_approved(emulator, current) and changed - _APPROVED_HEADER - {"lineItems.dueDate"}:
        raise errors.conflict(
            f"Purchase order {number} is approved; only due dates can be changed."
        )
    if not changed:
        return dict(current)
    _totals(row)
    emulator.save("purchase-orders", row, index=index)
    return row


def _line_value(line: Mapping[str, Any], field: str) -> Any:
    release = (line.get("releases") or [{}])[0]
    if field == "quantity":
        return release.get("quantity")
    if field == "dueDate":
        return release.get("dueDateTime")
    return line.get(field)
