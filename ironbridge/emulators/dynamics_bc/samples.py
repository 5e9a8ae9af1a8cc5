"""The deterministic Business Central sample data: master data built once, purchase orders
derived from their index (a seeded hash picks vendor, lines and state), so that 100,000 of them
cost nothing until read.

The first purchase orders are the scenarios (``PO_SCENARIOS``, in this order); later ones draw
an ordinary state from the hash. ``lastModifiedDateTime`` rises with the index, spread evenly
over ``span_days`` before the anchor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = [
    "COMPANIES",
    "ITEM_COUNT",
    "LOCATIONS",
    "OUT_OF_STOCK_ITEMS",
    "PO_SCENARIOS",
    "UNKNOWN_VENDOR_ID",
    "UNKNOWN_VENDOR_NUMBER",
    "VENDOR_COUNT",
    "PoSpec",
    "guid",
    "index_of",
    "instant",
    "items",
    "locations",
    "production_orders",
    "purchase_order",
    "vendors",
]

# guid kinds: the first group of every generated id
COMPANY, VENDOR, ITEM, LOCATION, PURCHASE_ORDER, PO_LINE, CURRENCY = 1, 2, 3, 4, 5, 6, 7

VENDOR_COUNT = 24
ITEM_COUNT = 30
# items with nothing in stock (inventory 0): the out-of-stock scenario
OUT_OF_STOCK_ITEMS = (4, 5)
# (code, name, city, state)
LOCATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("MAIN", "Main Warehouse", "Atlanta", "GA"),
    ("EAST", "East Distribution Center", "Charlotte", "NC"),
    ("WEST", "West Distribution Center", "Phoenix", "AZ"),
    ("BLUE", "Blue Warehouse", "Chicago", "IL"),
    ("RED", "Red Production Site", "Detroit", "MI"),
)
# (id, name): the first holds the data; the second is an empty company
COMPANIES: tuple[tuple[str, str], ...] = (
    ("00000001-0000-4000-8000-000000000001", "CRONUS USA, Inc."),
    ("00000001-0000-4000-8000-000000000002", "My Company"),
)
PO_SCENARIOS: tuple[str, ...] = (
    "open",
    "draft",
    "in_review",
    "partially_received",
    "received",
    "custom_fields",
    "unknown_vendor",
    "out_of_stock",
    "malformed",
)
_LATER = ("open", "open", "open", "draft", "in_review", "partially_received", "received")
_STATUS = {"draft": "Draft", "in_review": "In Review"}
UNKNOWN_VENDOR_ID = "00000002-0000-4000-8000-0000000fffff"
UNKNOWN_VENDOR_NUMBER = "99999"
_VENDOR_NAMES = (
    "Fabrikam, Inc.", "First Up Consultants", "Graphic Design Institute", "Wide World Importers",
    "Nod Publishers", "London Postmaster", "Contoso Suppliers", "Litware Metals",
    "Adatum Industrial", "Northwind Components",
)  # fmt: skip
_ITEM_NAMES = (
    "ATHENS Desk", "PARIS Guest Chair, black", "ATHENS Mobile Pedestal", "LONDON Swivel Chair",
    "ANTWERP Conference Table", "MUNICH Swivel Chair", "ROME Guest Chair, green",
    "TOKYO Guest Chair, blue", "MEXICO Swivel Chair", "AMSTERDAM Lamp", "Bolt M8x40",
    "Hydraulic Filter", "Bearing 6204", "Conveyor Belt 2m", "Gasket Set",
)  # fmt: skip
_TYPES = ("Inventory", "Inventory", "Inventory", "Service", "Non-Inventory")
_PROD_STATUSES = ("Simulated", "Planned", "Firm Planned", "Released", "Finished")


def guid(kind: int, n: int) -> str:
    """The deterministic id of record ``n`` of a kind (``n`` is readable back by ``index_of``)."""
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def index_of(kind: int, value: str) -> int | None:
    """``n`` of a generated id of ``kind``, or None for any other id."""
    head, _, tail = value.lower().rpartition("-")
    if head != f"{kind:08x}-0000-4000-8000" or len(tail) != 12:
        return None
    try:
        return int(tail, 16)
    except ValueError:
        return None


def instant(value: datetime) -> str:
    """``lastModifiedDateTime`` as Business Central renders it: UTC, milliseconds, ``Z``."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def _hash(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _item_name(n: int) -> str:
    name = _ITEM_NAMES[n % len(_ITEM_NAMES)]
    return name if n < len(_ITEM_NAMES) else f"{name} ({n})"


def _address(n: int) -> dict[str, str]:
    city, state = LOCATIONS[n % len(LOCATIONS)][2:]
    return {
        "addressLine1": f"{100 + n} Industrial Way",
        "addressLine2": "",
        "city": city,
        "state": state,
        "country": "US",
        "postalCode": f"{30000 + n * 7:05d}",
    }


