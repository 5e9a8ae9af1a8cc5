"""The deterministic dataset: purchase orders (with their items), vendors, items, warehouses,
item-warehouse stock and manufacturing orders, derived from each record's index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ironbridge.emulators.infor_xa.store import Table, TableSpec

if TYPE_CHECKING:
    from ironbridge.emulators.infor_xa.store import Row

__all__ = [
    "CLASSES",
    "ITEM",
    "MANUFACTURING_ORDER",
    "PO_ITEM",
    "PO_SCENARIOS",
    "PURCHASE_ORDER",
    "STOCK",
    "UNKNOWN_VENDOR",
    "VENDOR",
    "WAREHOUSE",
    "XaDataset",
    "stamp_text",
]

PURCHASE_ORDER = "com.mapics.pm.PurchaseOrder"
PO_ITEM = "com.mapics.pm.PoItem"
VENDOR = "com.mapics.pm.Vendor"
ITEM = "com.mapics.csm.Item"
STOCK = "com.mapics.epdm.ItemWarehouse"
MANUFACTURING_ORDER = "com.mapics.obpm.ManufacturingOrder"
WAREHOUSE = "com.mapics.csm.Warehouse"
STAMP = "lastChangeTimestamp"

CLASSES: dict[str, TableSpec] = {
    PURCHASE_ORDER: TableSpec(
        domain_class=PURCHASE_ORDER,
        keys=("order",),
        stamp=STAMP,
        properties=(
            "order",
            "vendor",
            "vendorName",
            "orderStatus",
            "approvalStatus",
            "buyer",
            "warehouse",
            "currency",
            "orderCreatedDate",
            "requestedDeliveryDate",
            "lastRevisionDate",
            "revision",
            "description",
            "userFieldCodeA",
            "userFieldCodeB",
            STAMP,
        ),
    ),
    PO_ITEM: TableSpec(
        domain_class=PO_ITEM,
        keys=("order", "line"),
        stamp=None,
        properties=(
            "order",
            "line",
            "item",
            "itemDescription",
            "warehouse",
            "orderQuantityRequested",
            "quantityReceived",
            "unitPriceRequested",
            "orderUm",
            "dueToDockDate",
            "dueToStockDate",
            "blanketItem",
        ),
    ),
    VENDOR: TableSpec(
        domain_class=VENDOR,
        keys=("vendor",),
        stamp=STAMP,
        properties=(
            "vendor",
            "name",
            "address1",
            "address4City",
            "postalCode",
            "country",
            "phone",
            "currency",
            "vendorStatus",
            STAMP,
        ),
    ),
    ITEM: TableSpec(
        domain_class=ITEM,
        keys=("item",),
        stamp=STAMP,
        properties=(
            "item",
            "itemDescription",
            "itemType",
            "stockingUm",
            "unitCost",
            "currency",
            "itemStatus",
            STAMP,
        ),
    ),
    STOCK: TableSpec(
        domain_class=STOCK,
        keys=("item", "warehouse"),
        stamp=None,
        properties=(
            "item",
            "warehouse",
            "onHandQuantity",
            "allocatedQuantity",
            "onOrderQuantity",
            "reorderPoint",
            "stockingUm",
        ),
    ),
    MANUFACTURING_ORDER: TableSpec(
        domain_class=MANUFACTURING_ORDER,
        keys=("order",),
        stamp=STAMP,
        properties=(
            "order",
            "item",
            "warehouse",
            "totalOrderQuantity",
            "quantityCompleted",
            "orderStatus",
            "startDate",
            "dueDate",
            "actualStartDate",
            "actualCompletionDate",
            STAMP,
        ),
    ),
    WAREHOUSE: TableSpec(
        domain_class=WAREHOUSE,
        keys=("warehouse",),
        stamp=STAMP,
        properties=("warehouse", "description", "address4City", "country", STAMP),
    ),
}

# (orderStatus, approvalStatus) of each scenario, in the order the first orders take them
PO_SCENARIOS: dict[str, tuple[str, str]] = {
    "standard": ("0", "A"),
    "custom_fields": ("0", "A"),
    "draft": ("0", "N"),
    "pending_approval": ("0", "P"),
    "partially_received": ("2", "A"),
    "received": ("3", "A"),
    "closed": ("4", "A"),
    "cancelled": ("9", "A"),
    "rejected": ("0", "R"),
    "unknown_vendor": ("0", "A"),
    "malformed": ("0", "A"),
}
_SCENARIO_NAMES = tuple(PO_SCENARIOS)
_CYCLE = (("0", "A"), ("0", "N"), ("0", "P"), ("2", "A"), ("3", "A"), ("4", "A"), ("9", "A"))
UNKNOWN_VENDOR = "V99999"
VENDORS = 12
ITEMS = 16
WAREHOUSES = ("W1", "W2", "W3", "W4", "W5")
_CITIES = ("Atlanta", "Toledo", "Leeds", "Lyon", "Monterrey", "Osaka")
_COUNTRIES = ("US", "US", "GB", "FR", "MX", "JP")
_ITEM_TYPES = ("P", "M", "S", "C", "P", "V")
_MO_STATUSES = ("10", "20", "30", "40", "90", "99")
# out-of-stock scenario: these item numbers hold nothing in any warehouse
OUT_OF_STOCK = ("ITEM-0004", "ITEM-0009")


def stamp_text(instant: datetime, offset: timedelta) -> str:
    """A change stamp as the system writes it: local time, DB2 timestamp layout."""
    local = instant.astimezone(UTC) + offset
    return local.strftime("%Y-%m-%d-%H.%M.%S.%f")


def ymd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


class XaDataset:
    """Every table of one emulator, generated from ``records`` purchase orders and ``anchor``."""

    def __init__(self, *, records: int, anchor: datetime, utc_offset: timedelta) -> None:
        self.records = records
        self.anchor = anchor.astimezone(UTC)
        self.offset = utc_offset
        self.mo_count = max(12, records // 10)
        self.tables: dict[str, Table] = {}
        self.next_numbers: dict[str, int] = {}
        self.build()

    def build(self) -> None:
        records, mos = self.records, self.mo_count
        self.tables = {
            PURCHASE_ORDER: self._table(PURCHASE_ORDER, records, self._po_key, self._po),
            VENDOR: self._table(VENDOR, VENDORS, lambda i: (f"V{i + 1:05d}",), self._vendor),
            ITEM: self._table(ITEM, ITEMS, lambda i: (f"ITEM-{i + 1:04d}",), self._item),
            STOCK: self._table(STOCK, ITEMS * len(WAREHOUSES), self._stock_key, self._stock),
            MANUFACTURING_ORDER: self._table(
                MANUFACTURING_ORDER, mos, lambda i: (f"M{i + 1:06d}",), self._mo
            ),
            WAREHOUSE: self._table(
                WAREHOUSE, len(WAREHOUSES), lambda i: (WAREHOUSES[i],), self._warehouse
            ),
        }
        self.next_numbers = {PURCHASE_ORDER: records + 1, MANUFACTURING_ORDER: mos + 1}

    def _table(self, name: str, count: int, key: object, make: object) -> Table:
        spec = CLASSES[name]
        stamp_of = (lambda i: self._stamp(name, i, count)) if spec.stamp else (lambda i: None)
        return Table(spec, count=count, key=key, make=make, stamp=stamp_of)  # type: ignore[arg-type]

    def _stamp(self, name: str, index: int, count: int) -> str:
        # one record a minute up to the anchor; master data an hour apart, further back
        step = (
            timedelta(minutes=1)
            if name in (PURCHASE_ORDER, MANUFACTURING_ORDER)
            else (timedelta(hours=1))
        )
        return stamp_text(self.anchor - step * (count - index), self.offset)

    def scenario_id(self, name: str) -> str | None:
        index = _SCENARIO_NAMES.index(name)
        return f"P{index + 1:06d}" if index < self.records else None

    # -- purchase orders ----------------------------------------------------------------------

    @staticmethod
    def _po_key(i: int) -> tuple[str, ...]:
        return (f"P{i + 1:06d}",)

    def _po(self, i: int) -> Row:
        scenario = _SCENARIO_NAMES[i] if i < len(_SCENARIO_NAMES) else None
        status, approval = PO_SCENARIOS[scenario] if scenario else _CYCLE[i % len(_CYCLE)]
        created = (self.anchor - timedelta(minutes=self.records - i)).date() - timedelta(days=2)
        vendor = UNKNOWN_VENDOR if scenario == "unknown_vendor" else f"V{i % VENDORS + 1:05d}"
        order = f"P{i + 1:06d}"
        row: Row = {
            "order": order,
            "vendor": vendor,
            "vendorName": "" if vendor == UNKNOWN_VENDOR else f"Vendor {i % VENDORS + 1}",
            "orderStatus": status,
            "approvalStatus": approval,
            "buyer": ("JSMITH", "AKIM", "RPATEL")[i % 3],
            "warehouse": WAREHOUSES[i % len(WAREHOUSES)],
            "currency": "EUR" if i % 5 == 4 else "USD",
            "orderCreatedDate": ymd(created),
            "requestedDeliveryDate": ymd(created + timedelta(days=14 + i % 10)),
            "lastRevisionDate": ymd(created),
            "revision": 0,
            "description": f"Replenishment {order}",
            "userFieldCodeA": "CC-4100" if scenario == "custom_fields" else "",
            "userFieldCodeB": "DOCK-7" if scenario == "custom_fields" else "",
            STAMP: self._stamp(PURCHASE_ORDER, i, self.records),
        }
        if scenario == "malformed":
            row["orderCreatedDate"] = 20251399
        received_share = {"2": Decimal("0.5"), "3": Decimal(1), "4": Decimal(1)}.get(status)
        lines = []
        for j in range(1 + i % 3):
            quantity = Decimal(10 * (j + 1) + i % 7)
            item = f"ITEM-{(i + j) % ITEMS + 1:04d}"
            due = ymd(created + timedelta(days=14 + i % 10 + j))
            lines.append(
                {
                    "order": order,
                    "line": str(j + 1),
                    "item": item,
                    "itemDescription": f"Part {item}",
                    "warehouse": row["warehouse"],
                    "orderQuantityRequested": quantity,
                    "quantityReceived": (
                        Decimal(0) if received_share is None
                        else (quantity * received_share).quantize(Decimal(1))
                    ),
                    "unitPriceRequested": Decimal(f"{2 + (i + j) % 40}.{(i * 7 + j) % 100:02d}"),
                    "orderUm": "EA",
                    "dueToDockDate": due,
                    "dueToStockDate": due,
                    "blanketItem": "false",
                }
            )  # fmt: skip
        row["_lines"] = lines
        return row

    # -- master data and manufacturing --------------------------------------------------------

    def _vendor(self, i: int) -> Row:
        return {
            "vendor": f"V{i + 1:05d}",
            "name": f"Vendor {i + 1}",
            "address1": f"{100 + i} Industrial Way",
            "address4City": _CITIES[i % len(_CITIES)],
            "postalCode": f"{30300 + i}",
            "country": _COUNTRIES[i % len(_COUNTRIES)],
            "phone": f"+1 555 01{i:02d}",
            "currency": "EUR" if _COUNTRIES[i % len(_COUNTRIES)] == "FR" else "USD",
            "vendorStatus": "H" if i % 6 == 5 else ("D" if i % 11 == 10 else "A"),
            STAMP: self._stamp(VENDOR, i, VENDORS),
        }

    def _item(self, i: int) -> Row:
        return {
            "item": f"ITEM-{i + 1:04d}",
            "itemDescription": f"Part ITEM-{i + 1:04d}",
            "itemType": _ITEM_TYPES[i % len(_ITEM_TYPES)],
            "stockingUm": "EA",
            "unitCost": Decimal(f"{3 + i}.25"),
            "currency": "USD",
            "itemStatus": "I" if i % 8 == 7 else "A",
            STAMP: self._stamp(ITEM, i, ITEMS),
        }

    @staticmethod
    def _stock_key(i: int) -> tuple[str, ...]:
        return (f"ITEM-{i // len(WAREHOUSES) + 1:04d}", WAREHOUSES[i % len(WAREHOUSES)])

    def _stock(self, i: int) -> Row:
        item, warehouse = self._stock_key(i)
        empty = item in OUT_OF_STOCK
        on_hand = Decimal(0) if empty else Decimal(20 + (i * 13) % 180)
        return {
            "item": item,
            "warehouse": warehouse,
            "onHandQuantity": on_hand,
            "allocatedQuantity": Decimal(0) if empty else Decimal(i % 9),
            "onOrderQuantity": Decimal(50) if empty else Decimal(i % 4 * 10),
            "reorderPoint": Decimal(25),
            "stockingUm": "EA",
        }

    def _mo(self, i: int) -> Row:
        start = (self.anchor - timedelta(days=(self.mo_count - i) % 40)).date()
        status = _MO_STATUSES[i % len(_MO_STATUSES)]
        quantity = Decimal(100 + i % 5 * 50)
        done = {"30": quantity / 2, "40": quantity, "90": quantity}.get(status, Decimal(0))
        return {
            "order": f"M{i + 1:06d}",
            "item": f"ITEM-{i % ITEMS + 1:04d}",
            "warehouse": WAREHOUSES[i % len(WAREHOUSES)],
            "totalOrderQuantity": quantity,
            "quantityCompleted": done,
            "orderStatus": status,
            "startDate": ymd(start),
            "dueDate": ymd(start + timedelta(days=7)),
            "actualStartDate": ymd(start) if status in ("30", "40", "90") else 0,
            "actualCompletionDate": ymd(start + timedelta(days=6)) if status in ("40", "90") else 0,
            STAMP: self._stamp(MANUFACTURING_ORDER, i, self.mo_count),
        }

    def _warehouse(self, i: int) -> Row:
        return {
            "warehouse": WAREHOUSES[i],
            "description": f"Warehouse {WAREHOUSES[i]}",
            "address4City": _CITIES[i],
            "country": _COUNTRIES[i],
            STAMP: self._stamp(WAREHOUSE, i, len(WAREHOUSES)),
        }
