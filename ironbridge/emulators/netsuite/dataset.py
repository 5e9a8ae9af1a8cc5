"""The deterministic NetSuite sample data: purchase and work orders derived from their index.

``records`` purchase orders cost nothing until read: each is computed from its index and a
seeded hash. The first ones are the test scenarios (``SCENARIOS``), in this order; later ones
draw a scenario from the hash. ``lastModifiedDate`` rises with the index, two purchase orders
sharing each second, spread over ``span_days`` before ``anchor``.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from ironbridge.emulators.netsuite import samples
from ironbridge.emulators.netsuite.samples import (
    ITEM_BASE,
    ITEM_COUNT,
    OUT_OF_STOCK_ITEMS,
    UNKNOWN_VENDOR_ID,
    VENDOR_BASE,
    VENDOR_COUNT,
    currency_ref,
    instant,
    location_ref,
    mix,
    ref,
    subsidiary_ref,
)
from ironbridge.emulators.netsuite.store import Record, RecordStore

__all__ = [
    "PO_FIRST_ID",
    "PO_STATUS",
    "SCENARIOS",
    "WO_FIRST_ID",
    "WO_STATUS",
    "NetSuiteDataset",
    "StockTable",
]

PO_FIRST_ID = 10001
WO_FIRST_ID = 5_000_001
# new transactions are numbered after every generated one
_NEW_TRANSACTIONS = 9_000_001

# purchase order status letters (orderStatus.id) and their labels
PO_STATUS = {
    "A": "Pending Supervisor Approval",
    "B": "Pending Receipt",
    "C": "Rejected by Supervisor",
    "D": "Partially Received",
    "E": "Pending Billing/Partially Received",
    "F": "Pending Bill",
    "G": "Fully Billed",
    "H": "Closed",
    "P": "Planned",
}
# work order status letters [I]
WO_STATUS = {
    "A": "Planned",
    "B": "Released",
    "C": "Cancelled",
    "D": "In Process",
    "G": "Built",
    "H": "Closed",
}
APPROVAL = {"1": "Pending Approval", "2": "Approved", "3": "Rejected"}

# (scenario, status letter); the first len(SCENARIOS) purchase orders, in this order
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("pending_approval", "A"),
    ("pending_receipt", "B"),
    ("rejected", "C"),
    ("partially_received", "D"),
    ("pending_billing_partially_received", "E"),
    ("pending_bill", "F"),
    ("fully_billed", "G"),
    ("closed", "H"),
    ("cancelled", "H"),
    ("planned", "P"),
    ("custom_fields", "B"),
    ("unknown_vendor", "B"),
    ("out_of_stock", "B"),
    ("malformed", "B"),
)
_LATER = (
    ("pending_receipt", "B"),
    ("pending_receipt", "B"),
    ("pending_receipt", "B"),
    ("fully_billed", "G"),
    ("fully_billed", "G"),
    ("custom_fields", "B"),
    ("pending_approval", "A"),
    ("partially_received", "D"),
    ("pending_billing_partially_received", "E"),
    ("pending_bill", "F"),
    ("closed", "H"),
    ("cancelled", "H"),
    ("rejected", "C"),
    ("planned", "P"),
)
_MEMOS = ("Replenishment", "MRO restock", "Line 3 changeover parts", "Annual contract call-off",
          "Urgent breakdown spares", "Quarterly safety stock")  # fmt: skip
# scenarios that need a second line (one received, one not; or one out of stock)
_TWO_LINES = frozenset(
    {"partially_received", "pending_billing_partially_received", "closed", "out_of_stock"}
)
_WO_STATES = ("A", "B", "D", "G", "H", "B", "D", "C")
_DOCKS = ("Dock 1", "Dock 2", "Dock 3", "Dock 4")


class StockTable:
    """Rows of ``inventoryitemlocations`` keyed ``"<item>:<location>"``; small, held in full."""

    def __init__(self, rows: list[Record]) -> None:
        self._initial = {f"{r['item']}:{r['location']}": r for r in rows}
        self.rows: dict[str, Record] = copy.deepcopy(self._initial)

    def ordered(self) -> list[Record]:
        return sorted(self.rows.values(), key=lambda r: (int(r["item"]), int(r["location"])))

    def reset(self) -> None:
        self.rows = copy.deepcopy(self._initial)


class NetSuiteDataset:
    """Every record store of one emulated NetSuite account, keyed by record type."""

    def __init__(
        self,
        *,
        records: int = 250,
        seed: int = 1,
        anchor: datetime | None = None,
        span_days: int = 365,
        work_orders: int = 40,
    ) -> None:
        if records < 0 or work_orders < 0:
            raise ValueError("record counts must be >= 0")
        if records > WO_FIRST_ID - PO_FIRST_ID:
            raise ValueError(f"at most {WO_FIRST_ID - PO_FIRST_ID} purchase orders")
        self.records = records
        self.seed = seed
        self.anchor = samples.anchor_of(anchor)
        self.start = self.anchor - timedelta(days=span_days)
        slots = max(1, (records + 1) // 2)
        self._step = max(1, int(timedelta(days=span_days).total_seconds()) // slots)
        self._wo_step = int(timedelta(days=span_days).total_seconds()) // max(1, work_orders)
        self.stores: dict[str, RecordStore] = {
            "purchaseOrder": RecordStore(
                count=records,
                first_id=PO_FIRST_ID,
                build=self._purchase_order,
                fast={
                    "type": lambda _i: "PurchOrd",
                    "lastmodifieddate": self.po_stamp,
                    "id": lambda i: PO_FIRST_ID + i,
                },
                stamp=self.po_stamp,
            ),
            "workOrder": RecordStore(
                count=work_orders,
                first_id=WO_FIRST_ID,
                build=self._work_order,
                fast={"type": lambda _i: "WorkOrd", "id": lambda i: WO_FIRST_ID + i},
            ),
            "vendor": RecordStore.of_records(samples.vendors(seed, self.start)),
            "inventoryItem": RecordStore.of_records(samples.items(seed, self.start)),
            "location": RecordStore.of_records(samples.locations(self.start)),
            "currency": RecordStore.of_records(samples.currencies()),
            "subsidiary": RecordStore.of_records(
                [
                    {"id": sid, "name": name, "currency": currency_ref(cur), "country": country}
                    for sid, name, cur, country in samples.SUBSIDIARIES
                ]
            ),
        }
        self.stock = StockTable(samples.stock(seed))
        self._next_transaction = _NEW_TRANSACTIONS

    # -- purchase orders ---------------------------------------------------------------------

    def po_stamp(self, i: int) -> datetime:
        return self.start + timedelta(seconds=(i // 2) * self._step)

    def po_scenario(self, i: int) -> tuple[str, str]:
        if i < len(SCENARIOS):
            return SCENARIOS[i]
        return _LATER[mix(self.seed, i, 97) % len(_LATER)]

    def scenario_id(self, scenario: str) -> str | None:
        """The internal id of the purchase order of a named scenario (None if too few)."""
        for i, (name, _letter) in enumerate(SCENARIOS[: self.records]):
            if name == scenario:
                return str(PO_FIRST_ID + i)
        return None

    def _vendor(self, h: int, scenario: str) -> tuple[str, str, str]:
        """(vendor id, vendor name, subsidiary) of a generated purchase order."""
        if scenario == "unknown_vendor":
            return UNKNOWN_VENDOR_ID, "Hollis Tooling (deleted)", "1"
        n = h % VENDOR_COUNT
        if n in (7, VENDOR_COUNT - 1):  # inactive vendors get no new orders
            n = (n + 1) % VENDOR_COUNT
        vendor = self.stores["vendor"].get(str(VENDOR_BASE + 1 + n))
        assert vendor is not None
        return vendor["id"], vendor["companyName"], vendor["subsidiary"]["id"]

    def _line(self, i: int, j: int, scenario: str, letter: str, due: date, ship_to: str) -> Record:
        hi = mix(self.seed, i, 1 + j)
        product = hi % ITEM_COUNT
        if scenario == "out_of_stock" and j == 0:
            product = 2
        elif str(ITEM_BASE + 1 + product) in OUT_OF_STOCK_ITEMS or product == ITEM_COUNT - 1:
            product = (product + 1) % (ITEM_COUNT - 1)
        item = self.stores["inventoryItem"].get(str(ITEM_BASE + 1 + product))
        assert item is not None
        quantity = 1 + (hi >> 8) % 100
        rate = round(item["cost"] * (1 + ((hi >> 16) % 9) / 100), 2)
        first = j == 0
        received = {
            "D": quantity if first else 0,
            "E": quantity if first else 0,
            "F": quantity,
            "G": quantity,
            "H": quantity if scenario == "closed" and first else 0,
        }.get(letter, 0)
        billed = received if letter in ("D", "G") else 0
        line: Record = {
            "line": j + 1,
            "item": ref(item["id"], item["itemId"]),
            "itemType": ref("InvtPart", "InvtPart"),
            "description": item["purchaseDescription"],
            "quantity": quantity,
            "quantityReceived": received,
            "quantityBilled": billed,
            "rate": rate,
            "amount": round(quantity * rate, 2),
            "units": ref(item["stockUnit"]["id"], item["stockUnit"]["refName"]),
            "isClosed": letter == "H",
            "location": location_ref(ship_to),
            "expectedReceiptDate": (due + timedelta(days=j)).isoformat(),
        }
        if scenario == "custom_fields":
            line["custcol_ib_inspection_level"] = ("NORMAL", "TIGHT")[hi % 2]
        return line

    def _purchase_order(self, i: int) -> Record:
        h = mix(self.seed, i)
        scenario, letter = self.po_scenario(i)
        stamp = self.po_stamp(i)
        created = stamp - timedelta(days=(h >> 16) % 20, hours=(h >> 40) % 8)
        vendor_id, vendor_name, subsidiary = self._vendor(h, scenario)
        ship_to = samples.STOCK_LOCATIONS[subsidiary][
            (h >> 24) % len(samples.STOCK_LOCATIONS[subsidiary])
        ]
        tran_date = created.date()
        due = tran_date + timedelta(days=7 + (h >> 32) % 35)
        count = 1 + (h >> 20) % 3
        if scenario in _TWO_LINES:
            count = max(2, count)
        lines = [self._line(i, j, scenario, letter, due, ship_to) for j in range(count)]
        approval = {"A": "1", "P": "1", "C": "3"}.get(letter, "2")
        record: Record = {
            "id": str(PO_FIRST_ID + i),
            "tranId": f"PO{PO_FIRST_ID + i}",
            "tranDate": "2025-02-30" if scenario == "malformed" else tran_date.isoformat(),
            "dueDate": due.isoformat(),
            "createdDate": instant(created),
            "lastModifiedDate": instant(stamp),
            "status": ref(PO_STATUS[letter], PO_STATUS[letter]),
            "orderStatus": ref(letter, letter),
            "approvalStatus": ref(approval, APPROVAL[approval]),
            "entity": ref(vendor_id, vendor_name),
            "subsidiary": subsidiary_ref(subsidiary),
            "currency": currency_ref("2" if subsidiary == "2" else "1"),
            "exchangeRate": 1.0,
            "location": location_ref(ship_to),
            "memo": f"{_MEMOS[(h >> 44) % len(_MEMOS)]} {i + 1}",
            "total": round(sum(line["amount"] for line in lines), 2),
            "item": {"items": lines},
        }
        if scenario == "custom_fields":
            record["custbody_ib_project_code"] = f"PRJ-{(h >> 36) % 9000 + 1000}"
            dock = (h >> 48) % len(_DOCKS)
            record["custbody_ib_receiving_dock"] = ref(str(dock + 1), _DOCKS[dock])
        return record

    # -- work orders --------------------------------------------------------------------------

    def _work_order(self, i: int) -> Record:
        h = mix(self.seed, i, 61)
        letter = _WO_STATES[i % len(_WO_STATES)]
        stamp = self.start + timedelta(seconds=i * self._wo_step + 17)
        product = (h >> 8) % (ITEM_COUNT - 1)
        item = self.stores["inventoryItem"].get(str(ITEM_BASE + 1 + product))
        assert item is not None
        quantity = 10 + (h >> 16) % 90
        built = {"D": quantity // 2, "G": quantity, "H": quantity}.get(letter, 0)
        start = stamp.date() - timedelta(days=3)
        location = ("2", "3", "6")[h % 3]
        subsidiary = "2" if location == "6" else "1"
        return {
            "id": str(WO_FIRST_ID + i),
            "tranId": f"WO{1001 + i}",
            "tranDate": start.isoformat(),
            "createdDate": instant(stamp - timedelta(days=5)),
            "lastModifiedDate": instant(stamp),
            "status": ref(WO_STATUS[letter], WO_STATUS[letter]),
            "orderStatus": ref(letter, letter),
            "assemblyItem": ref(item["id"], item["itemId"]),
            "quantity": quantity,
            "built": built,
            "units": ref(item["stockUnit"]["id"], item["stockUnit"]["refName"]),
            "startDate": start.isoformat(),
            "endDate": (start + timedelta(days=4)).isoformat(),
            "location": location_ref(location),
            "subsidiary": subsidiary_ref(subsidiary),
            "memo": f"Build {item['displayName']}",
        }

    # -- ids and reset ------------------------------------------------------------------------

    def next_id(self, record_type: str) -> str:
        """A fresh internal id: transactions share one sequence, other records their own."""
        if record_type in ("purchaseOrder", "workOrder"):
            self._next_transaction += 1
            return str(self._next_transaction - 1)
        return str(self.stores[record_type].max_id() + 1)

    def reset(self) -> None:
        for store in self.stores.values():
            store.reset()
        self.stock.reset()
        self._next_transaction = _NEW_TRANSACTIONS