def vendors(stamp: datetime) -> list[dict[str, Any]]:
    """The vendors: the third is blocked for payments, the fourth for everything."""
    rows = []
    for n in range(VENDOR_COUNT):
        blocked = {2: "Payment", 3: "All"}.get(n, " ")
        name = _VENDOR_NAMES[n % len(_VENDOR_NAMES)]
        rows.append(
            {
                "id": guid(VENDOR, n),
                "number": str(10000 * (n + 1)),
                "displayName": name if n < len(_VENDOR_NAMES) else f"{name} {n // 10 + 1}",
                **_address(n),
                "phoneNumber": f"+1 555 01{n:02d}",
                "email": f"orders{n}@vendor{n}.example.com",
                "website": f"https://vendor{n}.example.com",
                "taxRegistrationNumber": f"{n:02d}-{7000000 + n}",
                "currencyId": "00000000-0000-0000-0000-000000000000",
                "currencyCode": "EUR" if n % 7 == 6 else "USD",
                "irs1099Code": "",
                "paymentTermsId": "00000000-0000-0000-0000-000000000000",
                "paymentMethodId": "00000000-0000-0000-0000-000000000000",
                "taxLiable": False,
                "blocked": blocked,
                "balance": round(1250.5 * n, 2),
                "lastModifiedDateTime": instant(stamp - timedelta(hours=VENDOR_COUNT - n)),
            }
        )
    return rows


