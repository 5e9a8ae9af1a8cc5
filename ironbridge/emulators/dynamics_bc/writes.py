"""Writes to purchase orders and their lines as Business Central takes them: validated against
the company's vendors, items and locations; a released or in-review order refuses every change
but its receipt dates; received quantities protect lines and orders from deletion."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.dynamics_bc.errors import (
    BAD_REQUEST,
    DIALOG,
    FIELD_VALIDATION,
    BcError,
)
from ironbridge.emulators.dynamics_bc.samples import instant

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ironbridge.emulators.dynamics_bc.emulator import Company, DynamicsBcEmulator
    from ironbridge.emulators.dynamics_bc.store import Row

__all__ = [
    "HEADER_WRITABLE",
    "LINE_WRITABLE",
    "create_line",
    "create_order",
    "delete_line",
    "delete_order",
    "update_line",
    "update_order",
]

HEADER_WRITABLE = frozenset(
    {
        "number", "orderDate", "postingDate", "vendorId", "vendorNumber", "currencyCode",
        "requestedReceiptDate", "purchaser", "shipToName", "shipToContact", "pricesIncludeTax",
    }
)  # fmt: skip
LINE_WRITABLE = frozenset(
    {
        "sequence", "itemId", "lineType", "lineObjectNumber", "description", "unitOfMeasureCode",
        "quantity", "directUnitCost", "expectedReceiptDate", "locationId",
    }
)  # fmt: skip
# what a released (or in-review) purchase order still lets change
RELEASED_HEADER = frozenset({"requestedReceiptDate"})
RELEASED_LINE = frozenset({"expectedReceiptDate"})
_CURRENT_VALUE = {"Open": "Released", "In Review": "Pending Approval"}


def _dialog(message: str) -> BcError:
    return BcError(400, DIALOG, message)


def _check_properties(
    body: Mapping[str, Any], writable: frozenset[str], type_name: str, known: set[str]
) -> None:
    for name in body:
        if name.startswith("@odata."):
            continue
        if name in writable:
            continue
        if name in known:
            raise BcError(400, BAD_REQUEST, f"The property '{name}' is read-only.")
        raise BcError(
            400,
            BAD_REQUEST,
            f"The property '{name}' does not exist on type '{type_name}'. Make sure to only use "
            "property names that are defined by the type.",
        )


def _date(body: Mapping[str, Any], name: str) -> None:
    value = body.get(name)
    if value is None:
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise BcError(
            400,
            BAD_REQUEST,
            f"Cannot convert the literal '{value}' to the expected type 'Edm.Date'.",
        ) from None


def _number(body: Mapping[str, Any], name: str) -> None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise BcError(
            400,
            BAD_REQUEST,
            f"Cannot convert the literal '{value}' to the expected type 'Edm.Decimal'.",
        )


def _released(order: Row, changing: set[str], allowed: frozenset[str]) -> None:
    status = order.get("status")
    if status in _CURRENT_VALUE and changing - allowed:
        raise _dialog(
            f"Status must be equal to 'Open'  in Purchase Header: Document Type=Order, "
            f"No.={order.get('number')}. Current value is '{_CURRENT_VALUE[str(status)]}'."
        )


def _vendor(company: Company, body: Mapping[str, Any]) -> Row:
    vendors = company.tables["vendors"]
    given = body.get("vendorId") or body.get("vendorNumber")
    vendor = None
    if body.get("vendorId"):
        vendor = vendors.get(str(body["vendorId"]).lower())
    elif body.get("vendorNumber"):
        vendor = next(
            (r for _p, r in vendors.natural() if r.get("number") == body["vendorNumber"]), None
        )
    if vendor is None:
        raise BcError(
            400,
            FIELD_VALIDATION,
            f"The field Buy-from Vendor No. of table Purchase Header contains a value ({given}) "
            "that cannot be found in the related table (Vendor).",
        )
    if vendor.get("blocked") == "All":
        raise _dialog(
            f"You cannot create this type of document when Vendor {vendor['number']} is blocked "
            "with type All"
        )
    return vendor


def _item(company: Company, line: Mapping[str, Any]) -> Row:
    items = company.tables["items"]
    given = line.get("itemId") or line.get("lineObjectNumber")
    item = None
    if line.get("itemId"):
        item = items.get(str(line["itemId"]).lower())
    elif line.get("lineObjectNumber"):
        number = line["lineObjectNumber"]
        item = next((r for _p, r in items.natural() if r.get("number") == number), None)
    if item is None:
        raise BcError(
            400,
            FIELD_VALIDATION,
            f"The field No. of table Purchase Line contains a value ({given}) that cannot be "
            "found in the related table (Item).",
        )
    if item.get("blocked"):
        raise _dialog(f"Blocked must be equal to 'No'  in Item: No.={item['number']}. Current "
                      "value is 'Yes'.")  # fmt: skip
    return item


def _location(company: Company, value: Any) -> None:
    if value and company.tables["locations"].get(str(value).lower()) is None:
        raise BcError(
            400,
            FIELD_VALIDATION,
            f"The field Location Code of table Purchase Line contains a value ({value}) that "
            "cannot be found in the related table (Location).",
        )


def _totals(order: Row) -> None:
    lines = order.get("purchaseOrderLines") or []
    for line in lines:
        amount = round(float(line.get("quantity") or 0) * float(line.get("directUnitCost") or 0), 2)
        line.update(amountExcludingTax=amount, amountIncludingTax=amount, netAmount=amount)
    total = round(sum(float(line.get("amountExcludingTax") or 0) for line in lines), 2)
    order.update(totalAmountExcludingTax=total, totalAmountIncludingTax=total)
    order["fullyReceived"] = bool(lines) and all(
        float(line.get("receivedQuantity") or 0) >= float(line.get("quantity") or 0)
        for line in lines
    )


def _new_line(company: Company, order: Row, body: Mapping[str, Any], sequence: int) -> Row:
    line_type = body.get("lineType", "Item")
    if line_type != "Item":
        raise BcError(400, BAD_REQUEST, f"The line type '{line_type}' is not supported here.")
    for name in ("quantity", "directUnitCost"):
        _number(body, name)
    _date(body, "expectedReceiptDate")
    item = _item(company, body)
    _location(company, body.get("locationId"))
    return {
        "id": str(uuid.uuid4()),
        "documentId": order["id"],
        "sequence": int(body.get("sequence") or sequence),
        "itemId": item["id"],
        "accountId": "00000000-0000-0000-0000-000000000000",
        "lineType": "Item",
        "lineObjectNumber": item["number"],
        "description": body.get("description") or item["displayName"],
        "unitOfMeasureId": "00000000-0000-0000-0000-000000000000",
        "unitOfMeasureCode": body.get("unitOfMeasureCode") or item["baseUnitOfMeasureCode"],
        "quantity": float(body.get("quantity") or 0),
        "directUnitCost": float(
            body["directUnitCost"] if body.get("directUnitCost") is not None else item["unitCost"]
        ),
        "discountAmount": 0.0,
        "discountPercent": 0.0,
        "amountExcludingTax": 0.0,
        "taxCode": item.get("taxGroupCode", ""),
        "taxPercent": 0.0,
        "totalTaxAmount": 0.0,
        "amountIncludingTax": 0.0,
        "netAmount": 0.0,
        "expectedReceiptDate": body.get("expectedReceiptDate")
        or order.get("requestedReceiptDate")
        or "0001-01-01",
        "receivedQuantity": 0.0,
        "invoicedQuantity": 0.0,
        "invoiceQuantity": 0.0,
        "receiveQuantity": 0.0,
        "locationId": str(body.get("locationId") or "00000000-0000-0000-0000-000000000000"),
    }


def create_order(
    emulator: DynamicsBcEmulator, company: Company, body: Mapping[str, Any], known: set[str]
) -> Row:
    """A new purchase order (status Draft), with the lines of a deep insert."""
    lines = body.get("purchaseOrderLines") or []
    header = {k: v for k, v in body.items() if k != "purchaseOrderLines"}
    _check_properties(header, HEADER_WRITABLE, "Microsoft.NAV.purchaseOrder", known)
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        raise BcError(400, BAD_REQUEST, "purchaseOrderLines must be an array of objects.")
    for name in ("orderDate", "postingDate", "requestedReceiptDate"):
        _date(header, name)
    vendor = _vendor(company, header)
    table = company.tables["purchaseOrders"]
    number = str(header.get("number") or emulator.next_po_number(company))
    if any(r.get("number") == number for _p, r in table.natural()):
        raise _dialog(f"The Purchase Header already exists. Identification fields and values: "
                      f"Document Type='Order',No.='{number}'")  # fmt: skip
    today = emulator.now().date().isoformat()
    order: Row = {
        "id": str(uuid.uuid4()),
        "number": number,
        "orderDate": header.get("orderDate") or today,
        "postingDate": header.get("postingDate") or today,
        "vendorId": vendor["id"],
        "vendorNumber": vendor["number"],
        "vendorName": vendor["displayName"],
        "payToName": vendor["displayName"],
        "payToVendorId": vendor["id"],
        "payToVendorNumber": vendor["number"],
        "shipToName": header.get("shipToName") or company.name,
        "shipToContact": header.get("shipToContact") or "",
        "buyFromAddressLine1": vendor.get("addressLine1", ""),
        "buyFromCity": vendor.get("city", ""),
        "buyFromCountry": vendor.get("country", ""),
        "buyFromPostCode": vendor.get("postalCode", ""),
        "currencyId": "00000000-0000-0000-0000-000000000000",
        "currencyCode": header.get("currencyCode") or vendor.get("currencyCode") or "USD",
        "pricesIncludeTax": bool(header.get("pricesIncludeTax", False)),
        "paymentTermsId": "00000000-0000-0000-0000-000000000000",
        "shipmentMethodId": "00000000-0000-0000-0000-000000000000",
        "purchaser": header.get("purchaser") or "",
        "requestedReceiptDate": header.get("requestedReceiptDate") or "0001-01-01",
        "discountAmount": 0.0,
        "discountAppliedBeforeTax": True,
        "totalAmountExcludingTax": 0.0,
        "totalTaxAmount": 0.0,
        "totalAmountIncludingTax": 0.0,
        "fullyReceived": False,
        "status": "Draft",
        "lastModifiedDateTime": instant(emulator.now()),
        "purchaseOrderLines": [],
    }
    for n, line in enumerate(lines):
        _check_properties(line, LINE_WRITABLE, "Microsoft.NAV.purchaseOrderLine", set())
        order["purchaseOrderLines"].append(_new_line(company, order, line, 10000 * (n + 1)))
    _totals(order)
    order["fullyReceived"] = False
    emulator.stamp(order)
    table.insert(order)
    return order


def update_order(
    emulator: DynamicsBcEmulator, order: Row, body: Mapping[str, Any], known: set[str]
) -> Row:
    """The order with the header changes applied (and a new stamp)."""
    _check_properties(body, HEADER_WRITABLE, "Microsoft.NAV.purchaseOrder", known)
    changing = {k for k, v in body.items() if not k.startswith("@") and order.get(k) != v}
    _released(order, changing, RELEASED_HEADER)
    for name in ("orderDate", "postingDate", "requestedReceiptDate"):
        _date(body, name)
    updated = dict(order)
    if changing & {"vendorId", "vendorNumber"}:
        raise _dialog(
            f"You cannot change Buy-from Vendor No. on purchase order {order.get('number')} "
            "through this API; delete the order and create a new one."
        )
    updated.update({k: body[k] for k in changing})
    emulator.stamp(updated)
    return updated


def _line_index(order: Row, line_id: str) -> int:
    for n, line in enumerate(order.get("purchaseOrderLines") or []):
        if str(line.get("id")).lower() == line_id.lower():
            return n
    raise BcError(
        404,
        "Internal_RecordNotFound",
        f"The Purchase Line does not exist. Identification fields and values: "
        f"Document Type='Order',Document No.='{order.get('number')}',Id='{line_id}'",
    )


def create_line(
    emulator: DynamicsBcEmulator, company: Company, order: Row, body: Mapping[str, Any]
) -> tuple[Row, Row]:
    _check_properties(body, LINE_WRITABLE, "Microsoft.NAV.purchaseOrderLine", set())
    _released(order, {"purchaseOrderLines"}, RELEASED_HEADER)
    updated = dict(order)
    lines = [dict(line) for line in order.get("purchaseOrderLines") or []]
    sequence = max((int(line.get("sequence") or 0) for line in lines), default=0) + 10000
    line = _new_line(company, order, body, sequence)
    updated["purchaseOrderLines"] = [*lines, line]
    _totals(updated)
    emulator.stamp(line)
    emulator.stamp(updated)
    return updated, line


def update_line(
    emulator: DynamicsBcEmulator,
    company: Company,
    order: Row,
    line_id: str,
    body: Mapping[str, Any],
) -> tuple[Row, Row]:
    _check_properties(body, LINE_WRITABLE, "Microsoft.NAV.purchaseOrderLine", set())
    lines = [dict(line) for line in order.get("purchaseOrderLines") or []]
    index = _line_index(order, line_id)
    line = lines[index]
    changing = {k for k, v in body.items() if line.get(k) != v}
    _released(order, changing, RELEASED_LINE)
    for name in ("quantity", "directUnitCost"):
        _number(body, name)
    _date(body, "expectedReceiptDate")
    if "locationId" in changing:
        _location(company, body.get("locationId"))
    if changing & {"itemId", "lineObjectNumber"}:
        item = _item(company, body)
        line.update(itemId=item["id"], lineObjectNumber=item["number"])
        changing -= {"itemId", "lineObjectNumber"}
    quantity = float(body.get("quantity", line.get("quantity")) or 0)
    if quantity < float(line.get("receivedQuantity") or 0):
        raise _dialog(
            f"Quantity cannot be less than the quantity already received ("
            f"{line.get('receivedQuantity')}) on line {line.get('sequence')}."
        )
    line.update({k: body[k] for k in changing})
    lines[index] = line
    updated = dict(order)
    updated["purchaseOrderLines"] = lines
    _totals(updated)
    emulator.stamp(line)
    emulator.stamp(updated)
    return updated, line


def delete_line(emulator: DynamicsBcEmulator, order: Row, line_id: str) -> Row:
    _released(order, {"purchaseOrderLines"}, RELEASED_HEADER)
    lines = [dict(line) for line in order.get("purchaseOrderLines") or []]
    line = lines.pop(_line_index(order, line_id))
    if float(line.get("receivedQuantity") or 0) > 0:
        raise _dialog(f"You cannot delete line {line.get('sequence')}: it has been received.")
    updated = dict(order)
    updated["purchaseOrderLines"] = lines
    _totals(updated)
    emulator.stamp(updated)
    return updated


def delete_order(order: Row) -> None:
    """Refuse deleting what Business Central keeps: received or released orders."""
    if any(
        float(line.get("receivedQuantity") or 0) > 0
        for line in order.get("purchaseOrderLines") or []
    ):
        raise _dialog(
            f"Purchase order {order.get('number')} cannot be deleted because it has been "
            "partially or fully received."
        )
    _released(order, {"delete"}, frozenset())
