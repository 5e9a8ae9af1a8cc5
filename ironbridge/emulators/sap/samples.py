"""Master data and order samples of the SAP dataset: plants, suppliers, materials, stock,
equipment, maintenance and production orders, each derived from a seed and its position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ironbridge.emulators.sap.tables import Record

_MASK = (1 << 64) - 1

UNKNOWN_SUPPLIER = "17399999"
PO_BASE = 4500000000
MO_BASE = 4000000
PRODUCTION_BASE = 1000000

PLANTS = (
    # plant, name, company code, currency, storage location, language
    ("1010", "Plant 1 DE", "1010", "EUR", "101A", "DE"),
    ("1710", "Plant 1 US", "1710", "USD", "171A", "EN"),
    ("1720", "Plant 2 US", "1710", "USD", "172A", "EN"),
)
_SUPPLIER_WORDS = (
    "Acme",
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
)
_SUPPLIER_KINDS = ("Metals", "Components", "Logistics", "Industrial Supply", "Fasteners")
PRODUCTS = (
    ("Hex bolt M8x40", "PC", "ROH"),
    ("Ball bearing 6204", "PC", "ROH"),
    ("Hydraulic oil ISO 46", "L", "ROH"),
    ("Steel sheet 2mm", "KG", "ROH"),
    ("Gear motor 0.75kW", "PC", "HALB"),
    ("V-belt SPZ 1000", "PC", "ROH"),
    ("Pump assembly P-100", "PC", "FERT"),
    ("Safety gloves", "PR", "HIBE"),
)
_EQUIPMENT = (
    "Centrifugal pump",
    "Air compressor",
    "Conveyor belt",
    "CNC lathe",
    "Boiler",
    "Chiller",
)
_MO_TEXTS = ("Replace bearing", "Inspect seals", "Lubricate drive", "Annual inspection", "Fix leak")
PRODUCT_COUNT = 48
SUPPLIER_COUNT = 40
EQUIPMENT_COUNT = 24
# every sixth material has no stock anywhere
OUT_OF_STOCK_MATERIALS = tuple(f"TG{11 + j}" for j in range(PRODUCT_COUNT) if j % 6 == 2)


@dataclass(frozen=True, slots=True)
class Malformed:
    """A raw value the system sends but no client can parse (the malformed-record scenario)."""

    text: str


def mix(seed: int, index: int, salt: int = 0) -> int:
    """splitmix64 of (seed, index, salt): cheap, deterministic pseudo-randomness per row."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def packed_timestamp(instant: datetime) -> Decimal:
    """SAP's packed ``YYYYMMDDhhmmss`` timestamp of an instant."""
    return Decimal(instant.astimezone(UTC).strftime("%Y%m%d%H%M%S"))


def suppliers(seed: int, start: datetime) -> list[Record]:
    rows = []
    for n in range(SUPPLIER_COUNT):
        h = mix(seed, n, 11)
        name = f"{_SUPPLIER_WORDS[h % 8]} {_SUPPLIER_KINDS[(h >> 4) % 5]} {n + 1}"
        number = str(17300001 + n)
        rows.append(
            {
                "Supplier": number,
                "BusinessPartner": number,
                "SupplierAccountGroup": "SUPL",
                "SupplierName": name,
                "SupplierFullName": f"{name} Inc.",
                "CreatedByUser": "CB9980000010",
                "CreationDate": (start - timedelta(days=30 + n)).date(),
                "PostingIsBlocked": False,
                "PurchasingIsBlocked": n == 6,
                "PaymentIsBlockedForSupplier": False,
                "DeletionIndicator": n == SUPPLIER_COUNT - 1,
                "VATRegistration": f"US{h % 10**9:09d}",
            }
        )
    return rows


def products(start: datetime) -> list[Record]:
    rows = []
    for j in range(PRODUCT_COUNT):
        _name, unit, kind = PRODUCTS[j % len(PRODUCTS)]
        stamp = start + timedelta(days=j * 5 % 300, hours=j)
        rows.append(
            {
                "Product": f"TG{11 + j}",
                "ProductType": kind,
                "ProductGroup": f"L00{1 + j % 4}",
                "BaseUnit": unit,
                "ItemCategoryGroup": "NORM",
                "CreatedByUser": "CB9980000010",
                "CreationDate": (start - timedelta(days=60)).date(),
                "LastChangeDate": stamp.date(),
                "LastChangeDateTime": stamp,
                "IsMarkedForDeletion": False,
            }
        )
    return rows


def description(product: str) -> Record:
    j = int(product[2:]) - 11
    name = PRODUCTS[j % len(PRODUCTS)][0]
    return {
        "Product": product,
        "Language": "EN",
        "ProductDescription": f"{name} ({product})",
    }


def stock(seed: int) -> list[Record]:
    rows = []
    for j in range(PRODUCT_COUNT):
        material = f"TG{11 + j}"
        for plant in (PLANTS[0], PLANTS[1]):
            qty = 0 if material in OUT_OF_STOCK_MATERIALS else 5 + mix(seed, j, 21) % 500
            rows.append(
                {
                    "Material": material,
                    "Plant": plant[0],
                    "StorageLocation": plant[4],
                    "Batch": "",
                    "Supplier": "",
                    "Customer": "",
                    "WBSElementInternalID": "00000000",
                    "SDDocumentItem": "000000",
                    "InventorySpecialStockType": "",
                    "InventoryStockType": "01",
                    "MaterialBaseUnit": PRODUCTS[j % len(PRODUCTS)][1],
                    "MatlWrhsStkQtyInMatlBaseUnit": Decimal(qty),
                }
            )
    return rows


