"""Master data of the Maximo dataset: locations, assets, items, inventory and vendors, each
derived from a seed and its position; and the shared helpers of the generators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ironbridge.emulators.maximo.store import Row

__all__ = [
    "ASSET_COUNT",
    "ITEMSET",
    "ITEM_COUNT",
    "ORG",
    "OUT_OF_STOCK_ITEMS",
    "PEOPLE",
    "SITES",
    "UNKNOWN_VENDOR",
    "VENDOR_COUNT",
    "Malformed",
    "asset_location",
    "asset_number",
    "assets",
    "companies",
    "inventory",
    "item_number",
    "items",
    "locations",
    "mix",
    "vendor_code",
]

_MASK = (1 << 64) - 1

SITES = ("BEDFORD", "TEXAS")
ORG = "EAGLENA"
ITEMSET = "SET1"
PEOPLE = ("WILSON", "SMITH", "JONES", "CALDONE", "HALL", "RAMIREZ")
ASSET_COUNT = 40
ITEM_COUNT = 48
VENDOR_COUNT = 30
UNKNOWN_VENDOR = "GHOSTSUPPLY"
# every seventh item is out of stock in every storeroom
OUT_OF_STOCK_ITEMS = tuple(f"0-{1001 + n}" for n in range(ITEM_COUNT) if n % 7 == 3)

_ASSETS = (
    ("Centrifugal pump", "PUMP", "FLOWSERVE"),
    ("Air compressor", "COMPRESSOR", "ATLASCOPCO"),
    ("Conveyor belt drive", "CONVEYOR", "SIEMENS"),
    ("CNC lathe", "MACHINE", "HAAS"),
    ("Steam boiler", "BOILER", "CLEAVER"),
    ("Chiller unit", "HVAC", "CARRIER"),
    ("Hydraulic press", "MACHINE", "SCHULER"),
    ("Electric motor 55kW", "MOTOR", "ABB"),
)
_PARTS = (
    # description, issue unit, rotating, commodity group
    ("Ball bearing 6204-2RS", "EACH", False, "BEARINGS"),
    ("V-belt SPZ 1000", "EACH", False, "BELTS"),
    ("Hydraulic oil ISO VG 46", "LITER", False, "LUBES"),
    ("Oil filter element", "EACH", False, "FILTERS"),
    ("Mechanical seal 35mm", "EACH", False, "SEALS"),
    ("Gear motor 0.75kW", "EACH", True, "MOTORS"),
    ("Pump impeller 200mm", "EACH", False, "PUMPPARTS"),
    ("Safety gloves", "PAIR", False, "SAFETY"),
    ("Grease cartridge EP2", "EACH", False, "LUBES"),
    ("Proximity sensor M18", "EACH", True, "ELECTRICAL"),
    ("Contactor 3-pole 25A", "EACH", False, "ELECTRICAL"),
    ("Steel plate 10mm", "KG", False, "METALS"),
)
_VENDOR_WORDS = ("Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne")
_VENDOR_KINDS = ("Industrial Supply", "Bearings", "Fluid Power", "Electrical", "Metals")
_CITIES = (
    ("Bedford", "MA", "01730"),
    ("Houston", "TX", "77002"),
    ("Chicago", "IL", "60601"),
    ("Toronto", "ON", "M5H 2N2"),
)


@dataclass(frozen=True, slots=True)
class Malformed:
    """A raw value Maximo sends but no client can parse (the malformed-record scenario)."""

    text: str


def mix(seed: int, index: int, salt: int = 0) -> int:
    """splitmix64 of (seed, index, salt): cheap, deterministic pseudo-randomness per row."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _stamp(seed: int, salt: int, n: int, start: datetime, anchor: datetime) -> datetime:
    span = max(1, int((anchor - start).total_seconds()) // 2)
    return start + timedelta(seconds=mix(seed, n, salt) % span)


def _prefix(site: str) -> str:
    return site[0]


def _unit(site: str, n: int) -> str:
    """The n-th operating unit of a site (``B-101`` ... ``B-304``)."""
    return f"{_prefix(site)}-{1 + n % 3}{1 + (n // 3) % 4:02d}"


def locations(seed: int, start: datetime, anchor: datetime) -> list[Row]:
    rows: list[Row] = []
    for s, site in enumerate(SITES):
        p = _prefix(site)
        plant = f"{p}-PLANT"
        entries: list[tuple[str, str, str, str | None]] = [
            (plant, f"{site.title()} plant", "OPERATING", None)
        ]
        entries += [(f"{p}-AREA{a}", f"Production area {a}", "OPERATING", plant) for a in (1, 2, 3)]
        entries += [
            (_unit(site, n), f"Line {1 + n % 3} cell {1 + (n // 3) % 4}", "OPERATING", None)
            for n in range(12)
        ]
        entries += [
            ("CENTRAL", "Central storeroom", "STOREROOM", None),
            (f"{p}-STORE", "Maintenance storeroom", "STOREROOM", None),
        ]
        for n, (code, description, kind, parent) in enumerate(entries):
            uid = 100 * (s + 1) + n
            if parent is None and kind == "OPERATING" and code != plant:
                parent = f"{p}-AREA{code[2]}"
            status = {"B-304": "NOT READY", "T-204": "DECOMMISSIONED"}.get(code, "OPERATING")
            hierarchy = []
            if kind == "OPERATING":
                hierarchy = [
                    {
                        "systemid": "PRIMARY",
                        "parent": parent,
                        "children": code == plant or "AREA" in code,
                        "lochierarchyid": uid,
                    }
                ]
            rows.append(
                {
                    "location": code,
                    "siteid": site,
                    "orgid": ORG,
                    "description": description,
                    "type": kind,
                    "status": status,
                    "changedate": _stamp(seed, 31, uid, start, anchor),
                    "changeby": "MAXADMIN",
                    "locationsid": uid,
                    "lochierarchy": hierarchy,
                    "_rowstamp": 2_000_000 + uid,
                }
            )
    return rows


def asset_number(n: int) -> str:
    return f"{11001 + n}"


def asset_location(n: int) -> str:
    return _unit(SITES[n % 2], n // 2)


def vendor_code(n: int) -> str:
    return f"{_VENDOR_WORDS[n % len(_VENDOR_WORDS)].upper()[:6]}{n + 1:02d}"


def item_number(n: int) -> str:
    return f"0-{1001 + n}"


def assets(seed: int, start: datetime, anchor: datetime) -> list[Row]:
    rows: list[Row] = []
    for n in range(ASSET_COUNT):
        h = mix(seed, n, 41)
        description, kind, maker = _ASSETS[n % len(_ASSETS)]
        parent = asset_number(n - 2) if n % 6 in (2, 3) else None
        status = {3: "NOT READY", 5: "DECOMMISSIONED", 7: "STANDBY"}.get(n, "OPERATING")
        rows.append(
            {
                "assetnum": asset_number(n),
                "siteid": SITES[n % 2],
                "orgid": ORG,
                "description": f"{description} {1 + n // len(_ASSETS)}",
                "status": status,
                "statusdate": start,
                "assettype": kind,
                "assettag": f"TAG-{4000 + n}",
                "serialnum": f"SN{(h >> 8) % 10**8:08d}",
                "manufacturer": maker,
                "vendor": vendor_code(n % VENDOR_COUNT),
                "location": asset_location(n),
                "parent": parent,
                "priority": 1 + (h >> 16) % 5,
                "installdate": start - timedelta(days=200 + (h >> 24) % 2000),
                "changedate": _stamp(seed, 43, n, start, anchor),
                "changeby": PEOPLE[(h >> 32) % len(PEOPLE)],
                "assetuid": 500 + n,
                "_rowstamp": 3_000_000 + n,
            }
        )
    return rows


def items(seed: int, start: datetime, anchor: datetime) -> list[Row]:
    rows: list[Row] = []
    for n in range(ITEM_COUNT):
        description, unit, rotating, group = _PARTS[n % len(_PARTS)]
        size = 1 + n // len(_PARTS)
        rows.append(
            {
                "itemnum": item_number(n),
                "itemsetid": ITEMSET,
                "description": description if size == 1 else f"{description} (size {size})",
                "description_longdescription": None,
                "itemtype": "TOOL" if n == 9 else "ITEM",
                "status": {10: "OBSOLETE", 11: "PENDOBS", 12: "PLANNING"}.get(n, "ACTIVE"),
                "rotating": rotating,
                "issueunit": unit,
                "orderunit": unit,
                "commoditygroup": group,
                "changedate": _stamp(seed, 51, n, start, anchor),
                "changeby": "MAXADMIN",
                "itemid": 700 + n,
                "_rowstamp": 4_000_000 + n,
            }
        )
    return rows


def _stock_places(n: int) -> list[tuple[str, str]]:
    places = [("CENTRAL", "BEDFORD")]
    if n % 2 == 0:
        places.append(("CENTRAL", "TEXAS"))
    if n % 5 == 0:
        places.append(("B-STORE", "BEDFORD"))
    return places


def inventory(seed: int, item_rows: list[Row]) -> list[Row]:
    rows: list[Row] = []
    uid = 0
    for n, item in enumerate(item_rows):
        for storeroom, site in _stock_places(n):
            h = mix(seed, uid, 61)
            empty = item["itemnum"] in OUT_OF_STOCK_ITEMS
            balance = Decimal(0 if empty else 5 + h % 200)
            reserved = min(balance, Decimal((h >> 8) % 5))
            cost = Decimal((h >> 16) % 20000 + 100).scaleb(-2)
            bin_number = f"{chr(65 + (h >> 32) % 6)}-{1 + (h >> 40) % 20:02d}"
            rows.append(
                {
                    "itemnum": item["itemnum"],
                    "itemsetid": ITEMSET,
                    "location": storeroom,
                    "siteid": site,
                    "orgid": ORG,
                    "status": item["status"],
                    "curbaltotal": balance,
                    "avblbalance": balance - reserved,
                    "reservedqty": reserved,
                    "minlevel": Decimal(2 + (h >> 24) % 10),
                    "orderqty": Decimal(10 + (h >> 28) % 40),
                    "issueunit": item["issueunit"],
                    "orderunit": item["orderunit"],
                    "avgcost": cost,
                    "lastcost": cost,
                    "binnum": bin_number,
                    "inventoryid": 900 + uid,
                    "invbalances": [
                        {
                            "binnum": bin_number,
                            "lotnum": None,
                            "curbal": balance,
                            "physcnt": balance,
                            "invbalancesid": 9000 + uid,
                        }
                    ],
                    "_rowstamp": 5_000_000 + uid,
                }
            )
            uid += 1
    return rows


def companies(seed: int, start: datetime, anchor: datetime) -> list[Row]:
    rows: list[Row] = []
    for n in range(VENDOR_COUNT):
        h = mix(seed, n, 71)
        city, state, postal = _CITIES[(h >> 8) % len(_CITIES)]
        word = _VENDOR_WORDS[n % len(_VENDOR_WORDS)]
        currency = "CAD" if state == "ON" else ("EUR" if n % 9 == 8 else "USD")
        rows.append(
            {
                "company": vendor_code(n),
                "orgid": ORG,
                "name": f"{word} {_VENDOR_KINDS[(n // len(_VENDOR_WORDS)) % len(_VENDOR_KINDS)]}",
                "type": "V",
                "disabled": n == 4,
                "currencycode": currency,
                "address1": f"{100 + (h >> 16) % 900} Industrial Way",
                "address2": city,
                "address3": state,
                "address4": postal,
                "country": "CA" if state == "ON" else "US",
                "phone": f"+1 555 {(h >> 24) % 900 + 100} {(h >> 32) % 9000 + 1000}",
                "fax": None,
                "homepage": f"https://www.{word.lower()}.example",
                "paymentterms": ("NET30", "NET45", "NET60")[(h >> 40) % 3],
                "changedate": _stamp(seed, 73, n, start, anchor),
                "changeby": "MAXADMIN",
                "companiesid": 300 + n,
                "_rowstamp": 6_000_000 + n,
            }
        )
    return rows
