"""The deterministic data of one emulated Plex tenant: purchase orders (with line items and
releases), suppliers, parts, active containers, locations and jobs, each computed from its
index so that 100,000 purchase orders cost nothing until they are listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.plex.store import Table, record_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ironbridge.emulators.plex.store import Row

__all__ = [
    "CONTAINER_PREFIX",
    "KINDS",
    "PO_SCENARIOS",
    "PO_STATUSES",
    "PlexDataset",
    "plex_instant",
    "serial_index",
    "serial_number",
]

# the first hex group of each resource's deterministic UUIDs
KINDS: Mapping[str, int] = {
    "purchase-orders": 0x6F0C0001,
    "suppliers": 0x1B2C0002,
    "parts": 0x9A7E0003,
    "locations": 0x10C40004,
    "jobs": 0x70B00005,
    "line-items": 0x11AE0006,
    "releases": 0x2E1E0007,
    "users": 0xA5E20008,
    "statuses": 0x57A70009,
    "containers": 0xC0A7000A,
}
CONTAINER_PREFIX = "S"

# the tenant's purchase order statuses: names are the tenant's own, flags carry the meaning
_FLAGS = ("active", "default", "receive", "cancelled", "release", "onOrder", "received")
PO_STATUSES: tuple[dict[str, Any], ...] = tuple(
    {
        "id": record_id(KINDS["statuses"], n),
        "name": name,
        **dict(zip(_FLAGS, flags, strict=True)),
        "includeInMrp": flags[2],
    }
    for n, (name, flags) in enumerate(
        (
            ("Quote", (True, True, False, False, False, False, False)),
            ("Open", (True, False, True, False, False, True, False)),
            ("Firm", (True, False, True, False, True, True, False)),
            ("Complete", (True, False, False, False, False, False, True)),
            ("Closed", (False, False, False, False, False, False, True)),
            ("Void", (False, False, False, True, False, False, False)),
        )
    )
)
# scenario name -> (status name, approved); the first purchase orders, in this order
PO_SCENARIOS: tuple[tuple[str, str, bool], ...] = (
    ("draft", "Quote", False),
    ("pending_approval", "Open", False),
    ("approved", "Open", True),
    ("partially_received", "Firm", True),
    ("received", "Complete", True),
    ("closed", "Closed", True),
    ("cancelled", "Void", False),
    ("custom_fields", "Open", True),
    ("unknown_vendor", "Firm", True),
    ("malformed", "Open", True),
)
_CYCLE: tuple[tuple[str, bool], ...] = (
    ("Open", True),
    ("Firm", True),
    ("Complete", True),
    ("Open", False),
    ("Firm", True),
    ("Closed", True),
    ("Quote", False),
    ("Void", False),
)
_SUPPLIER_STATUSES = ("Approved", "Approved", "Approved", "Preferred", "Probation")
_PART_TYPES = ("Raw Material", "Purchased", "Component", "Finished Good", "Supply", "Spare")
_UNITS = ("ea", "kg", "m", "ea", "lb", "box")
_LOCATION_TYPES = ("Warehouse", "Stores", "Production", "Receiving", "Shipping", "Quality")
_JOB_STATUSES = ("Scheduled", "Released", "In Production", "Complete", "Closed", "Cancelled")
_BUILDINGS = ("B1", "B2", "B3")
_CURRENCIES = ("USD", "USD", "USD", "EUR", "CAD")
_TERMS = ("Net 30", "Net 45", "Net 60", "2% 10 Net 30")


def plex_instant(value: datetime) -> str:
    """UTC ISO with ``Z``; seven fractional digits when there is a fraction."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{value.microsecond:06d}0Z" if value.microsecond else f"{text}Z"


def serial_number(index: int) -> str:
    return f"{CONTAINER_PREFIX}{index + 1000001:07d}"


def serial_index(value: str) -> int | None:
    if not value.startswith(CONTAINER_PREFIX) or not value[1:].isdigit():
        return None
    index = int(value[1:]) - 1000001
    return index if index >= 0 else None


def _spread(i: int, n: int) -> int:
    """A deterministic, well-mixed pick in ``range(n)`` for record ``i``."""
    return (i * 2654435761 + 97) % 4294967296 % n


