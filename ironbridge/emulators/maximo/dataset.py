"""The deterministic Maximo sample data: work and purchase orders computed from their index
(the first ones are the test scenarios), master data from ``samples``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ironbridge.emulators.maximo.samples import (
    ASSET_COUNT,
    ITEM_COUNT,
    ITEMSET,
    ORG,
    OUT_OF_STOCK_ITEMS,
    PEOPLE,
    SITES,
    UNKNOWN_VENDOR,
    VENDOR_COUNT,
    Malformed,
    asset_location,
    asset_number,
    assets,
    companies,
    inventory,
    item_number,
    items,
    locations,
    mix,
    vendor_code,
)
from ironbridge.emulators.maximo.store import Table

if TYPE_CHECKING:
    from ironbridge.emulators.maximo.store import Key, Row

__all__ = ["PO_BASE", "PO_SCENARIOS", "WO_BASE", "WO_SCENARIOS", "MaximoDataset"]

WO_BASE = 1_000_000
PO_BASE = 2_000_000

# (scenario, status as shown); the first work orders, in this order
WO_SCENARIOS: tuple[tuple[str, str], ...] = (
    ("waiting_approval", "WAPPR"),
    ("approved", "APPR"),
    ("waiting_schedule", "WSCH"),
    ("waiting_material", "WMATL"),
    ("waiting_plant", "WPCOND"),
    ("in_progress", "INPRG"),
    ("completed", "COMP"),
    ("closed", "CLOSE"),
    ("cancelled", "CAN"),
    ("synonym", "WAITPARTS"),
    ("custom_fields", "APPR"),
    ("task", "APPR"),
    ("malformed", "INPRG"),
)
_WO_LATER = (
    ("approved", "APPR"),
    ("approved", "APPR"),
    ("waiting_approval", "WAPPR"),
    ("in_progress", "INPRG"),
    ("in_progress", "INPRG"),
    ("waiting_schedule", "WSCH"),
    ("completed", "COMP"),
    ("closed", "CLOSE"),
    ("closed", "CLOSE"),
    ("cancelled", "CAN"),
    ("synonym", "WAITPARTS"),
    ("custom_fields", "INPRG"),
)
PO_SCENARIOS: tuple[tuple[str, str], ...] = (
    ("waiting_approval", "WAPPR"),
    ("approved", "APPR"),
    ("in_progress", "INPRG"),
    ("on_hold", "HOLD"),
    ("partially_received", "APPR"),
    ("received", "APPR"),
    ("closed", "CLOSE"),
    ("cancelled", "CAN"),
    ("synonym", "SENT"),
    ("revised", "REVISE"),
    ("revision", "APPR"),
    ("custom_fields", "APPR"),
    ("unknown_vendor", "APPR"),
    ("out_of_stock", "APPR"),
    ("malformed", "APPR"),
)
_PO_LATER = (
    ("approved", "APPR"),
    ("approved", "APPR"),
    ("approved", "APPR"),
    ("waiting_approval", "WAPPR"),
    ("in_progress", "INPRG"),
    ("partially_received", "APPR"),
    ("received", "APPR"),
    ("closed", "CLOSE"),
    ("cancelled", "CAN"),
    ("custom_fields", "APPR"),
    ("synonym", "SENT"),
)
_WORKTYPES = ("CM", "PM", "PM", "EM", "CM", "INSP", "PDM")
_TASKS = ("Replace bearing on", "Inspect", "Lubricate", "Repair leak on", "Calibrate", "Overhaul")
_HISTORY = frozenset({"CLOSE", "CAN", "REVISE"})
_DONE = frozenset({"COMP", "CLOSE"})


def _number_index(base: int, count: int, text: str) -> int | None:
    if not text.isdigit() or len(text) != len(str(base + 1)):
        return None
    index = int(text) - base - 1
    return index if 0 <= index < count else None


class MaximoDataset:
    """All tables of one emulated Maximo, by MBO table name.

    ``records`` work orders and as many purchase orders cost nothing until read. The first
    ones are the scenarios (``WO_SCENARIOS``, ``PO_SCENARIOS``), in that order; later ones
    draw a scenario from a seeded hash. ``changedate`` rises with the index, two records
    sharing each second, spread over ``span_days`` before ``anchor``.
    """

    def __init__(
        self,
        *,
        records: int = 250,
        seed: int = 1,
        anchor: datetime | None = None,
        span_days: int = 365,
        work_orders: int | None = None,
        purchase_orders: int | None = None,
    ) -> None:
        counts = (records, work_orders or 0, purchase_orders or 0)
        if any(n < 0 for n in counts) or span_days < 1:
            raise ValueError("record counts must be >= 0 and span_days >= 1")
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        anchor = now if anchor is None else anchor.astimezone(UTC).replace(microsecond=0)
        self.seed = seed
        self.anchor = anchor
        self.start = anchor - timedelta(days=span_days)
        self.wo_count = records if work_orders is None else work_orders
        self.po_count = records if purchase_orders is None else purchase_orders
        slots = max(1, (max(self.wo_count, self.po_count) + 1) // 2)
        self._step = max(1, int(timedelta(days=span_days).total_seconds()) // slots)
        self.tables: dict[str, Table] = {}
        self._build()

    # -- change stamps ---------------------------------------------------------------------

    def stamp(self, i: int) -> datetime:
        """The base ``changedate`` of the i-th work order and of the i-th purchase order."""
        return self.start + timedelta(seconds=(i // 2) * self._step)

    # -- work orders -----------------------------------------------------------------------

    def wo_scenario(self, i: int) -> tuple[str, str]:
        if i < len(WO_SCENARIOS):
            return WO_SCENARIOS[i]
        return _WO_LATER[mix(self.seed, i, 97) % len(_WO_LATER)]

    def wo_number(self, i: int) -> str:
        return str(WO_BASE + 1 + i)

    def _wo_site(self, i: int) -> str:
        return SITES[mix(self.seed, i, 11) % len(SITES)]

    def _wo_key(self, i: int) -> Key:
        return self._wo_site(i), self.wo_number(i)

    def _wo_index(self, number: str) -> list[int]:
        index = _number_index(WO_BASE, self.wo_count, number)
        return [] if index is None else [index]

    def _work_order(self, i: int) -> Row:
        h = mix(self.seed, i, 13)
        scenario, status = self.wo_scenario(i)
        site = self._wo_site(i)
        stamp = self.stamp(i)
        asset = ((h >> 8) % (ASSET_COUNT // 2)) * 2 + SITES.index(site)
        has_asset = (h >> 12) % 6 != 0
        location = asset_location(asset)
        estimate = Decimal(1 + (h >> 40) % 16) / 2
        reported = stamp - timedelta(days=20 + (h >> 32) % 20, hours=(h >> 20) % 9)
        start = reported + timedelta(days=1 + (h >> 36) % 5)
        internal = "WMATL" if status == "WAITPARTS" else status
        started = start if internal in ("INPRG", *_DONE) else None
        finished = start + timedelta(hours=float(estimate)) if internal in _DONE else None
        hours = estimate if internal in _DONE else (estimate / 2 if started else Decimal(0))
        custom = scenario == "custom_fields"
        lead = PEOPLE[(h >> 28) % len(PEOPLE)] if (h >> 44) % 5 else None
        target: object = start + timedelta(days=3 + (h >> 48) % 10)
        if scenario == "malformed":
            target = Malformed("2024-02-30T25:61:00+00:00")
        subject = f"asset {asset_number(asset)}" if has_asset else f"location {location}"
        return {
            "wonum": self.wo_number(i),
            "siteid": site,
            "orgid": ORG,
            "description": f"{_TASKS[(h >> 16) % len(_TASKS)]} {subject}",
            "description_longdescription": (
                f"Reported by operator on shift {1 + (h >> 52) % 3}." if h % 4 == 0 else None
            ),
            "status": status,
            "statusdate": stamp,
            "worktype": _WORKTYPES[(h >> 56) % len(_WORKTYPES)],
            "wopriority": None if (h >> 24) % 9 == 0 else 1 + (h >> 24) % 5,
            "assetnum": asset_number(asset) if has_asset else None,
            "location": location,
            "lead": lead,
            "supervisor": "WILSON",
            "reportedby": PEOPLE[(h >> 30) % len(PEOPLE)],
            "reportdate": reported,
            "schedstart": start,
            "schedfinish": start + timedelta(hours=float(estimate)),
            "targstartdate": start,
            "targcompdate": target,
            "actstart": started,
            "actfinish": finished,
            "estdur": estimate,
            "actlabhrs": hours,
            "changedate": stamp,
            "changeby": lead or "MAXADMIN",
            "workorderid": 10_000 + i,
            "woclass": "WORKORDER",
            "istask": scenario == "task",
            "parent": self.wo_number(0) if scenario == "task" else None,
            "historyflag": internal in _HISTORY,
            "cust_costcenter": f"CC-{(h >> 4) % 900 + 100}" if custom else None,
            "cust_permitrequired": bool(h & 1) if custom else None,
            "_rowstamp": 10_000_000 + i,
        }

    # -- purchase orders -------------------------------------------------------------------

    def po_scenario(self, i: int) -> tuple[str, str]:
        if i < len(PO_SCENARIOS):
            return PO_SCENARIOS[i]
        return _PO_LATER[mix(self.seed, i, 89) % len(_PO_LATER)]

    def po_number(self, i: int) -> str:
        # a revision shares the number of the purchase order it revises (the one before it)
        if self.po_scenario(i)[0] == "revision":
            i -= 1
        return str(PO_BASE + 1 + i)

    def _po_site(self, i: int) -> str:
        if self.po_scenario(i)[0] == "revision":
            i -= 1
        return SITES[mix(self.seed, i, 17) % len(SITES)]

    def _po_revision(self, i: int) -> int:
        return 1 if self.po_scenario(i)[0] == "revision" else 0

    def _po_key(self, i: int) -> Key:
        return self.po_number(i), str(self._po_revision(i)), self._po_site(i)

    def _po_index(self, number: str) -> list[int]:
        index = _number_index(PO_BASE, self.po_count, number)
        if index is None:
            return []
        candidates = (index, index + 1)
        return [j for j in candidates if j < self.po_count and self.po_number(j) == number]

    def _purchase_order(self, i: int) -> Row:
        scenario, status = self.po_scenario(i)
        origin = i - 1 if scenario == "revision" else i
        h = mix(self.seed, origin, 19)
        stamp = self.stamp(i)
        vendor_index = (h >> 8) % VENDOR_COUNT
        vendor = UNKNOWN_VENDOR if scenario == "unknown_vendor" else vendor_code(vendor_index)
        ordered = stamp - timedelta(days=3 + (h >> 16) % 20)
        required = ordered + timedelta(days=7 + (h >> 24) % 35)
        receipts = {"partially_received": "PARTIAL", "received": "COMPLETE"}.get(scenario, "NONE")
        if status == "CLOSE":
            receipts = "COMPLETE"
        count = 1 + (h >> 32) % 3
        if scenario in ("partially_received", "out_of_stock"):
            count = max(2, count)
        lines = [self._po_line(i, origin, j, scenario, receipts, required) for j in range(count)]
        custom = scenario == "custom_fields"
        return {
            "ponum": self.po_number(i),
            "revisionnum": self._po_revision(i),
            "siteid": self._po_site(i),
            "orgid": ORG,
            "description": f"Spare parts for {('maintenance', 'shutdown', 'stock')[(h >> 40) % 3]}",
            "status": status,
            "statusdate": stamp,
            "vendor": vendor,
            "orderdate": Malformed("0000-00-00T00:00:00") if scenario == "malformed" else ordered,
            "requireddate": required,
            "currencycode": "CAD" if vendor_index % 4 == 3 and vendor != UNKNOWN_VENDOR else "USD",
            "totalcost": sum((line["linecost"] for line in lines), Decimal(0)),
            "receipts": receipts,
            "potype": "STD",
            "purchaseagent": PEOPLE[(h >> 44) % len(PEOPLE)],
            "changedate": stamp,
            "changeby": "MAXADMIN",
            "poid": 20_000 + i,
            "historyflag": status in _HISTORY,
            "cust_projectcode": f"PRJ-{(h >> 4) % 9000 + 1000}" if custom else None,
            "cust_receivingdock": f"DOCK-{(h >> 48) % 12 + 1:02d}" if custom else None,
            "poline": lines,
            "_rowstamp": 20_000_000 + i,
        }

    def _po_line(
        self, i: int, origin: int, j: int, scenario: str, receipts: str, required: datetime
    ) -> Row:
        hj = mix(self.seed, origin, 100 + j)
        n = hj % ITEM_COUNT
        if scenario == "out_of_stock" and j == 0:
            n = int(OUT_OF_STOCK_ITEMS[0].split("-")[1]) - 1001
        elif item_number(n) in OUT_OF_STOCK_ITEMS:
            n = (n + 1) % ITEM_COUNT
        quantity = Decimal(1 + (hj >> 8) % 50)
        price = Decimal((hj >> 16) % 20000 + 100).scaleb(-2)
        received = quantity if receipts == "COMPLETE" or (receipts == "PARTIAL" and j == 0) else 0
        return {
            "polinenum": j + 1,
            "linetype": "TOOL" if n == 9 else "ITEM",
            "itemnum": item_number(n),
            "itemsetid": ITEMSET,
            "description": None,
            "orderqty": quantity,
            "orderunit": "EACH",
            "unitcost": price,
            "linecost": quantity * price,
            "receivedqty": Decimal(received),
            "reqdeliverydate": required,
            "storeloc": "CENTRAL",
            "polineid": 100_000 + i * 4 + j,
        }

    # -- tables ------------------------------------------------------------------------------

    def _build(self) -> None:
        item_rows = items(self.seed, self.start, self.anchor)
        self.tables = {
            "workorder": Table(
                keys=("siteid", "wonum"),
                number_attr="wonum",
                stamp_attr="changedate",
                count=self.wo_count,
                build=self._work_order,
                stamp=self.stamp,
                number=self.wo_number,
                key=self._wo_key,
                index_of=self._wo_index,
            ),
            "po": Table(
                keys=("ponum", "revisionnum", "siteid"),
                number_attr="ponum",
                stamp_attr="changedate",
                count=self.po_count,
                build=self._purchase_order,
                stamp=self.stamp,
                number=self.po_number,
                key=self._po_key,
                index_of=self._po_index,
            ),
            "asset": Table.of_rows(
                keys=("assetnum", "siteid"),
                number_attr="assetnum",
                stamp_attr="changedate",
                rows=assets(self.seed, self.start, self.anchor),
            ),
            "locations": Table.of_rows(
                keys=("location", "siteid"),
                number_attr="location",
                stamp_attr="changedate",
                rows=locations(self.seed, self.start, self.anchor),
            ),
            "item": Table.of_rows(
                keys=("itemnum", "itemsetid"),
                number_attr="itemnum",
                stamp_attr="changedate",
                rows=item_rows,
            ),
            "inventory": Table.of_rows(
                keys=("itemnum", "itemsetid", "location", "siteid"),
                number_attr="itemnum",
                stamp_attr=None,
                rows=inventory(self.seed, item_rows),
            ),
            "companies": Table.of_rows(
                keys=("company", "orgid"),
                number_attr="company",
                stamp_attr="changedate",
                rows=companies(self.seed, self.start, self.anchor),
            ),
        }

    def scenario_id(self, table: str, scenario: str) -> str | None:
        """The record id (key values joined by ``/``) of the first record of a scenario."""
        if table == "workorder":
            for i, (name, _status) in enumerate(WO_SCENARIOS[: self.wo_count]):
                if name == scenario:
                    return "/".join(self._wo_key(i))
        elif table == "po":
            for i, (name, _status) in enumerate(PO_SCENARIOS[: self.po_count]):
                if name == scenario:
                    return "/".join(self._po_key(i))
        return None

    def reset(self) -> None:
        for table in self.tables.values():
            table.reset()
