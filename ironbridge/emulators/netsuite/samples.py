"""Master data of the NetSuite dataset: subsidiaries, currencies, locations, vendors, items,
stock per item and location, each derived from a seed and its position.

Records are in the REST record API's JSON shape (camelCase fields, ``{"id", "refName"}``
references, ISO 8601 instants), without ``links``: the app adds those when it renders.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "CURRENCIES",
    "ITEM_BASE",
    "ITEM_COUNT",
    "LOCATIONS",
    "LOCATION_TYPES",
    "OUT_OF_STOCK_ITEMS",
    "STOCK_LOCATIONS",
    "SUBSIDIARIES",
    "UNKNOWN_VENDOR_ID",
    "VENDOR_BASE",
    "VENDOR_COUNT",
    "anchor_of",
    "currencies",
    "currency_ref",
    "instant",
    "item_locations",
    "items",
    "location_ref",
    "locations",
    "mix",
    "ref",
    "stock",
    "subsidiary_ref",
    "vendors",
]

_MASK = (1 << 64) - 1

VENDOR_BASE = 2000
VENDOR_COUNT = 36
ITEM_BASE = 3000
ITEM_COUNT = 48
UNKNOWN_VENDOR_ID = "2999"
# every sixth item has no stock at any location
OUT_OF_STOCK_ITEMS = tuple(str(ITEM_BASE + 1 + j) for j in range(ITEM_COUNT) if j % 6 == 2)

# id, name, currency id, country
SUBSIDIARIES = (
    ("1", "Ironbridge Manufacturing Inc.", "1", "US"),
    ("2", "Ironbridge Fertigung GmbH", "2", "DE"),
)
# id, name, symbol, is base currency
CURRENCIES = (
    ("1", "US Dollar", "USD", True),
    ("2", "Euro", "EUR", False),
    ("3", "British Pound", "GBP", False),
)
# id, name, parent id, subsidiary id, location type id ("" none), street, city, state, zip
LOCATIONS = (
    ("1", "Dayton Plant", "", "1", "", "4200 Industrial Parkway", "Dayton", "OH", "45414"),
    ("2", "Raw Materials", "1", "1", "2", "4200 Industrial Parkway", "Dayton", "OH", "45414"),
    ("3", "Finished Goods", "1", "1", "2", "4210 Industrial Parkway", "Dayton", "OH", "45414"),
    ("4", "MRO Stores", "1", "1", "2", "4200 Industrial Parkway", "Dayton", "OH", "45414"),
    ("5", "Werk Esslingen", "", "2", "", "Fabrikstrasse 18", "Esslingen", "BW", "73730"),
    ("6", "Lager Esslingen", "5", "2", "2", "Fabrikstrasse 18", "Esslingen", "BW", "73730"),
)
LOCATION_TYPES = {"1": "Store", "2": "Warehouse"}
# where each subsidiary receives purchases
STOCK_LOCATIONS = {"1": ("2", "3", "4"), "2": ("6",)}

_VENDOR_WORDS = ("Northfield", "Great Lakes", "Apex", "Ridgeway", "Keystone", "Summit", "Sterling",
                 "Brennan", "Voltline", "Clearwater", "Prairie", "Neckartal")  # fmt: skip
_VENDOR_KINDS = ("Bearing Co.", "Fluid Power", "Steel Service", "Castings", "Fasteners",
                 "Electrical Supply", "Industrial Supply", "Hydraulik GmbH")  # fmt: skip
# display name, stock unit, purchase unit cost
_PRODUCTS = (
    ("Hex bolt M8x40", "Each", 0.35),
    ("Ball bearing 6204-2RS", "Each", 4.8),
    ("Hydraulic oil ISO VG 46", "Liter", 3.9),
    ("Steel sheet 2 mm S235", "Kilogram", 1.45),
    ("Gear motor 0.75 kW", "Each", 412.0),
    ("V-belt SPZ 1000", "Each", 9.6),
    ("Pump assembly P-100", "Each", 980.0),
    ("Safety gloves cut level C", "Pair", 6.25),
)
_UNITS = {"Each": "1", "Liter": "2", "Kilogram": "3", "Pair": "4"}


def mix(seed: int, index: int, salt: int = 0) -> int:
    """splitmix64 of (seed, index, salt): cheap, deterministic pseudo-randomness per row."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def instant(moment: datetime) -> str:
    """NetSuite's rendering of a date-time field: UTC, whole seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ref(record_id: str, name: str) -> dict[str, Any]:
    return {"id": record_id, "refName": name}


def _address(street: str, city: str, state: str, zip_code: str, country: str) -> dict[str, Any]:
    return {
        "addr1": street,
        "city": city,
        "state": state,
        "zip": zip_code,
        "country": ref(country, {"US": "United States", "DE": "Germany"}[country]),
    }


def currencies() -> list[dict[str, Any]]:
    return [
        {"id": cid, "name": name, "symbol": symbol, "isBaseCurrency": base, "isInactive": False}
        for cid, name, symbol, base in CURRENCIES
    ]


def subsidiary_ref(subsidiary: str) -> dict[str, Any]:
    return ref(subsidiary, next(s[1] for s in SUBSIDIARIES if s[0] == subsidiary))


def currency_ref(currency: str) -> dict[str, Any]:
    return ref(currency, next(c[1] for c in CURRENCIES if c[0] == currency))


def location_ref(location: str) -> dict[str, Any]:
    return ref(location, next(loc[1] for loc in LOCATIONS if loc[0] == location))


def locations(start: datetime) -> list[dict[str, Any]]:
    rows = []
    for n, (lid, name, parent, sub, kind, street, city, state, zip_code) in enumerate(LOCATIONS):
        country = next(s[3] for s in SUBSIDIARIES if s[0] == sub)
        record: dict[str, Any] = {
            "id": lid,
            "name": name,
            "isInactive": False,
            "subsidiary": subsidiary_ref(sub),
            "mainAddress": _address(street, city, state, zip_code, country),
            "lastModifiedDate": instant(start + timedelta(days=n, hours=3)),
        }
        if parent:
            record["parent"] = location_ref(parent)
        if kind:
            record["locationType"] = ref(kind, LOCATION_TYPES[kind])
        rows.append(record)
    return rows


def vendors(seed: int, start: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(VENDOR_COUNT):
        h = mix(seed, n, 11)
        sub = "2" if n % 6 == 5 else "1"
        country = "DE" if sub == "2" else "US"
        name = f"{_VENDOR_WORDS[h % len(_VENDOR_WORDS)]} {_VENDOR_KINDS[(h >> 8) % 8]} {n + 1}"
        domain = name.split()[0].lower()
        created = start - timedelta(days=200 - n)
        rows.append(
            {
                "id": str(VENDOR_BASE + 1 + n),
                "entityId": f"V{10001 + n}",
                "companyName": name,
                "email": f"orders@{domain}{n + 1}.example",
                "phone": f"+1 937 555 {100 + n:04d}" if country == "US" else f"+49 711 {n:04d}",
                "isInactive": n in (7, VENDOR_COUNT - 1),
                "currency": currency_ref("2" if sub == "2" else "1"),
                "subsidiary": subsidiary_ref(sub),
                "taxIdNum": f"{country}{h % 10**9:09d}",
                "dateCreated": instant(created),
                "lastModifiedDate": instant(start + timedelta(days=n * 7 % 300, minutes=n)),
                "addressBook": {
                    "items": [
                        {
                            "defaultBilling": True,
                            "defaultShipping": True,
                            "label": "Main",
                            "addressBookAddress": _address(
                                f"{100 + h % 9000} Commerce Drive" if country == "US" else
                                f"Industriestrasse {1 + h % 90}",
                                "Columbus" if country == "US" else "Stuttgart",
                                "OH" if country == "US" else "BW",
                                "43207" if country == "US" else "70567",
                                country,
                            ),
                        }
                    ]
                },
            }
        )  # fmt: skip
    return rows


def items(seed: int, start: datetime) -> list[dict[str, Any]]:
    rows = []
    for j in range(ITEM_COUNT):
        name, unit, cost = _PRODUCTS[j % len(_PRODUCTS)]
        h = mix(seed, j, 21)
        price = round(cost * (1 + (h % 40) / 100), 2)
        rows.append(
            {
                "id": str(ITEM_BASE + 1 + j),
                "itemId": f"TG-{1001 + j}",
                "displayName": f"{name} ({'ABCDEF'[j % 6]})",
                "purchaseDescription": f"{name}, supplier grade {'ABCDEF'[j % 6]}",
                "itemType": ref("InvtPart", "Inventory Item"),
                "cost": price,
                "costingMethod": ref("AVG", "Average"),
                "stockUnit": ref(_UNITS[unit], unit),
                "isInactive": j == ITEM_COUNT - 1,
                "createdDate": instant(start - timedelta(days=90)),
                "lastModifiedDate": instant(start + timedelta(days=j * 5 % 300, hours=j)),
            }
        )
    return rows


def item_locations(j: int) -> tuple[str, ...]:
    return ("2", "4", "6") if j % 2 == 0 else ("3", "6")


def stock(seed: int) -> list[dict[str, Any]]:
    """Rows of the ``inventoryitemlocations`` table: quantities per item and location."""
    rows = []
    for j in range(ITEM_COUNT):
        item = str(ITEM_BASE + 1 + j)
        for location in item_locations(j):
            h = mix(seed, j, int(location) + 30)
            on_hand = 0 if item in OUT_OF_STOCK_ITEMS else 5 + h % 500
            committed = min(on_hand, (h >> 12) % 40)
            rows.append(
                {
                    "item": item,
                    "location": location,
                    "quantityonhand": on_hand,
                    "quantityavailable": on_hand - committed,
                    "quantitycommitted": committed,
                    "quantityonorder": (h >> 20) % 3 * 25,
                    "reorderpoint": 10 + (h >> 28) % 50,
                }
            )
    return rows


def anchor_of(anchor: datetime | None) -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now if anchor is None else anchor.astimezone(UTC).replace(microsecond=0)