def items(stamp: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(ITEM_COUNT):
        kind = _TYPES[n % len(_TYPES)] if n not in OUT_OF_STOCK_ITEMS else "Inventory"
        stocked = kind == "Inventory" and n not in OUT_OF_STOCK_ITEMS
        name = _item_name(n)
        rows.append(
            {
                "id": guid(ITEM, n),
                "number": f"{1900 + n}-S",
                "displayName": name,
                "displayName2": "",
                "type": kind,
                "itemCategoryId": "00000000-0000-0000-0000-000000000000",
                "itemCategoryCode": "CHAIR" if "Chair" in name else "PARTS",
                "blocked": n == ITEM_COUNT - 1,
                "gtin": f"{4006381333900 + n}",
                "inventory": float(10 + (n * 37) % 240) if stocked else 0.0,
                "unitPrice": round(15.0 + n * 3.25, 2),
                "priceIncludesTax": False,
                "unitCost": round(9.5 + n * 2.1, 2),
                "taxGroupId": "00000000-0000-0000-0000-000000000000",
                "taxGroupCode": "FURNITURE",
                "baseUnitOfMeasureId": "00000000-0000-0000-0000-000000000000",
                "baseUnitOfMeasureCode": "HOUR" if kind == "Service" else "PCS",
                "generalProductPostingGroupCode": "RETAIL",
                "inventoryPostingGroupCode": "RESALE" if kind == "Inventory" else "",
                "lastModifiedDateTime": instant(stamp - timedelta(hours=ITEM_COUNT - n)),
            }
        )
    return rows


def locations(stamp: datetime) -> list[dict[str, Any]]:
    rows = []
    for n, (code, name, _city, _state) in enumerate(LOCATIONS):
        rows.append(
            {
                "id": guid(LOCATION, n),
                "code": code,
                "displayName": name,
                "contact": "Warehouse Manager",
                **_address(n),
                "phoneNumber": f"+1 555 02{n:02d}",
                "email": f"{code.lower()}@cronus.example.com",
                "website": "",
                "lastModifiedDateTime": instant(stamp - timedelta(days=30 - n)),
            }
        )
    return rows


def production_orders(anchor: date, count: int = 15) -> list[dict[str, Any]]:
    """Analytics ``manufacturingProductionOrders``: every status, no id and no change stamp."""
    rows = []
    for n in range(count):
        item = n % ITEM_COUNT
        start = anchor - timedelta(days=40 - 2 * n)
        rows.append(
            {
                "status": _PROD_STATUSES[n % len(_PROD_STATUSES)],
                "no": f"{101001 + n}",
                "sourceType": "Item",
                "sourceNo": f"{1900 + item}-S",
                "routingNo": f"R-{1000 + n % 3}",
                "startingDate": start.isoformat(),
                "endingDate": (start + timedelta(days=5)).isoformat(),
                "dueDate": (start + timedelta(days=7)).isoformat(),
                "quantity": float(10 * (n + 1)),
                "description": _item_name(item),
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class PoSpec:
    """How purchase orders are derived: count, stamps and the anchor."""

    records: int
    anchor: datetime
    span_days: int = 365

    def stamp(self, index: int) -> datetime:
        """Non-decreasing with the index, to the millisecond, the last one at the anchor."""
        span = timedelta(days=self.span_days)
        step_ms = span // timedelta(milliseconds=1) // max(self.records, 1)
        return self.anchor - span + timedelta(milliseconds=step_ms * (index + 1))

    def scenario(self, index: int) -> str:
        if index < len(PO_SCENARIOS):
            return PO_SCENARIOS[index]
        return _LATER[_hash("po", index) % len(_LATER)]


def _line(
    po_id: str, index: int, n: int, item: int, location: int, ordered: date, scenario: str
) -> dict[str, Any]:
    h = _hash("line", index, n)
    quantity = float(1 + h % 20)
    cost = round(9.5 + item * 2.1, 2)
    received = {"received": quantity, "partially_received": quantity // 2 if n == 0 else 0.0}
    got = received.get(scenario, 0.0)
    amount = round(quantity * cost, 2)
    return {
        "id": guid(PO_LINE, index * 4 + n),
        "documentId": po_id,
        "sequence": 10000 * (n + 1),
        "itemId": guid(ITEM, item),
        "accountId": "00000000-0000-0000-0000-000000000000",
        "lineType": "Item",
        "lineObjectNumber": f"{1900 + item}-S",
        "description": _item_name(item),
        "unitOfMeasureId": "00000000-0000-0000-0000-000000000000",
        "unitOfMeasureCode": "PCS",
        "quantity": quantity,
        "directUnitCost": cost,
        "discountAmount": 0.0,
        "discountPercent": 0.0,
        "amountExcludingTax": amount,
        "taxCode": "FURNITURE",
        "taxPercent": 0.0,
        "totalTaxAmount": 0.0,
        "amountIncludingTax": amount,
        "netAmount": amount,
        "expectedReceiptDate": (ordered + timedelta(days=10 + n)).isoformat(),
        "receivedQuantity": got,
        "invoicedQuantity": got if scenario == "received" else 0.0,
        "invoiceQuantity": 0.0,
        "receiveQuantity": 0.0,
        "locationId": guid(LOCATION, location),
    }


def purchase_order(spec: PoSpec, index: int) -> dict[str, Any]:
    """Purchase order ``index`` with its ``purchaseOrderLines``, as first generated."""
    scenario = spec.scenario(index)
    h = _hash("po", index, "body")
    stamp = spec.stamp(index)
    ordered = (stamp - timedelta(days=2)).date()
    vendor = h % VENDOR_COUNT
    if vendor == 3:  # a vendor blocked for everything has no open orders
        vendor = 4
    location = (h >> 8) % len(LOCATIONS)
    po_id = guid(PURCHASE_ORDER, index)
    count = 1 + (h >> 16) % 3
    picks = [(h >> (20 + 5 * n)) % ITEM_COUNT for n in range(count)]
    picks = [p if p not in OUT_OF_STOCK_ITEMS else p + 2 for p in picks]
    if scenario == "out_of_stock":
        picks[0] = OUT_OF_STOCK_ITEMS[0]
    lines = [_line(po_id, index, n, p, location, ordered, scenario) for n, p in enumerate(picks)]
    total = round(sum(line["amountExcludingTax"] for line in lines), 2)
    vendor_id, vendor_number = guid(VENDOR, vendor), str(10000 * (vendor + 1))
    vendor_name = _VENDOR_NAMES[vendor % len(_VENDOR_NAMES)]
    if scenario == "unknown_vendor":
        vendor_id, vendor_number, vendor_name = (
            UNKNOWN_VENDOR_ID,
            UNKNOWN_VENDOR_NUMBER,
            "Gone Ltd.",
        )
    record: dict[str, Any] = {
        "id": po_id,
        "number": str(106001 + index),
        "orderDate": ordered.isoformat(),
        "postingDate": ordered.isoformat(),
        "vendorId": vendor_id,
        "vendorNumber": vendor_number,
        "vendorName": vendor_name,
        "payToName": vendor_name,
        "payToVendorId": vendor_id,
        "payToVendorNumber": vendor_number,
        "shipToName": "CRONUS USA, Inc.",
        "shipToContact": "",
        "buyFromAddressLine1": f"{100 + vendor} Industrial Way",
        "buyFromCity": LOCATIONS[vendor % len(LOCATIONS)][2],
        "buyFromCountry": "US",
        "buyFromPostCode": f"{30000 + vendor * 7:05d}",
        "currencyId": "00000000-0000-0000-0000-000000000000",
        "currencyCode": "EUR" if vendor % 7 == 6 else "USD",
        "pricesIncludeTax": False,
        "paymentTermsId": "00000000-0000-0000-0000-000000000000",
        "shipmentMethodId": "00000000-0000-0000-0000-000000000000",
        "purchaser": "PS",
        "requestedReceiptDate": (ordered + timedelta(days=14)).isoformat(),
        "discountAmount": 0.0,
        "discountAppliedBeforeTax": True,
        "totalAmountExcludingTax": total,
        "totalTaxAmount": 0.0,
        "totalAmountIncludingTax": total,
        "fullyReceived": scenario == "received",
        "status": _STATUS.get(scenario, "Open"),
        "lastModifiedDateTime": instant(stamp),
        "purchaseOrderLines": lines,
    }
    if scenario == "custom_fields":
        record["projectCode"] = f"PRJ-{index:05d}"
        record["receivingDock"] = "DOCK-2"
    if scenario == "malformed":
        record["orderDate"] = "2025-02-30"
        record["number"] = ""
    return record
