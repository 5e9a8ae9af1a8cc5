"""Purchase orders of the sandbox plant: every status, custom fields, an unknown vendor or two."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from ironbridge.connectors.sandbox.catalog import BUYERS, COST_CENTERS, PROJECT_CODES, VENDORS
from ironbridge.connectors.sandbox.parts import PARTS, PartSpec
from ironbridge.connectors.sandbox.payloads import attach, purchase_order_payload
from ironbridge.connectors.sandbox.values import money, whole
from ironbridge.models import (
    InventoryItemType,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    VendorStatus,
)

if TYPE_CHECKING:
    import random
    from datetime import date, datetime
    from decimal import Decimal

    from ironbridge.connectors.sandbox.values import Clock
    from ironbridge.models import InventoryItem, Vendor

S = PurchaseOrderStatus

# status → (share, created from .. to days ago, how far towards now it was last updated)
_STATUS_PROFILE: dict[PurchaseOrderStatus, tuple[int, float, float, float]] = {
    S.DRAFT: (4, 0.0, 12.0, 0.3),
    S.PENDING_APPROVAL: (6, 0.0, 20.0, 0.5),
    S.APPROVED: (14, 2.0, 45.0, 0.5),
    S.PARTIALLY_RECEIVED: (10, 10.0, 75.0, 0.7),
    S.RECEIVED: (18, 15.0, 110.0, 0.8),
    S.CLOSED: (40, 30.0, 120.0, 0.9),
    S.CANCELLED: (8, 3.0, 120.0, 0.8),
}
REMOTE_STATUS: dict[PurchaseOrderStatus, str] = {
    S.DRAFT: "Draft",
    S.PENDING_APPROVAL: "In Approval",
    S.APPROVED: "Open",
    S.PARTIALLY_RECEIVED: "Partially Received",
    S.RECEIVED: "Fully Received",
    S.CLOSED: "Closed",
    S.CANCELLED: "Cancelled",
}
# vendors must still be in good standing for orders that are not yet settled
_OPEN = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.PARTIALLY_RECEIVED})
_RECEIVED_IN_FULL = frozenset({S.RECEIVED, S.CLOSED})

# ids of vendors merged away or deleted in the sandbox system, still on old orders
UNKNOWN_VENDOR_IDS: tuple[str, ...] = ("V-10940", "V-10977")
_EUR_PER_USD = 0.92
_LINE_COUNTS = (1, 2, 3, 4, 5, 6)
_LINE_COUNT_WEIGHTS = (22, 24, 20, 14, 11, 9)
_LINE_NUMBERS = tuple(str(10 * n) for n in _LINE_COUNTS)
_DAYS = tuple(timedelta(days=n) for n in range(60))

_SHIP_TO: dict[str, str] = {
    "steel": "LOC-1110",
    "castings": "LOC-1110",
    "plastics": "LOC-1110",
    "coatings": "LOC-1220",
    "welding": "LOC-1220",
    "tooling": "LOC-1120",
    "services": "LOC-1000",
}
_TOPIC: dict[str, str] = {
    "bearings": "Bearing replenishment",
    "motion": "Drive and power transmission spares",
    "hydraulics": "Hydraulic spares",
    "filters": "Filter elements",
    "electrical": "Electrical and automation spares",
    "lubricants": "Lubricants and fluids",
    "welding": "Welding and abrasive supplies",
    "safety": "PPE and safety supplies",
    "tooling": "Cutting tools",
    "steel": "Steel for production schedule",
    "castings": "Castings and forgings for production",
    "plastics": "Resin for molding",
    "coatings": "Powder coating",
    "fasteners": "Fasteners for assembly",
    "packaging": "Packaging materials",
    "services": "Contracted service",
}


class _Offer(NamedTuple):
    """An item on a vendor's price list, in the vendor's currency."""

    item_id: str
    part: PartSpec
    price_cents: int
    price: Decimal


class _Supplier(NamedTuple):
    remote_id: str
    currency: str
    active: bool
    lead_days: int
    offers: tuple[_Offer, ...]
    ship_to: str
    topic: str


def _supplier(
    rng: random.Random,
    remote_id: str,
    currency: str,
    *,
    active: bool,
    lead_days: int,
    sells: tuple[str, ...],
    catalog: dict[str, list[tuple[str, PartSpec]]],
) -> _Supplier:
    factor = rng.uniform(0.92, 1.12) * (_EUR_PER_USD if currency == "EUR" else 1.0)
    offers: list[_Offer] = []
    for category in sells:
        for item_id, part in catalog[category]:
            cents = max(1, round(part.cost_cents * factor * rng.uniform(0.97, 1.03)))
            offers.append(_Offer(item_id, part, cents, money(cents)))
    ship_to = "LOC-2110" if currency == "EUR" else _SHIP_TO.get(sells[0], "LOC-1400")
    topic = _TOPIC[sells[0]]
    return _Supplier(remote_id, currency, active, lead_days, tuple(offers), ship_to, topic)


def _suppliers(
    rng: random.Random, vendors: tuple[Vendor, ...], items: tuple[InventoryItem, ...]
) -> tuple[list[_Supplier], list[_Supplier]]:
    """The vendors on file, and the vendors that only old orders still refer to."""
    catalog: dict[str, list[tuple[str, PartSpec]]] = {}
    for item, part in zip(items, PARTS, strict=True):
        if part.active and part.type is not InventoryItemType.FINISHED_GOOD:
            catalog.setdefault(part.category, []).append((item.remote_id, part))
    known = [
        _supplier(
            rng,
            vendor.remote_id,
            spec.currency,
            active=vendor.status is VendorStatus.ACTIVE,
            lead_days=spec.lead_days,
            sells=spec.categories,
            catalog=catalog,
        )
        for vendor, spec in zip(vendors, VENDORS, strict=True)
    ]
    categories = sorted(catalog)
    unknown = [
        _supplier(
            rng,
            remote_id,
            "USD",
            active=False,
            lead_days=10,
            sells=(rng.choice(categories),),
            catalog=catalog,
        )
        for remote_id in UNKNOWN_VENDOR_IDS
    ]
    return known, unknown


def _statuses(rng: random.Random, count: int) -> list[PurchaseOrderStatus]:
    population = list(_STATUS_PROFILE)
    weights = [profile[0] for profile in _STATUS_PROFILE.values()]
    statuses = rng.choices(population, weights, k=count)
    statuses[: len(population)] = population[:count]  # every status at least once
    return statuses


def _custom_fields(rng: random.Random, supplier: _Supplier) -> dict[str, str]:
    draw = rng.random()
    if draw < 0.65:
        return {}
    # Esslingen books to its own cost center
    fields = {"costCenter": "CC-7100" if supplier.currency == "EUR" else rng.choice(COST_CENTERS)}
    if draw < 0.82:
        fields["projectCode"] = rng.choice(PROJECT_CODES)
    if draw > 0.9:
        fields["buyer"] = rng.choice(BUYERS)
    return fields


def _lines(
    rng: random.Random,
    supplier: _Supplier,
    status: PurchaseOrderStatus,
    count: int,
    order_date: date,
) -> tuple[tuple[PurchaseOrderLine, ...], Decimal, date]:
    # the hot loop of large datasets: integer cents, and random() rather than randint()
    rand = rng.random
    chosen = list(supplier.offers)
    if count < len(chosen):  # a partial shuffle: rng.sample() is slow on small tuples
        for index in range(count):
            other = index + int(rand() * (len(chosen) - index))
            chosen[index], chosen[other] = chosen[other], chosen[index]
        del chosen[count:]
    last = len(chosen) - 1
    full = status in _RECEIVED_IN_FULL
    partial = status is S.PARTIALLY_RECEIVED
    lines: list[PurchaseOrderLine] = []
    total_cents = 0
    latest = order_date
    for index, offer in enumerate(chosen):
        part = offer.part
        units = part.qty_lo + part.step * int(
            rand() * ((part.qty_hi - part.qty_lo) // part.step + 1)
        )
        if partial and last == 0 and units < 2:
            units = 2
        received = units if full or (partial and index == 0) else 0
        if partial and index == last:
            received = units // 2  # the last line is still open
        amount_cents = units * offer.price_cents
        total_cents += amount_cents
        due = order_date + _DAYS[supplier.lead_days + int(rand() * 11)]
        if due > latest:
            latest = due
        lines.append(
            PurchaseOrderLine(
                line_number=_LINE_NUMBERS[index],
                quantity=whole(units),
                item_remote_id=offer.item_id,
                description=part.name,
                quantity_received=whole(received),
                unit_of_measure=part.uom,
                unit_price=offer.price,
                amount=money(amount_cents),
                expected_delivery_date=due,
            )
        )
    return tuple(lines), money(total_cents), latest


def purchase_orders(
    rng: random.Random,
    clock: Clock,
    count: int,
    vendors: tuple[Vendor, ...],
    items: tuple[InventoryItem, ...],
) -> tuple[PurchaseOrder, ...]:
    known, unknown = _suppliers(rng, vendors, items)
    in_good_standing = [supplier for supplier in known if supplier.active]
    statuses = _statuses(rng, count)
    stamps: list[tuple[datetime, datetime, PurchaseOrderStatus]] = []
    for index, status in enumerate(statuses):
        _, lo, hi, settle = _STATUS_PROFILE[status]
        created, updated = clock.stamps(rng, lo, hi, settle=settle)
        if index % 13 == 6:  # touched by a nightly batch run, together with others
            updated = clock.batch_run_after(created) or updated
        stamps.append((created, updated, status))
    stamps.sort(key=lambda stamp: stamp[0])
    # the order created in the middle of the history refers to a vendor nobody has any more
    orphan = count // 2
    counts = rng.choices(_LINE_COUNTS, _LINE_COUNT_WEIGHTS, k=count)
    width = max(6, len(str(count)))
    records: list[PurchaseOrder] = []
    for index, (created, updated, status) in enumerate(stamps):
        if index == orphan or rng.random() < 0.01:
            supplier = rng.choice(unknown)
        elif status in _OPEN:
            supplier = rng.choice(in_good_standing)
        else:
            supplier = rng.choice(known)
        order_date = created.date()
        lines, total, latest = _lines(rng, supplier, status, counts[index], order_date)
        seq = index + 1
        order = PurchaseOrder(
            remote_id=f"PO-{seq:0{width}d}",
            created_at=created,
            updated_at=updated,
            custom_fields=_custom_fields(rng, supplier),
            number=f"45{seq:08d}",
            status=status,
            remote_status=REMOTE_STATUS[status],
            vendor_remote_id=supplier.remote_id,
            order_date=order_date,
            expected_delivery_date=latest,
            currency=supplier.currency,
            total_amount=total,
            description=supplier.topic if rng.random() < 0.85 else None,
            ship_to_remote_id=supplier.ship_to,
            lines=lines,
            remote_data={},
        )
        records.append(attach(order, purchase_order_payload))
    return tuple(records)