class PlexDataset:
    """The tenant's tables; ``records`` purchase orders, master data in proportion."""

    def __init__(
        self, *, records: int = 60, anchor: datetime | None = None, span_days: int = 365
    ) -> None:
        if records < 0:
            raise ValueError("records must be >= 0")
        self.records = records
        # records are stamped over ``span_days`` up to ``anchor`` (default: now)
        self.anchor = (anchor or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.span = timedelta(days=span_days)
        self.suppliers_count = max(8, min(500, records // 10))
        self.parts_count = max(12, min(2000, records // 5))
        self.locations_count = 8
        self.containers_count = self.parts_count + 2
        self.jobs_count = max(12, min(5000, records // 4))
        self.tables: dict[str, Table] = {
            "purchase-orders": Table(
                kind=KINDS["purchase-orders"], count=records, build=self._purchase_order
            ),
            "suppliers": Table(
                kind=KINDS["suppliers"], count=self.suppliers_count, build=self._supplier
            ),
            "parts": Table(kind=KINDS["parts"], count=self.parts_count, build=self._part),
            "locations": Table(
                kind=KINDS["locations"], count=self.locations_count, build=self._location
            ),
            "containers": Table(
                kind=KINDS["containers"],
                count=self.containers_count,
                build=self._container,
                make_id=serial_number,
                parse_id=serial_index,
            ),
            "jobs": Table(kind=KINDS["jobs"], count=self.jobs_count, build=self._job),
        }
        self.statuses = [dict(s) for s in PO_STATUSES]

    def reset(self) -> None:
        for table in self.tables.values():
            table.reset()

    # -- ids and instants -------------------------------------------------------------------

    def id_of(self, resource: str, index: int) -> str:
        return self.tables[resource].make_id(index)

    def stamp(self, index: int, count: int) -> datetime:
        """The change stamp of record ``index`` of ``count``: spread over the span, ascending."""
        step = self.span / (count + 1)
        return (self.anchor - self.span + step * (index + 1)).replace(microsecond=0)

    def scenario_index(self, name: str) -> int | None:
        """The purchase order index of a scenario (None if the dataset is too small)."""
        for index, (scenario, _status, _approved) in enumerate(PO_SCENARIOS):
            if scenario == name:
                return index if index < self.records else None
        return None

    def scenario_id(self, name: str) -> str | None:
        index = self.scenario_index(name)
        return None if index is None else self.id_of("purchase-orders", index)

    @property
    def unknown_supplier_id(self) -> str:
        return record_id(KINDS["suppliers"], 0xFFFFFF)

    def user(self, n: int) -> str:
        return record_id(KINDS["users"], n % 7)

    # -- builders ---------------------------------------------------------------------------

    def _purchase_order(self, i: int) -> Row:
        if i < len(PO_SCENARIOS):
            scenario, status, approved = PO_SCENARIOS[i]
        else:
            scenario = ""
            status, approved = _CYCLE[_spread(i, len(_CYCLE))]
        modified = self.stamp(i, self.records)
        created = modified - timedelta(days=1 + i % 20, hours=i % 7)
        ordered = created.replace(hour=0, minute=0, second=0)
        due = ordered + timedelta(days=14 + i % 27)
        supplier = (
            self.unknown_supplier_id
            if scenario == "unknown_vendor"
            else self.id_of("suppliers", 2 + i % (self.suppliers_count - 2))
        )
        lines = self._line_items(i, status, scenario, created, due)
        total = sum(
            round(line["unitPrice"] * sum(r["quantity"] for r in line["releases"]), 2)
            for line in lines
        )
        row: Row = {
            "id": self.id_of("purchase-orders", i),
            "poNumber": f"{60000 + i:06d}",
            "status": status,
            "type": "Production" if i % 4 else "Maintenance",
            "active": status not in ("Closed", "Void"),
            "receive": status in ("Open", "Firm"),
            "supplierId": supplier,
            "supplierAddressId": record_id(0xADD00009, i % self.suppliers_count),
            "currencyCode": _CURRENCIES[i % len(_CURRENCIES)],
            "poDate": plex_instant(ordered),
            "dueDate": plex_instant(due),
            "scheduledReceiptDate": plex_instant(due - timedelta(days=2)),
            "approvedById": self.user(i) if approved else None,
            "approvedDate": plex_instant(created + timedelta(hours=5)) if approved else None,
            "terms": _TERMS[i % len(_TERMS)],
            "freightTerms": "Prepaid" if i % 2 else "Collect",
            "shipTo": f"Plant {1 + i % 3}",
            "fob": "Origin",
            "lineItemCount": len(lines),
            "lineItemTotal": round(total, 2),
            "blanketOrder": False,
            "consignment": False,
            "building": _BUILDINGS[i % len(_BUILDINGS)],
            "createdById": self.user(i + 1),
            "createdDate": plex_instant(created),
            "modifiedById": self.user(i + 2),
            "modifiedDate": plex_instant(modified),
            "_lineItems": lines,
        }
        if scenario == "custom_fields":
            row["costCenter"] = "CC-4100"
            row["projectCode"] = f"PRJ-{i:04d}"
        if scenario == "malformed":
            row["poDate"] = "2024-13-45T00:00:00Z"
        return row

    def _line_items(
        self, i: int, status: str, scenario: str, created: datetime, due: datetime
    ) -> list[Row]:
        lines: list[Row] = []
        for k in range(1 + i % 3):
            part = (i * 3 + k) % self.parts_count
            quantity = float(5 * (1 + (i + k) % 20))
            if status in ("Complete", "Closed"):
                received = quantity
            elif scenario == "partially_received" and k == 0:
                received = quantity / 5
            else:
                received = 0.0
            lines.append(
                {
                    "id": record_id(KINDS["line-items"], i * 4 + k),
                    "lineItemNumber": k + 1,
                    "status": "Closed" if received == quantity else "Open",
                    "unit": _UNITS[part % len(_UNITS)],
                    "orderUnit": _UNITS[part % len(_UNITS)],
                    "description": f"Part {10000 + part} supply",
                    "unitPrice": round(1.25 + ((i * 7 + k * 13) % 500) / 4, 2),
                    "partId": self.id_of("parts", part),
                    "itemId": None,
                    "supplierPartNumber": f"SP-{part:05d}",
                    "taxCode": "T1",
                    "blanketQuantity": 0,
                    "createdDate": plex_instant(created),
                    "modifiedDate": plex_instant(created),
                    "releases": [
                        {
                            "id": record_id(KINDS["releases"], i * 4 + k),
                            "quantity": quantity,
                            "quantityReceived": received,
                            "dueDateTime": plex_instant(due + timedelta(days=k)),
                            "status": "Received" if received == quantity else "Open",
                            "partial": 0 < received < quantity,
                        }
                    ],
                }
            )
        return lines

    def _supplier(self, i: int) -> Row:
        status = "Inactive" if i == 0 else "On Hold" if i == 1 else _SUPPLIER_STATUSES[i % 5]
        modified = self.stamp(i, self.suppliers_count)
        return {
            "id": self.id_of("suppliers", i),
            "code": f"SUP{i + 1:04d}",
            "oldCode": None,
            "name": f"Supplier {i + 1} Industries",
            "category": "Production" if i % 3 else "MRO",
            "status": status,
            "type": "Supplier",
            "parentSupplierId": None,
            "webAddress": f"https://supplier{i + 1}.example.com",
            "language": "English",
            "note": None,
            "createdDate": plex_instant(modified - timedelta(days=400)),
            "modifiedDate": plex_instant(modified),
        }

    def _part(self, i: int) -> Row:
        modified = self.stamp(i, self.parts_count)
        return {
            "id": self.id_of("parts", i),
            "number": f"{10000 + i}",
            "revision": "A" if i % 4 else "B",
            "name": f"Part {10000 + i}",
            "description": f"Part {10000 + i} supply",
            "type": _PART_TYPES[i % len(_PART_TYPES)],
            "group": "General",
            "source": "Purchased" if i % 2 else "Manufactured",
            "status": "Obsolete" if i == 0 else "Active",
            "inventoryUnit": _UNITS[i % len(_UNITS)],
            "createdDateTime": plex_instant(modified - timedelta(days=300)),
            "modifiedDateTime": plex_instant(modified),
        }

    def _location(self, i: int) -> Row:
        return {
            "id": self.id_of("locations", i),
            "locationCode": f"{_BUILDINGS[i % 3]}-{_LOCATION_TYPES[i % 6][:4].upper()}-{i:02d}",
            "buildingCode": _BUILDINGS[i % 3],
            "locationType": _LOCATION_TYPES[i % len(_LOCATION_TYPES)],
            "inventoryLocation": _LOCATION_TYPES[i % 6] in ("Warehouse", "Stores"),
            "modifiedDateTime": plex_instant(self.stamp(i, self.locations_count)),
        }

    def _container(self, i: int) -> Row:
        # container 0 is emptied (out of stock); part 1 has no container at all
        part = 0 if i == 0 else (i + 1) % self.parts_count
        part = 2 if part == 1 else part
        quantity = 0.0 if i == 0 else float(10 * (1 + i % 12))
        location = i % self.locations_count
        return {
            "partId": self.id_of("parts", part),
            "partNo": f"{10000 + part}",
            "revision": "A" if part % 4 else "B",
            "containerStatus": "Hold" if i % 9 == 4 else "OK",
            "locationId": self.id_of("locations", location),
            "location": self._location(location)["locationCode"],
            "quantity": quantity,
            "quantityInventoryUnit": quantity,
            "lotId": None,
            "lotNo": f"L{2400 + i % 50}",
            "serialNo": serial_number(i),
            "inventoryType": "Raw" if part % 2 else "Finished",
            "updateDateTime": plex_instant(self.stamp(i, self.containers_count)),
        }

    def _job(self, i: int) -> Row:
        status = _JOB_STATUSES[i % len(_JOB_STATUSES)]
        part = i % self.parts_count
        quantity = float(100 + 25 * (i % 8))
        due = self.stamp(i, self.jobs_count) + timedelta(days=10)
        completed = {"Complete": quantity, "Closed": quantity, "In Production": quantity / 2}
        done = status in ("Complete", "Closed")
        return {
            "id": self.id_of("jobs", i),
            "jobNumber": f"J{50000 + i}",
            "partId": self.id_of("parts", part),
            "partNumber": f"{10000 + part}",
            "quantity": quantity,
            "quantityCompleted": completed.get(status, 0.0),
            "jobStatus": status,
            "dueDate": plex_instant(due),
            "completedDate": plex_instant(due - timedelta(days=1)) if done else None,
            "buildingCode": _BUILDINGS[i % 3],
            "priority": 1 + i % 5,
        }
