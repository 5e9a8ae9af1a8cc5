"""Fixed master data of the sandbox plant: sites and storerooms, suppliers, machines, people.

Every name here is fictional; ``.example`` domains and 555 phone numbers are reserved for this.
"""

from __future__ import annotations

from typing import NamedTuple

from ironbridge.models import AssetStatus, LocationType, VendorStatus


class LocationSpec(NamedTuple):
    remote_id: str
    code: str
    name: str
    type: LocationType
    parent: str | None
    site: str  # key of the address in SITE_ADDRESSES


class VendorSpec(NamedTuple):
    code: str
    name: str
    categories: tuple[str, ...]
    status: VendorStatus
    currency: str
    lead_days: int
    line1: str
    city: str
    region: str
    postal_code: str
    country: str
    domain: str
    phone: str


class MachineSpec(NamedTuple):
    name: str
    manufacturer: str
    model: str
    criticality: str
    components: tuple[str, ...]  # keys of COMPONENTS
    status: AssetStatus


class LineSpec(NamedTuple):
    location: str
    tag: str
    name: str
    machines: tuple[MachineSpec, ...]


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split("|")]


def _rows(table: str) -> list[str]:
    return [row for row in table.strip().splitlines() if row.strip()]


SITE_ADDRESSES: dict[str, tuple[str, str, str, str, str]] = {
    "RIV": ("4200 Industrial Parkway", "Dayton", "OH", "45414", "US"),
    "ESS": ("Fabrikstraße 18", "Esslingen am Neckar", "BW", "73730", "DE"),
}

# remote id | code | name | type | parent remote id ("-": none) | site
_LOCATIONS = """
LOC-1000 | RIV | Riverside Manufacturing Campus | SITE | - | RIV
LOC-1100 | RIV-P1 | Plant 1 - Machining and Stamping | PLANT | LOC-1000 | RIV
LOC-1110 | RIV-P1-RM | Raw Material Warehouse | WAREHOUSE | LOC-1100 | RIV
LOC-1120 | RIV-P1-MRO | MRO Storeroom Plant 1 | STOREROOM | LOC-1100 | RIV
LOC-1130 | RIV-P1-L1 | Line 1 - CNC Machining Cell | AREA | LOC-1100 | RIV
LOC-1140 | RIV-P1-L2 | Line 2 - Stamping | AREA | LOC-1100 | RIV
LOC-1200 | RIV-P2 | Plant 2 - Assembly and Finishing | PLANT | LOC-1000 | RIV
LOC-1210 | RIV-P2-FG | Finished Goods Warehouse | WAREHOUSE | LOC-1200 | RIV
LOC-1220 | RIV-P2-MRO | MRO Storeroom Plant 2 | STOREROOM | LOC-1200 | RIV
LOC-1230 | RIV-P2-L3 | Line 3 - Gearbox Assembly | AREA | LOC-1200 | RIV
LOC-1240 | RIV-P2-L4 | Line 4 - Paint and Finishing | AREA | LOC-1200 | RIV
LOC-1250 | RIV-P2-QH | Quality Hold Cage | OTHER | LOC-1200 | RIV
LOC-1300 | RIV-UT | Utilities and Compressor House | AREA | LOC-1000 | RIV
LOC-1400 | RIV-DC | Central Warehouse and Receiving Dock | WAREHOUSE | LOC-1000 | RIV
LOC-2000 | ESS | Werk Esslingen | SITE | - | ESS
LOC-2100 | ESS-P1 | Esslingen Pump Plant | PLANT | LOC-2000 | ESS
LOC-2110 | ESS-P1-WH | Lager Esslingen | WAREHOUSE | LOC-2100 | ESS
LOC-2120 | ESS-P1-MRO | Ersatzteillager Esslingen | STOREROOM | LOC-2100 | ESS
LOC-2130 | ESS-P1-E1 | Line E1 - Pump Assembly | AREA | LOC-2100 | ESS
"""

LOCATIONS: tuple[LocationSpec, ...] = tuple(
    LocationSpec(rid, code, name, LocationType[kind], None if parent == "-" else parent, site)
    for rid, code, name, kind, parent, site in map(_cells, _rows(_LOCATIONS))
)

