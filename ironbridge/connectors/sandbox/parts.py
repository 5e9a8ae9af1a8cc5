"""The sandbox plant's part master: raw materials, spares, consumables, services and products."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ironbridge.models import InventoryItemType


class PartSpec(NamedTuple):
    """One part as the plant's item master lists it."""

    number: str
    name: str
    type: InventoryItemType
    uom: str
    cost_cents: int  # standard cost in USD cents per unit of measure
    category: str
    # typical order quantity range in whole units of measure, and the ordering step
    qty_lo: int
    qty_hi: int
    step: int
    active: bool


_TYPES = {
    "RAW": InventoryItemType.RAW_MATERIAL,
    "FG": InventoryItemType.FINISHED_GOOD,
    "SPARE": InventoryItemType.SPARE_PART,
    "CONS": InventoryItemType.CONSUMABLE,
    "SVC": InventoryItemType.SERVICE,
    "OTHER": InventoryItemType.OTHER,
}

# [category], then: number | name | type | unit of measure | USD cost | qty lo-hi/step [| inactive]
_TABLE = """
[bearings]
BRG-6204-2RS | Deep groove ball bearing 6204-2RS, 20x47x14 mm | SPARE | EA | 6.12 | 4-40
BRG-6205-2RS | Deep groove ball bearing 6205-2RS, 25x52x15 mm | SPARE | EA | 7.45 | 4-40
BRG-6206-2RS | Deep groove ball bearing 6206-2RS, 30x62x16 mm | SPARE | EA | 9.18 | 4-30
BRG-6308-2RS-C3 | Deep groove ball bearing 6308-2RS C3, 40x90x23 mm | SPARE | EA | 24.60 | 2-20
BRG-22210-E | Spherical roller bearing 22210 E, 50x90x23 mm | SPARE | EA | 118.50 | 1-8
BRG-NU210-ECP | Cylindrical roller bearing NU 210 ECP | SPARE | EA | 86.40 | 1-8
BRG-32210-J2 | Tapered roller bearing 32210 J2/Q | SPARE | EA | 52.90 | 2-12
BRG-UCP208 | Pillow block bearing unit UCP208, 40 mm bore | SPARE | EA | 43.75 | 1-10
[motion]
MTR-5.5KW-4P-IE3 | Induction motor 5.5 kW 4-pole IE3, frame 132S | SPARE | EA | 785.00 | 1-2
MTR-7.5KW-4P-IE3 | Induction motor 7.5 kW 4-pole IE3, frame 132M | SPARE | EA | 962.00 | 1-2
MTR-11KW-4P-IE3 | Induction motor 11 kW 4-pole IE3, frame 160M | SPARE | EA | 1428.00 | 1-2
MTR-7.5KW-4P-IE2 | Induction motor 7.5 kW IE2, superseded | SPARE | EA | 880.00 | 1-2 | inactive
VFD-7.5KW-480V | Variable frequency drive 7.5 kW 480 V 3-phase | SPARE | EA | 1189.00 | 1-2
GBX-RED-HEL-30 | Helical gear reducer 30:1, hollow shaft | SPARE | EA | 1645.00 | 1-1
BLT-V-B68 | V-belt B68 classical wrapped | SPARE | EA | 18.40 | 4-24
BLT-TIM-8M-1200 | Timing belt HTD 8M-1200-30 | SPARE | EA | 69.20 | 1-6
CPL-JAW-L100 | Jaw coupling L100 with urethane spider | SPARE | EA | 33.50 | 2-10
CHN-RC80-10FT | Roller chain ANSI 80, 10 ft box | SPARE | EA | 154.75 | 1-4
[hydraulics]
HYD-PMP-AX28 | Axial piston pump 28 cc/rev, pressure compensated | SPARE | EA | 2480.00 | 1-1
HYD-VLV-D03-24V | Directional control valve NG6/D03, 24 VDC | SPARE | EA | 387.50 | 1-4
HYD-SEAL-KIT-63 | Cylinder seal kit, 63 mm bore / 36 mm rod | SPARE | EA | 88.90 | 2-10
HYD-HOSE-R2-12 | Hydraulic hose SAE 100R2AT, 3/4 in | SPARE | M | 14.25 | 10-100/5
HYD-ORING-KIT-NBR | O-ring assortment NBR 70, 382 pieces | SPARE | SET | 61.50 | 1-4
HYD-ACC-4L | Bladder accumulator 4 L, 330 bar | SPARE | EA | 614.00 | 1-1
[filters]
FLT-HYD-RET-10U | Return line filter element, 10 micron | SPARE | EA | 46.80 | 2-24
FLT-AIR-CMP75 | Compressor intake filter element, 75 kW unit | SPARE | EA | 93.20 | 1-6
FLT-OIL-CMP75 | Compressor oil filter, 75 kW unit | SPARE | EA | 58.70 | 1-6
FLT-HVAC-20X25-M13 | Pleated panel filter 20x25x2 in, MERV 13 | CONS | EA | 12.95 | 12-96/12
FLT-BOOTH-CART | Powder booth cartridge filter, 325 x 600 mm | SPARE | EA | 214.50 | 2-12/2
[electrical]
ELC-PRX-M18-PNP | Inductive proximity sensor M18, PNP NO, 8 mm | SPARE | EA | 39.75 | 2-20
ELC-PE-DIFF-24V | Photoelectric sensor, diffuse, 24 VDC, M12 | SPARE | EA | 88.40 | 1-10
ELC-CONT-40A-24V | Contactor 40 A AC-3, 24 VDC coil | SPARE | EA | 112.60 | 1-8
ELC-FUSE-J-30A | Class J time-delay fuse 30 A 600 V | SPARE | EA | 18.90 | 10-60/10
ELC-PLC-DI16 | PLC digital input module, 16 channels 24 VDC | SPARE | EA | 364.00 | 1-3
ELC-ENC-1024 | Incremental rotary encoder 1024 ppr, 10 mm shaft | SPARE | EA | 243.00 | 1-4
ELC-CBL-M12-5M | Sensor cable M12 4-pin, 5 m, PUR | SPARE | EA | 15.60 | 10-50/5
[lubricants]
LUB-HYD-ISO46 | Hydraulic fluid ISO VG 46, anti-wear | CONS | L | 4.85 | 208-2080/208
LUB-WAY-ISO68 | Slideway oil ISO VG 68 | CONS | L | 6.12 | 20-208/20
LUB-GRS-EP2-400G | EP2 lithium complex grease, 400 g cartridge | CONS | EA | 8.95 | 12-120/12
LUB-GEAR-ISO220 | Synthetic gear oil ISO VG 220 | CONS | L | 11.40 | 20-208/20
CHM-CUT-SEMISYN | Semi-synthetic cutting fluid concentrate | CONS | L | 10.25 | 20-416/20
CHM-DEGR-AQ | Aqueous parts washer degreaser | CONS | L | 4.68 | 20-200/20
[welding]
WLD-ER70S6-0.9 | MIG wire ER70S-6, 0.9 mm, 15 kg spool | CONS | EA | 52.40 | 4-40/2
WLD-TIP-M6-0.9 | MIG contact tip M6, 0.9 mm, pack of 25 | CONS | BOX | 28.75 | 1-10
ABR-FLAP-125-80 | Flap disc 125 mm, zirconia, grit 80 | CONS | EA | 5.85 | 20-200/10
ABR-CUT-125-1 | Cut-off wheel 125 x 1.0 mm, inox | CONS | EA | 2.15 | 50-500/50
[safety]
PPE-GLV-CUT-A4-L | Cut-resistant gloves ANSI A4, size L | CONS | PR | 6.85 | 24-240/12
PPE-EARPLUG-200 | Foam earplugs NRR 32, box of 200 pairs | CONS | BOX | 36.50 | 2-20
PPE-GLASS-CLR | Safety glasses, clear anti-fog lens | CONS | EA | 4.65 | 12-144/12
PPE-SPILL-KIT-20G | Oil-only spill kit, 20 gal | CONS | EA | 128.50 | 1-4
[tooling]
TL-INS-CNMG432-PM | Carbide turning insert CNMG 432-PM, box of 10 | CONS | BOX | 118.90 | 1-12
TL-EM-12-4F-TIALN | Carbide end mill 12 mm, 4 flute, TiAlN | CONS | EA | 64.75 | 2-20
TL-DRL-8.5-HSSCO | Jobber drill 8.5 mm HSS-Co | CONS | EA | 11.90 | 10-60/5
TL-TAP-M10-SP | Spiral point tap M10x1.5 | CONS | EA | 22.80 | 5-30/5
[steel]
RM-CR1008-1.2X1250 | Cold-rolled coil SAE 1008, 1.2 x 1250 mm | RAW | KG | 1.18 | 8000-24000/500
RM-HR-A36-6MM | Hot-rolled steel plate ASTM A36, 6 mm | RAW | KG | 1.04 | 2000-12000/500
RM-BAR-4140-50 | Alloy steel round bar 4140 QT, 50 mm | RAW | KG | 2.36 | 500-4000/100
RM-AL6061-BAR-40 | Aluminium round bar 6061-T6, 40 mm | RAW | KG | 5.48 | 200-2000/50
[castings]
RM-CST-GBX200-HSG | Gearbox housing casting GBX-200, grey iron | RAW | EA | 142.00 | 50-400/10
RM-CST-PMP-VOL65 | Pump volute casting CF-65, ductile iron | RAW | EA | 96.50 | 40-300/10
RM-FRG-SHAFT-45 | Forged shaft blank 42CrMo4, 45 mm | RAW | EA | 38.75 | 100-800/50
[plastics]
RM-PA66-GF30 | Nylon PA66 GF30 pellets, black | RAW | KG | 4.62 | 500-5000/25
RM-PP-HOMO-NAT | Polypropylene homopolymer pellets, natural | RAW | KG | 1.98 | 1000-10000/25
[coatings]
RM-PWD-RAL5015 | Polyester powder coating RAL 5015 sky blue | RAW | KG | 12.75 | 100-800/20
RM-PWD-RAL7035 | Polyester powder coating RAL 7035 light grey | RAW | KG | 12.10 | 100-800/20
[fasteners]
FST-HHCS-M10X40 | Hex bolt M10x40 class 8.8, zinc plated | RAW | EA | 0.19 | 500-5000/100
FST-SHCS-M8X25 | Socket head cap screw M8x25 class 12.9 | RAW | EA | 0.24 | 500-5000/100
FST-NUT-M10-8 | Hex nut M10 class 8, zinc plated | RAW | EA | 0.06 | 1000-10000/500
FST-WSH-M10 | Flat washer M10 DIN 125, zinc plated | RAW | EA | 0.03 | 1000-10000/500
FST-ORING-GBX-92 | O-ring 92 x 3 mm NBR for GBX housing cover | RAW | EA | 0.42 | 200-2000/100
[packaging]
PKG-STRETCH-18 | Stretch wrap 18 in x 1500 ft, 80 gauge | CONS | ROLL | 22.95 | 8-64/4
PKG-CRATE-GBX200 | Heat-treated wooden crate for GBX-200 | OTHER | EA | 38.40 | 20-200/10
PKG-PALLET-4840 | Returnable plastic pallet 48 x 40 in | OTHER | EA | 64.50 | 20-120/10
PKG-EDGE-36 | Corner edge protector 36 in | CONS | EA | 0.38 | 200-2000/100
[tooling]
OTH-FIX-L1-OP20 | Workholding fixture, Line 1 operation 20 | OTHER | EA | 2850.00 | 1-1
OTH-GAUGE-M10-GNG | Thread plug gauge M10x1.5 6H go/no-go | OTHER | EA | 94.80 | 1-4
[services]
SVC-CAL-CMM | Annual CMM calibration and certification | SVC | EA | 2850.00 | 1-1
SVC-CAL-TORQUE | Torque tool calibration, per tool | SVC | EA | 45.00 | 5-40/5
SVC-CRANE-INSP | Overhead crane and hoist annual inspection | SVC | EA | 1650.00 | 1-1
SVC-VIB-ROUTE | Vibration analysis route, per technician hour | SVC | HR | 145.00 | 4-24/2
SVC-IR-SURVEY | Thermography survey of switchgear, per hour | SVC | HR | 165.00 | 4-16/2
SVC-WASTE-OIL | Waste oil pickup and disposal, per drum | SVC | EA | 95.00 | 2-12
SVC-MILLWRIGHT | Contract millwright labour, per hour | SVC | HR | 98.00 | 8-80/4
[products]
FG-GBX-200-20 | Helical gearbox GBX-200, ratio 20:1 | FG | EA | 1480.00 | 10-120/5
FG-GBX-200-40 | Helical gearbox GBX-200, ratio 40:1 | FG | EA | 1560.00 | 10-120/5
FG-GBX-350-25 | Helical gearbox GBX-350, ratio 25:1 | FG | EA | 2390.00 | 5-60/5
FG-PMP-CF40 | Centrifugal pump CF-40 assembly, 4 kW | FG | EA | 1920.00 | 10-80/5
FG-PMP-CF65 | Centrifugal pump CF-65 assembly, 11 kW | FG | EA | 3180.00 | 5-40/5
FG-VLV-BODY-2IN | Machined valve body 2 in, ductile iron | FG | EA | 218.00 | 50-400/25
FG-CNV-RLR-50X600 | Conveyor roller 50 x 600 mm, sealed bearings | FG | EA | 34.50 | 100-1000/50
FG-BRKT-MTR-132 | Motor mounting bracket, frame 132, painted | FG | EA | 48.75 | 100-600/50
FG-GBX-150-15 | Gearbox GBX-150 15:1, discontinued | FG | EA | 970.00 | 10-60/5 | inactive"""


def _parse(table: str) -> tuple[PartSpec, ...]:
    parts: list[PartSpec] = []
    category = ""
    for raw in table.strip().splitlines():
        if raw.startswith("["):
            category = raw.strip("[]")
            continue
        number, name, kind, uom, cost, qty, *flags = (cell.strip() for cell in raw.split("|"))
        span, _, step = qty.partition("/")
        lo, _, hi = span.partition("-")
        parts.append(
            PartSpec(
                number=number,
                name=name,
                type=_TYPES[kind],
                uom=uom,
                cost_cents=int(Decimal(cost) * 100),
                category=category,
                qty_lo=int(lo),
                qty_hi=int(hi),
                step=int(step or 1),
                active="inactive" not in flags,
            )
        )
    return tuple(parts)


PARTS: tuple[PartSpec, ...] = _parse(_TABLE)

__all__ = ["PARTS", "PartSpec"]