def plants() -> list[Record]:
    return [
        {
            "Plant": plant,
            "PlantName": name,
            "ValuationArea": plant,
            "FactoryCalendar": "01" if lang == "DE" else "US",
            "DefaultPurchasingOrganization": company,
            "SalesOrganization": company,
            "AddressID": f"{22000 + n}",
            "Language": lang,
            "IsMarkedForArchiving": False,
        }
        for n, (plant, name, company, _cur, _sloc, lang) in enumerate(PLANTS)
    ]


def equipment(seed: int, start: datetime) -> list[Record]:
    rows = []
    for n in range(EQUIPMENT_COUNT):
        h = mix(seed, n, 31)
        plant = PLANTS[n % len(PLANTS)][0]
        stamp = start + timedelta(days=n * 11 % 360, minutes=n)
        rows.append(
            {
                "Equipment": str(10000001 + n),
                "EquipmentName": f"{_EQUIPMENT[n % len(_EQUIPMENT)]} {n + 1:02d}",
                "EquipmentCategory": "M",
                "TechnicalObjectType": f"PUMP{n % 3}",
                "MaintenancePlant": plant,
                "MaintenancePlanningPlant": plant,
                "FunctionalLocation": f"{plant}-PRD-L{1 + n % 4}",
                "ManufacturerName": _SUPPLIER_WORDS[h % 8],
                "ManufacturerPartTypeName": f"M-{h % 900 + 100}",
                "SerialNumber": f"SN{h % 10**8:08d}",
                "CreationDate": (start - timedelta(days=90)).date(),
                "LastChangeDateTime": stamp,
            }
        )
    return rows


def maintenance_order(seed: int, i: int, stamp: datetime) -> Record:
    h = mix(seed, i, 41)
    start = stamp.date() + timedelta(days=h % 10)
    equipment = h % EQUIPMENT_COUNT
    plant = PLANTS[equipment % len(PLANTS)][0]
    return {
        "MaintenanceOrder": str(MO_BASE + 1 + i),
        "MaintenanceOrderType": ("PM01", "PM02", "PM03")[(h >> 8) % 3],
        "MaintenanceOrderDesc": _MO_TEXTS[(h >> 12) % len(_MO_TEXTS)],
        "MaintenancePlanningPlant": plant,
        "MaintenancePlant": plant,
        "MainWorkCenter": f"RES-{100 + (h >> 16) % 4 * 100}",
        "Equipment": str(10000001 + equipment),
        "FunctionalLocation": f"{plant}-PRD-L{1 + equipment % 4}",
        "MaintPriority": str(1 + (h >> 20) % 4),
        "MaintOrdBasicStartDate": start,
        "MaintOrdBasicEndDate": start + timedelta(days=1 + (h >> 24) % 5),
        "MaintenanceProcessingPhase": ("0", "1", "2", "3", "1", "1")[i % 6],
        "CreationDate": (stamp - timedelta(days=2)).date(),
        "LastChangeDateTime": stamp,
    }


def production_order(seed: int, i: int, stamp: datetime) -> Record:
    h = mix(seed, i, 61)
    plant = PLANTS[h % len(PLANTS)]
    product = (h >> 8) % PRODUCT_COUNT
    state = (
        "created",
        "released",
        "partially_confirmed",
        "confirmed",
        "delivered",
        "technically_completed",
        "closed",
        "marked_for_deletion",
    )[i % 8]
    flags = {
        "OrderIsCreated": True,
        "OrderIsReleased": state != "created",
        "OrderIsPartiallyReleased": False,
        "OrderIsConfirmed": state in ("confirmed", "delivered", "technically_completed", "closed"),
        "OrderIsPartiallyConfirmed": state == "partially_confirmed",
        "OrderIsDelivered": state in ("delivered", "technically_completed", "closed"),
        "OrderIsPartiallyDelivered": False,
        "OrderIsTechnicallyCompleted": state in ("technically_completed", "closed"),
        "OrderIsClosed": state == "closed",
        "OrderIsLocked": i % 13 == 5,
        "OrderIsDeleted": False,
        "OrderIsMarkedForDeletion": state == "marked_for_deletion",
    }
    start = stamp.date() - timedelta(days=3)
    return {
        "ManufacturingOrder": str(PRODUCTION_BASE + 1 + i),
        "ManufacturingOrderCategory": "10",
        "ManufacturingOrderType": "PP01",
        "ManufacturingOrderText": PRODUCTS[product % len(PRODUCTS)][0],
        "Material": f"TG{11 + product}",
        "ProductionPlant": plant[0],
        "StorageLocation": plant[4],
        "MfgOrderPlannedTotalQty": Decimal(10 + (h >> 16) % 90),
        "ProductionUnit": PRODUCTS[product % len(PRODUCTS)][1],
        "MfgOrderCreationDate": start - timedelta(days=2),
        "MfgOrderPlannedStartDate": start,
        "MfgOrderPlannedEndDate": start + timedelta(days=4),
        "LastChangeDateTime": packed_timestamp(stamp),
        **{name: "X" if on else "" for name, on in flags.items()},
    }