# code | name | categories | status | currency | lead days
#   street | city | region | postal code | country | web domain | phone (national)
_VENDORS = """
NFBRG | Northfield Bearing & Transmission Co. | bearings,motion | ACTIVE | USD | 5
  1850 Brookpark Road | Cleveland | OH | 44135 | US | northfield-bearing | 216 555 0142
GLPT | Great Lakes Power Transmission Inc. | bearings,motion | ACTIVE | USD | 7
  610 Matzinger Road | Toledo | OH | 43612 | US | glpt | 419 555 0187
APEXFP | Apex Fluid Power Systems LLC | hydraulics,filters | ACTIVE | USD | 10
  2231 Harrison Avenue | Rockford | IL | 61104 | US | apexfluidpower | 815 555 0119
RIDGHYD | Ridgeway Hydraulics Supply | hydraulics | ACTIVE | USD | 6
  905 Coliseum Boulevard | Fort Wayne | IN | 46805 | US | ridgeway-hydraulics | 260 555 0133
KEYSTL | Keystone Steel Service Center | steel | ACTIVE | USD | 14
  77 Neville Road | Pittsburgh | PA | 15225 | US | keystonesteel | 412 555 0166
OVMET | Ohio Valley Metals Corp. | steel | ACTIVE | USD | 12
  1400 Yankee Road | Middletown | OH | 45044 | US | ohiovalleymetals | 513 555 0175
SUMALU | Summit Aluminum Extrusions | steel | BLOCKED | USD | 21
  3300 Fern Valley Road | Louisville | KY | 40213 | US | summit-aluminum | 502 555 0108
STRCST | Sterling Castings & Forge | castings | ACTIVE | USD | 35
  5200 West Burnham Street | Milwaukee | WI | 53219 | US | sterlingcastings | 414 555 0151
BRNFST | Brennan Fastener & Industrial Supply | fasteners,safety | ACTIVE | USD | 4
  7440 West Morris Street | Indianapolis | IN | 46231 | US | brennanfastener | 317 555 0129
MWEMS | Midwest Electric Motor Service | motion,electrical | ACTIVE | USD | 8
  2900 Alum Creek Drive | Columbus | OH | 43207 | US | mwems | 614 555 0193
VOLTLN | Voltline Electrical Distributors | electrical | ACTIVE | USD | 3
  11500 Reading Road | Cincinnati | OH | 45241 | US | voltline | 513 555 0114
PRECAC | Precision Automation Components | electrical | ACTIVE | USD | 9
  4560 Danvers Drive SE | Grand Rapids | MI | 49512 | US | precision-automation | 616 555 0170
CLWLUB | Clearwater Lubricants & Chemicals | lubricants | ACTIVE | USD | 6
  8800 Clinton Drive | Houston | TX | 77029 | US | clearwater-lube | 713 555 0156
TSCOAT | Tri-State Industrial Coatings | coatings | BLOCKED | USD | 10
  1920 East 12th Street | Erie | PA | 16511 | US | tristatecoatings | 814 555 0102
PRPWD | Prairie Powder Coatings Inc. | coatings | ACTIVE | USD | 8
  400 Industrial Drive | Bloomington | IL | 61704 | US | prairiepowder | 309 555 0164
GRDSAF | Guardian Safety Products | safety | ACTIVE | USD | 3
  1165 Home Avenue | Akron | OH | 44310 | US | guardian-safety | 330 555 0138
BKPKG | Buckeye Packaging Solutions | packaging | ACTIVE | USD | 5
  3050 Urbana Road | Springfield | OH | 45502 | US | buckeyepackaging | 937 555 0121
POLYRZ | Polymark Resin Distributors | plastics | INACTIVE | USD | 12
  690 Wolf Ledges Parkway | Akron | OH | 44311 | US | polymark | 330 555 0190
MTNPLS | Mountain Plastics Supply | plastics | ACTIVE | USD | 10
  2701 Lawrence Street | Denver | CO | 80205 | US | mountainplastics | 303 555 0147
CRBEDG | Carbide Edge Tooling Inc. | tooling | ACTIVE | USD | 4
  21500 Hoover Road | Warren | MI | 48089 | US | carbide-edge | 586 555 0112
HTLWLD | Heartland Welding Supply | welding,safety | ACTIVE | USD | 2
  1625 Webster Street | Dayton | OH | 45404 | US | heartlandwelding | 937 555 0181
MLMRO | Mainline Industrial MRO Supply | fasteners,safety,lubricants,welding | ACTIVE | USD | 2
  3800 Kettering Boulevard | Dayton | OH | 45439 | US | mainline-mro | 937 555 0105
CRSFLT | Crestline Filtration Products | filters | ACTIVE | USD | 7
  560 Harmon Avenue | Columbus | OH | 43223 | US | crestlinefiltration | 614 555 0126
ACALSV | Allied Calibration Services | services | ACTIVE | USD | 14
  2470 Presidential Drive | Fairborn | OH | 45324 | US | alliedcal | 937 555 0159
LFTINS | Liftright Crane & Hoist Inspection | services | ACTIVE | USD | 21
  1010 Valley Street | Dayton | OH | 45404 | US | liftright | 937 555 0140
ENVCYC | EnviroCycle Waste Solutions | services | ACTIVE | USD | 5
  4411 Lisbon Street | Dayton | OH | 45417 | US | envirocycle | 937 555 0117
PININD | Pinnacle Industrial Services | services | ACTIVE | USD | 10
  8950 Beckett Road | West Chester | OH | 45069 | US | pinnacle-industrial | 513 555 0198
SWANT | Schwarzwald Antriebstechnik GmbH | motion,bearings | ACTIVE | EUR | 18
  Hanferstraße 24 | Freiburg im Breisgau | BW | 79108 | DE | schwarzwald-antriebe | 761 5550 214
NKHYD | Neckartal Hydraulik GmbH | hydraulics,filters | ACTIVE | EUR | 12
  Zettachring 6 | Stuttgart | BW | 70567 | DE | neckartal-hydraulik | 711 5550 388
RHSTL | Rheinland Stahlhandel GmbH | steel,castings | ACTIVE | EUR | 16
  Hafenstraße 72 | Duisburg | NW | 47119 | DE | rheinland-stahl | 203 5550 146
BVDCH | Bavaria Dichtungstechnik GmbH & Co. KG | hydraulics,fasteners | ACTIVE | EUR | 9
  Bürgermeister-Wegele-Straße 10 | Augsburg | BY | 86167 | DE | bavaria-dichtung | 821 5550 271
HLWZB | Hohenlohe Werkzeugbau GmbH | tooling | ACTIVE | EUR | 11
  Industriestraße 3 | Künzelsau | BW | 74653 | DE | hohenlohe-wzb | 7940 5550 93
ELBIND | Elbe Industriebedarf GmbH | safety,lubricants,welding | INACTIVE | EUR | 6
  Washingtonstraße 16 | Dresden | SN | 01139 | DE | elbe-industriebedarf | 351 5550 612
"""


