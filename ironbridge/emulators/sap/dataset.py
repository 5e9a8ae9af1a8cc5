"""The deterministic SAP sample data: purchase orders derived from their index, master data.

``records`` purchase orders cost nothing until read: each one is computed from its index and a
seeded hash. The first purchase orders are the test scenarios (``SCENARIOS``), in this order;
later ones draw a scenario from the hash. ``LastChangeDateTime`` rises with the index, two
purchase orders sharing each instant, spread over ``span_days`` before ``anchor``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ironbridge.emulators.sap.samples import (
    MO_BASE,
    OUT_OF_STOCK_MATERIALS,
    PLANTS,
    PO_BASE,
    PRODUCT_COUNT,
    PRODUCTION_BASE,
    PRODUCTS,
    SUPPLIER_COUNT,
    UNKNOWN_SUPPLIER,
    Malformed,
    description,
    equipment,
    maintenance_order,
    mix,
    plants,
    production_order,
    products,
    stock,
    suppliers,
)
from ironbridge.emulators.sap.tables import ChildTable, Key, Record, Rows, Table

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SCENARIOS", "SapDataset"]

# (scenario, PurchasingProcessingStatus); the first len(SCENARIOS) POs, in this order
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("approved", "05"),
    ("draft", "01"),
    ("pending_approval", "03"),
    ("active", "02"),
    ("partially_received", "05"),
    ("received", "05"),
    ("closed", "05"),
    ("cancelled", "05"),
    ("rejected", "08"),
    ("blocked", "05"),
    ("custom_fields", "05"),
    ("unknown_supplier", "05"),
    ("out_of_stock", "05"),
    ("malformed", "05"),
)
# scenario draws for the later POs: mostly ordinary orders in every state
_LATER = (
    ("approved", "05"),
    ("approved", "05"),
    ("approved", "05"),
    ("active", "02"),
    ("active", "02"),
    ("custom_fields", "05"),
    ("draft", "01"),
    ("pending_approval", "03"),
    ("partially_received", "05"),
    ("received", "05"),
    ("closed", "05"),
    ("cancelled", "05"),
    ("rejected", "08"),
)


def _number_key(base: int, count: int) -> tuple[Callable[[int], Key], Callable[[Key], int | None]]:
    def key_of(i: int) -> Key:
        return (str(base + 1 + i),)

    def index_of(key: Key) -> int | None:
        text = key[0] if len(key) == 1 else ""
        if not text.isdigit() or len(text) != len(str(base + 1)):
            return None
        index = int(text) - base - 1
        return index if 0 <= index < count else None

    return key_of, index_of


class SapDataset:
    """All tables of one emulated SAP system, keyed by internal table name."""

    def __init__(
        self,
        *,
        records: int = 250,
        seed: int = 1,
        anchor: datetime | None = None,
        span_days: int = 365,
        maintenance_orders: int = 40,
        production_orders: int = 40,
    ) -> None:
        if records < 0 or maintenance_orders < 0 or production_orders < 0:
            raise ValueError("record counts must be >= 0")
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        anchor = now if anchor is None else anchor.astimezone(UTC).replace(microsecond=0)
        self.records = records
        self.seed = seed
        self.anchor = anchor
        self._start = anchor - timedelta(days=span_days)
        slots = max(1, (records + 1) // 2)
        self._step = max(1, int(timedelta(days=span_days).total_seconds()) // slots)
        self._counts = {
            "purchase_order": records,
            "maintenance_order": maintenance_orders,
            "production_order": production_orders,
        }
        self._next = dict(self._counts)
        self.tables: dict[str, Rows] = {}
        self._build_tables()

    # -- purchase orders ---------------------------------------------------------------------

    def po_stamp(self, i: int) -> datetime:
        return self._start + timedelta(seconds=(i // 2) * self._step)

    def po_scenario(self, i: int) -> tuple[str, str]:
        if i < len(SCENARIOS):
            return SCENARIOS[i]
        return _LATER[mix(self.seed, i, 97) % len(_LATER)]

    def scenario_po(self, scenario: str) -> str | None:
        """The purchase order number of a named scenario (None if ``records`` is too small)."""
        for i, (name, _status) in enumerate(SCENARIOS[: self.records]):
            if name == scenario:
                return str(PO_BASE + 1 + i)
        return None

    def _po_item_count(self, i: int) -> int:
        count = 1 + (mix(self.seed, i) >> 20) % 3
        scenario = self.po_scenario(i)[0]
        return max(2, count) if scenario in ("partially_received", "out_of_stock") else count

    def _po_header(self, i: int) -> Record:
        h = mix(self.seed, i)
        scenario, status = self.po_scenario(i)
        plant = PLANTS[h % len(PLANTS)]
        stamp = self.po_stamp(i)
        created = (stamp - timedelta(days=(h >> 16) % 20)).date()
        supplier = f"{17300001 + (h >> 8) % SUPPLIER_COUNT}"
        custom = scenario == "custom_fields"
        return {
            "PurchaseOrder": str(PO_BASE + 1 + i),
            "CompanyCode": plant[2],
            "PurchaseOrderType": "NB",
            "PurchasingDocumentDeletionCode": {"cancelled": "L", "blocked": "S"}.get(scenario, ""),
            "PurchasingProcessingStatus": status,
            "CreatedByUser": f"CB99800{(h >> 12) % 10:05d}",
            "CreationDate": created,
            "LastChangeDateTime": stamp,
            "Supplier": UNKNOWN_SUPPLIER if scenario == "unknown_supplier" else supplier,
            "Language": plant[5],
            "PaymentTerms": ("0001", "0002", "NT30")[(h >> 24) % 3],
            "PurchasingOrganization": plant[2],
            "PurchasingGroup": f"00{1 + (h >> 28) % 3}",
            "PurchaseOrderDate": Malformed("0000-00-00") if scenario == "malformed" else created,
            "DocumentCurrency": plant[3],
            "IncotermsClassification": ("FOB", "EXW", "DAP")[(h >> 32) % 3],
            "PurchasingCompletenessStatus": scenario == "draft",
            "ReleaseIsNotCompleted": scenario == "pending_approval",
            "YY1_ProjectCode_PDH": f"PRJ-{(h >> 36) % 9000 + 1000}" if custom else "",
            "ZZ1_ReceivingDock_PDH": f"DOCK-{(h >> 40) % 12 + 1:02d}" if custom else "",
        }

    def _po_item_keys(self, po: Key) -> list[Key]:
        i = int(po[0]) - PO_BASE - 1
        return [(po[0], str(10 * (j + 1))) for j in range(self._po_item_count(i))]

    def _po_item(self, key: Key) -> Record:
        i = int(key[0]) - PO_BASE - 1
        j = int(key[1]) // 10 - 1
        h = mix(self.seed, i)
        hi = mix(self.seed, i, 1 + j)
        scenario = self.po_scenario(i)[0]
        plant = PLANTS[h % len(PLANTS)]
        product = hi % PRODUCT_COUNT
        if scenario == "out_of_stock" and j == 0:
            product = 2
        elif f"TG{11 + product}" in OUT_OF_STOCK_MATERIALS:
            product = (product + 1) % PRODUCT_COUNT
        name, unit, _kind = PRODUCTS[product % len(PRODUCTS)]
        delivered = scenario in ("received", "closed") or (
            scenario == "partially_received" and j == 0
        )
        return {
            "PurchaseOrder": key[0],
            "PurchaseOrderItem": key[1],
            "PurchaseOrderItemText": name,
            "Material": f"TG{11 + product}",
            "MaterialGroup": f"L00{1 + product % 4}",
            "Plant": plant[0],
            "StorageLocation": plant[4],
            "OrderQuantity": Decimal(1 + (hi >> 8) % 100),
            "PurchaseOrderQuantityUnit": unit,
            "NetPriceAmount": Decimal((hi >> 16) % 50000 + 100).scaleb(-2),
            "NetPriceQuantity": Decimal(1),
            "DocumentCurrency": plant[3],
            "PurchaseOrderItemCategory": "0",
            "AccountAssignmentCategory": "K" if (hi >> 40) % 5 == 0 else "",
            "IsCompletelyDelivered": delivered,
            "IsFinallyInvoiced": scenario == "closed",
            "PurchasingDocumentDeletionCode": "L" if scenario == "cancelled" else "",
            "YY1_InspectionLevel_PDI": ("NORMAL", "TIGHT")[hi % 2]
            if scenario == "custom_fields"
            else "",
        }

    def _schedule_keys(self, item: Key) -> list[Key]:
        return [(item[0], item[1], "1")]

    def _schedule_line(self, key: Key) -> Record:
        item = self._po_item((key[0], key[1]))
        i = int(key[0]) - PO_BASE - 1
        created = self.po_stamp(i).date() - timedelta(days=(mix(self.seed, i) >> 16) % 20)
        lead = 7 + mix(self.seed, i, 50 + int(key[1])) % 35
        return {
            "PurchasingDocument": key[0],
            "PurchasingDocumentItem": key[1],
            "ScheduleLine": key[2],
            "DelivDateCategory": "1",
            "ScheduleLineDeliveryDate": created + timedelta(days=lead),
            "PurchaseOrderQuantityUnit": item["PurchaseOrderQuantityUnit"],
            "ScheduleLineOrderQuantity": item["OrderQuantity"],
        }

    # -- master data and orders --------------------------------------------------------------

    def _order_stamp(self, table: str, i: int) -> datetime:
        count = max(1, self._counts[table])
        step = int((self.anchor - self._start).total_seconds()) // count
        return self._start + timedelta(seconds=i * step + 17)

    def _build_tables(self) -> None:
        po_key, po_index = _number_key(PO_BASE, self.records)
        purchase_orders = Table(
            key_fields=("PurchaseOrder",),
            count=self.records,
            key_of=po_key,
            index_of=po_index,
            build=self._po_header,
            fast={"LastChangeDateTime": self.po_stamp, "PurchaseOrder": lambda i: po_key(i)[0]},
        )
        items = ChildTable(
            key_fields=("PurchaseOrder", "PurchaseOrderItem"),
            parent=purchase_orders,
            base_keys=self._po_item_keys,
            build=self._po_item,
        )
        product_rows = Table.of_records(("Product",), products(self._start))
        mo_key, mo_index = _number_key(MO_BASE, self._counts["maintenance_order"])
        prod_key, prod_index = _number_key(PRODUCTION_BASE, self._counts["production_order"])
        self.tables = {
            "purchase_order": purchase_orders,
            "purchase_order_item": items,
            "schedule_line": ChildTable(
                key_fields=("PurchasingDocument", "PurchasingDocumentItem", "ScheduleLine"),
                parent=items,
                base_keys=self._schedule_keys,
                build=self._schedule_line,
            ),
            "supplier": Table.of_records(("Supplier",), suppliers(self.seed, self._start)),
            "stock": Table.of_records(_STOCK_KEYS, stock(self.seed)),
            "plant": Table.of_records(("Plant",), plants()),
            "product": product_rows,
            "product_description": ChildTable(
                key_fields=("Product", "Language"),
                parent=product_rows,
                base_keys=lambda p: [(p[0], "EN")],
                build=lambda k: description(k[0]),
            ),
            "equipment": Table.of_records(("Equipment",), equipment(self.seed, self._start)),
            "maintenance_order": Table(
                key_fields=("MaintenanceOrder",),
                count=self._counts["maintenance_order"],
                key_of=mo_key,
                index_of=mo_index,
                build=lambda i: maintenance_order(
                    self.seed, i, self._order_stamp("maintenance_order", i)
                ),
            ),
            "production_order": Table(
                key_fields=("ManufacturingOrder",),
                count=self._counts["production_order"],
                key_of=prod_key,
                index_of=prod_index,
                build=lambda i: production_order(
                    self.seed, i, self._order_stamp("production_order", i)
                ),
            ),
        }

    def table(self, name: str) -> Rows:
        return self.tables[name]

    def next_number(self, table: str) -> str:
        """The next free document number of ``purchase_order`` or ``maintenance_order``."""
        base = {"purchase_order": PO_BASE, "maintenance_order": MO_BASE}[table]
        self._next[table] += 1
        return str(base + self._next[table])

    def reset(self) -> None:
        for rows in self.tables.values():
            rows.reset()
        self._next = dict(self._counts)


_STOCK_KEYS = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
)
