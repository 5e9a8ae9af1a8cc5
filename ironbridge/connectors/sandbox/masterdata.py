"""Master data of the sandbox plant: locations, vendors, items, stock levels and assets."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ironbridge.connectors.sandbox.catalog import (
    COMPONENTS,
    LINES,
    LOCATIONS,
    SITE_ADDRESSES,
    VENDORS,
    MachineSpec,
)
from ironbridge.connectors.sandbox.parts import PARTS
from ironbridge.connectors.sandbox.payloads import (
    asset_payload,
    attach,
    inventory_item_payload,
    location_payload,
    stock_level_payload,
    vendor_payload,
)
from ironbridge.connectors.sandbox.values import money, whole
from ironbridge.models import (
    Address,
    Asset,
    AssetStatus,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    StockLevel,
    Vendor,
)

if TYPE_CHECKING:
    import random

    from ironbridge.connectors.sandbox.values import Clock

# where each part category is stocked (services are never stocked)
STOCKED_AT: dict[str, tuple[str, ...]] = {
    "bearings": ("LOC-1120", "LOC-1220", "LOC-2120"),
    "motion": ("LOC-1120", "LOC-2120"),
    "hydraulics": ("LOC-1120", "LOC-2120"),
    "filters": ("LOC-1120", "LOC-1220"),
    "electrical": ("LOC-1120", "LOC-1220"),
    "lubricants": ("LOC-1120", "LOC-1220"),
    "welding": ("LOC-1220",),
    "safety": ("LOC-1400", "LOC-2110"),
    "tooling": ("LOC-1120",),
    "steel": ("LOC-1110",),
    "castings": ("LOC-1110", "LOC-2110", "LOC-1250"),
    "plastics": ("LOC-2110",),
    "coatings": ("LOC-1220",),
    "fasteners": ("LOC-1400", "LOC-2110"),
    "packaging": ("LOC-1210",),
    "products": ("LOC-1210", "LOC-2110"),
    "services": (),
}

_ITEM_NOTES: dict[InventoryItemType, str] = {
    InventoryItemType.RAW_MATERIAL: "Production material, received against purchase orders.",
    InventoryItemType.FINISHED_GOOD: "Manufactured in house; sold and shipped from stock.",
    InventoryItemType.SPARE_PART: "Maintenance spare, issued to work orders.",
    InventoryItemType.CONSUMABLE: "Shop consumable, expensed on issue.",
    InventoryItemType.SERVICE: "Contracted service, not stocked.",
    InventoryItemType.OTHER: "Plant equipment and returnable packaging.",
}


def locations(rng: random.Random, clock: Clock) -> tuple[Location, ...]:
    records: list[Location] = []
    for spec in LOCATIONS:
        line1, city, region, postal, country = SITE_ADDRESSES[spec.site]
        has_address = spec.type not in (LocationType.AREA, LocationType.STOREROOM)
        created, updated = clock.master_stamps(rng)
        location = Location(
            remote_id=spec.remote_id,
            created_at=created,
            updated_at=updated,
            name=spec.name,
            code=spec.code,
            type=spec.type,
            parent_remote_id=spec.parent,
            address=Address(
                line1=line1,
                line2=None if spec.type is LocationType.SITE else spec.name,
                city=city,
                region=region,
                postal_code=postal,
                country=country,
            )
            if has_address
            else None,
        )
        records.append(attach(location, location_payload))
    return tuple(records)


def _tax_id(rng: random.Random, country: str) -> str:
    if country == "DE":
        return f"DE{rng.randint(100_000_000, 999_999_999)}"
    return f"{rng.randint(10, 99)}-{rng.randint(1_000_000, 9_999_999)}"


def vendors(rng: random.Random, clock: Clock) -> tuple[Vendor, ...]:
    records: list[Vendor] = []
    for index, spec in enumerate(VENDORS):
        created, updated = clock.master_stamps(rng)
        terms = (
            "Net 60" if spec.currency == "EUR" else rng.choice(("Net 30", "Net 45", "2/10 Net 30"))
        )
        vendor = Vendor(
            remote_id=f"V-{10001 + index}",
            created_at=created,
            updated_at=updated,
            custom_fields={"paymentTerms": terms, "supplierRating": rng.choice("AAABBC")},
            name=spec.name,
            status=spec.status,
            code=spec.code,
            email=f"orders@{spec.domain}",
            phone=spec.phone,
            address=Address(
                line1=spec.line1,
                city=spec.city,
                region=spec.region,
                postal_code=spec.postal_code,
                country=spec.country,
            ),
            currency=spec.currency,
            tax_id=_tax_id(rng, spec.country),
        )
        records.append(attach(vendor, vendor_payload))
    return tuple(records)


def item_remote_id(index: int) -> str:
    return f"ITM-{10001 + index}"


def inventory_items(rng: random.Random, clock: Clock) -> tuple[InventoryItem, ...]:
    records: list[InventoryItem] = []
    for index, spec in enumerate(PARTS):
        created, updated = clock.master_stamps(rng)
        custom: dict[str, str] = {"abcClass": rng.choice("AABBBCCC")}
        if spec.category == "lubricants":
            custom["hazmatClass"] = "Class 9" if rng.random() < 0.5 else "Not regulated"
        item = InventoryItem(
            remote_id=item_remote_id(index),
            created_at=created,
            updated_at=updated,
            custom_fields=custom,
            number=spec.number,
            name=spec.name,
            description=_ITEM_NOTES[spec.type],
            type=spec.type,
            unit_of_measure=spec.uom,
            unit_cost=money(spec.cost_cents),
            currency="USD",
            active=spec.active,
        )
        records.append(attach(item, inventory_item_payload))
    return tuple(records)


def stock_levels(rng: random.Random, clock: Clock) -> tuple[StockLevel, ...]:
    records: list[StockLevel] = []
    for index, spec in enumerate(PARTS):
        item_id = item_remote_id(index)
        for location_id in STOCKED_AT[spec.category]:
            step = spec.step
            reorder = spec.qty_lo if spec.qty_lo >= step else step
            # every 7th stock row is out of stock; a few more run dry at random
            empty = len(records) % 7 == 3 or rng.random() < 0.04
            if location_id == "LOC-1250":  # quality hold: a few pieces, never reordered
                on_hand, reorder = rng.randint(1, 12), 0
            elif empty:
                on_hand = 0
            else:
                on_hand = step * rng.randint(reorder // step // 2 + 1, spec.qty_hi // step * 2 + 1)
            reserved = step * rng.randint(0, on_hand // step // 3) if on_hand else 0
            on_order = spec.qty_hi if on_hand < reorder and rng.random() < 0.7 else 0
            created, updated = clock.stamps(rng, 0.0, 30.0, settle=1.0)
            stock = StockLevel(
                remote_id=f"STK-{item_id[4:]}-{location_id[4:]}",
                created_at=created,
                updated_at=updated,
                quantity_on_hand=whole(on_hand),
                item_remote_id=item_id,
                location_remote_id=location_id,
                quantity_available=whole(on_hand - reserved),
                quantity_reserved=whole(reserved),
                quantity_on_order=whole(on_order),
                reorder_point=whole(reorder),
                unit_of_measure=spec.uom,
            )
            records.append(attach(stock, stock_level_payload))
    return tuple(records)


def _serial(rng: random.Random, manufacturer: str) -> str:
    initials = "".join(word[0] for word in manufacturer.split()[:2]).upper()
    return f"{initials}{rng.randint(10, 24)}{rng.randint(100_000, 999_999)}"


class _AssetRegister:
    """Numbers assets in the order they are added: each line, then its machines and parts."""

    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.records: list[Asset] = []

    def add(
        self,
        name: str,
        tag: str,
        *,
        location: str,
        parent: str | None,
        status: AssetStatus,
        criticality: str,
        machine: tuple[str, str] | None = None,
        description: str | None = None,
    ) -> str:
        rng, clock = self.rng, self.clock
        remote_id = f"AST-{10001 + len(self.records)}"
        created, updated = clock.master_stamps(rng)
        maker, model = machine if machine else (None, None)
        years = rng.randint(2, 16)
        asset = Asset(
            remote_id=remote_id,
            created_at=created,
            updated_at=updated,
            name=name,
            status=status,
            tag=tag,
            description=description,
            serial_number=_serial(rng, maker) if maker else None,
            manufacturer=maker,
            model=model,
            criticality=criticality,
            location_remote_id=location,
            parent_remote_id=parent,
            installed_at=(clock.now - timedelta(days=365 * years + rng.randint(0, 300))).date(),
        )
        self.records.append(attach(asset, asset_payload))
        return remote_id

    def machine(self, line_id: str, tag: str, location: str, machine: MachineSpec) -> None:
        machine_id = self.add(
            machine.name,
            tag,
            location=location,
            parent=line_id,
            status=machine.status,
            criticality=machine.criticality,
            machine=(machine.manufacturer, machine.model),
        )
        for number, key in enumerate(machine.components, start=1):
            name, maker, model = COMPONENTS[key]
            self.add(
                f"{name} ({machine.name})",
                f"{tag}-C{number}",
                location=location,
                parent=machine_id,
                status=machine.status,
                criticality="B" if machine.criticality == "A" else "C",
                machine=(maker, model),
            )


def assets(rng: random.Random, clock: Clock) -> tuple[Asset, ...]:
    """Each production line, its machines, and their major components, as a hierarchy."""
    register = _AssetRegister(rng, clock)
    for line in LINES:
        line_id = register.add(
            line.name,
            line.tag,
            location=line.location,
            parent=None,
            status=AssetStatus.ACTIVE,
            criticality="A",
            description=f"Asset group: {line.name}",
        )
        for number, machine in enumerate(line.machines, start=1):
            register.machine(line_id, f"{line.tag}-{number:02d}", line.location, machine)
    return tuple(register.records)