_DIALING = {"US": "+1", "DE": "+49"}


def _vendors(table: str) -> tuple[VendorSpec, ...]:
    rows = _rows(table)
    specs: list[VendorSpec] = []
    for head, tail in zip(rows[::2], rows[1::2], strict=True):
        code, name, categories, status, currency, lead = _cells(head)
        line1, city, region, postal, country, domain, phone = _cells(tail)
        domain, phone = f"{domain}.example", f"{_DIALING[country]} {phone}"
        specs.append(
            VendorSpec(
                code, name, tuple(categories.split(",")), VendorStatus[status], currency,
                int(lead), line1, city, region, postal, country, domain, phone,
            )
        )  # fmt: skip
    return tuple(specs)


VENDORS: tuple[VendorSpec, ...] = _vendors(_VENDORS)

# component key: name | manufacturer | model
COMPONENTS: dict[str, tuple[str, str, str]] = {
    key: (name, maker, model)
    for key, name, maker, model in map(
        _cells,
        _rows(
            """
spindle | Spindle motor 22 kW | Meridian Drives | MSP-22
coolant | High-pressure coolant pump | Hollister Pumps | HCP-70
atc | Automatic tool changer, 40 pockets | Korvath Machine Tools | ATC-40
turret | 12-station turret | Korvath Machine Tools | TR-12
probe | Touch-trigger probe head | Verity Metrology | TP-6
drive | Main drive motor 55 kW | Meridian Drives | MD-55
hpu | Hydraulic power unit 15 kW | Apexline Hydraulic Systems | HPU-15
clutch | Clutch and brake unit | Hallstrom Press Systems | CB-400
straightener | Coil straightener | Hallstrom Press Systems | ST-1250
conveyor | Conveyor drive motor 2.2 kW | Meridian Drives | MD-2.2
robot | Six-axis robot arm | Arclight Automation | AX-6
nutrunner | Servo nutrunner spindle | Arclight Automation | NR-60
dyno | Load dynamometer 90 kW | Verity Test Systems | DY-90
fan | Recirculation fan 11 kW | Corvex Finishing | RF-11
burner | Gas burner 400 kW | Corvex Finishing | GB-400
booth | Cartridge filter module | Corvex Finishing | FM-8
airend | Compressor airend 75 kW | Kestrel Compressors | AE-75
battery | Traction battery 48 V 620 Ah | Brandt Lift Trucks | TB-48
mast | Triplex mast assembly | Brandt Lift Trucks | TM-45
hoist | Wire rope hoist 10 t | Kranwerk Hoists | WR-10
laser | Fiber laser source 30 W | Lumatek | FL-30
"""
        ),
    )
}

# [location | tag | line], then: machine | manufacturer | model | criticality | parts [| status]
_LINES = """
[LOC-1130 | L1 | Line 1 CNC machining cell]
Horizontal machining center HMC-500 #1 | Korvath Machine Tools | HMC-500 | A | spindle,coolant,atc
Horizontal machining center HMC-500 #2 | Korvath Machine Tools | HMC-500 | A | spindle,coolant,atc
CNC turning center TL-300 | Korvath Machine Tools | TL-300 | A | spindle,coolant,turret
Coordinate measuring machine | Verity Metrology | CMM-7106 | B | probe
Chip conveyor and coolant filtration | Tidewater Filtration Systems | CF-1200 | C | conveyor
[LOC-1140 | L2 | Line 2 stamping]
Servo press 400 t | Hallstrom Press Systems | SP-400 | A | drive,hpu,clutch
Coil feed line 1250 mm | Hallstrom Press Systems | CFL-1250 | A | straightener,conveyor
Mechanical press 250 t | Hallstrom Press Systems | MP-250 | C | drive,clutch | DECOMMISSIONED
[LOC-1230 | L3 | Line 3 gearbox assembly]
Bearing press station | Arclight Automation | BPS-20 | B | hpu
Robotic screwdriving cell | Arclight Automation | RSC-6 | B | robot,nutrunner
End-of-line gearbox test stand | Verity Test Systems | GTS-350 | A | dyno,drive
Assembly conveyor C3 | Beltline Conveyors | PC-900 | B | conveyor
[LOC-1240 | L4 | Line 4 paint and finishing]
Powder coating booth | Corvex Finishing | PB-2400 | B | fan,booth
Cure oven | Corvex Finishing | CO-18 | A | burner,fan
Overhead conveyor | Beltline Conveyors | OC-900 | B | conveyor
[LOC-2130 | E1 | Line E1 pump assembly]
Pump leak test station | Verity Test Systems | LT-40 | A | hpu
Pump assembly conveyor | Beltline Conveyors | PC-600 | B | conveyor
Laser marking station | Lumatek | LM-20 | C | laser
[LOC-1300 | UT | Compressed air and cooling]
Air compressor 75 kW #1 | Kestrel Compressors | KR-75 | A | airend,drive
Air compressor 75 kW #2 (standby) | Kestrel Compressors | KR-75 | B | airend,drive | INACTIVE
Refrigerated air dryer | Kestrel Compressors | RD-90 | B | fan
Cooling tower | Polar Ridge Cooling | CT-300 | B | fan
[LOC-1400 | MH | Material handling fleet]
Electric forklift 2.5 t #1 | Brandt Lift Trucks | EFL-25 | B | battery,mast
Electric forklift 2.5 t #2 | Brandt Lift Trucks | EFL-25 | B | battery,mast
Electric forklift 2.5 t #3 | Brandt Lift Trucks | EFL-25 | C | battery,mast | INACTIVE
Overhead bridge crane 10 t | Kranwerk Hoists | BC-10 | A | hoist
"""


def _lines(table: str) -> tuple[LineSpec, ...]:
    lines: list[LineSpec] = []
    for row in _rows(table):
        if row.startswith("["):
            location, tag, name = _cells(row.strip("[]"))
            lines.append(LineSpec(location, tag, name, ()))
            continue
        name, maker, model, criticality, parts, *status = _cells(row)
        machine = MachineSpec(
            name,
            maker,
            model,
            criticality,
            tuple(parts.split(",")),
            AssetStatus[status[0]] if status else AssetStatus.ACTIVE,
        )
        lines[-1] = lines[-1]._replace(machines=(*lines[-1].machines, machine))
    return tuple(lines)


LINES: tuple[LineSpec, ...] = _lines(_LINES)

TECHNICIANS: tuple[str, ...] = (
    "Marisol Alvarez",
    "Jian Chen",
    "Kelechi Okafor",
    "Sabine Becker",
    "Ravi Patel",
    "Tuan Nguyen",
    "Lukas Schmidt",
    "Dana Whitfield",
    "Owen Kowalski",
)
BUYERS: tuple[str, ...] = ("Erin Castillo", "Frank Dobson", "Mei Tanaka", "Jonas Hartmann")
COST_CENTERS: tuple[str, ...] = (
    "CC-4100",  # maintenance
    "CC-4200",  # machining
    "CC-4300",  # assembly
    "CC-4400",  # paint and finishing
    "CC-5100",  # facilities
    "CC-6100",  # quality
)
PROJECT_CODES: tuple[str, ...] = (
    "PRJ-24-017",
    "PRJ-24-022",
    "PRJ-25-003",
    "CAPEX-25-004",
    "CAPEX-25-011",
)

__all__ = [
    "BUYERS",
    "COMPONENTS",
    "COST_CENTERS",
    "LINES",
    "LOCATIONS",
    "PROJECT_CODES",
    "SITE_ADDRESSES",
    "TECHNICIANS",
    "VENDORS",
    "LineSpec",
    "LocationSpec",
    "MachineSpec",
    "VendorSpec",
]
