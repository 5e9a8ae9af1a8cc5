"""Golden tests: Plex Connect payloads as the emulator serves them → the unified model, and
the status tables. The fixtures were captured from the emulator (30 orders, anchor
2025-06-01)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.plex.mappers import (
    MapOptions,
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    parse_instant,
)
from ironbridge.connectors.plex.status import StatusFlags, StatusTable, purchase_order_status
from ironbridge.models import (
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    Vendor,
    VendorStatus,
)

FIXTURES = Path(__file__).parent / "fixtures"
PO = PurchaseOrderStatus


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


STATUSES = StatusTable.of(load("statuses.json"))


def order(n: int, **options: Any) -> PurchaseOrder:
    raw = load("purchase_orders.json")[n]
    lines = raw.pop("lineItems")
    return map_purchase_order(
        raw, statuses=STATUSES, lines=lines, options=MapOptions(**options) if options else None
    )


def test_an_approved_order_maps_every_field() -> None:
    mapped = order(2)
    assert mapped.remote_data is not None
    assert mapped == PurchaseOrder(
        remote_id="6f0c0001-0000-4000-8000-000000000002",
        number="060002",
        status=PO.APPROVED,
        remote_status="Open",
        vendor_remote_id="1b2c0002-0000-4000-8000-000000000004",
        order_date=date(2024, 7, 3),
        expected_delivery_date=date(2024, 7, 19),
        currency="USD",
        total_amount=Decimal("512.5"),
        created_at=datetime(2024, 7, 3, 5, 44, 30, tzinfo=UTC),
        updated_at=datetime(2024, 7, 6, 7, 44, 30, tzinfo=UTC),
        custom_fields={},
        remote_data=mapped.remote_data,
        lines=(
            PurchaseOrderLine(
                line_number="1",
                quantity=Decimal(15),
                item_remote_id="9a7e0003-0000-4000-8000-000000000006",
                description="Part 10006 supply",
                quantity_received=Decimal(0),
                unit_of_measure="ea",
                unit_price=Decimal("4.75"),
                amount=Decimal("71.25"),
                expected_delivery_date=date(2024, 7, 19),
            ),
            PurchaseOrderLine(
                line_number="2",
                quantity=Decimal(20),
                item_remote_id="9a7e0003-0000-4000-8000-000000000007",
                description="Part 10007 supply",
                quantity_received=Decimal(0),
                unit_of_measure="kg",
                unit_price=Decimal(8),
                amount=Decimal("160.00"),
                expected_delivery_date=date(2024, 7, 20),
            ),
            PurchaseOrderLine(
                line_number="3",
                quantity=Decimal(25),
                item_remote_id="9a7e0003-0000-4000-8000-000000000008",
                description="Part 10008 supply",
                quantity_received=Decimal(0),
                unit_of_measure="m",
                unit_price=Decimal("11.25"),
                amount=Decimal("281.25"),
                expected_delivery_date=date(2024, 7, 21),
            ),
        ),
    )
    assert len(mapped.remote_data["lineItems"]) == 3


@pytest.mark.parametrize(
    ("n", "status", "remote"),
    [
        (0, PO.DRAFT, "Quote"),
        (1, PO.PENDING_APPROVAL, "Open"),
        (2, PO.APPROVED, "Open"),
        (3, PO.PARTIALLY_RECEIVED, "Firm"),
        (4, PO.RECEIVED, "Complete"),
        (5, PO.CLOSED, "Closed"),
        (6, PO.CANCELLED, "Void"),
        (8, PO.APPROVED, "Firm"),
    ],
)
def test_every_scenario_status_comes_from_the_flags(n: int, status: PO, remote: str) -> None:
    mapped = order(n)
    assert (mapped.status, mapped.remote_status) == (status, remote)


def test_received_quantities_come_from_the_releases() -> None:
    (line,) = order(3).lines
    assert (line.quantity, line.quantity_received) == (Decimal(20), Decimal(4))
    assert [line.quantity_received for line in order(4).lines] == [Decimal(25), Decimal(30)]


def test_attributes_plex_adds_are_custom_fields() -> None:
    assert order(7).custom_fields == {"costCenter": "CC-4100", "projectCode": "PRJ-0007"}
    assert order(7, custom_fields=("projectCode",)).custom_fields == {"projectCode": "PRJ-0007"}
    assert order(2).custom_fields == {}


def test_an_unknown_vendor_is_kept_as_its_id() -> None:
    assert order(8).vendor_remote_id == "1b2c0002-0000-4000-8000-000000ffffff"


def test_a_malformed_order_fails_with_its_id() -> None:
    with pytest.raises(RecordMappingError) as caught:
        order(9)
    assert caught.value.remote_id == "6f0c0001-0000-4000-8000-000000000009"
    assert "2024-13-45" in caught.value.detail


def test_an_unknown_status_name_fails_the_record() -> None:
    raw = {**load("purchase_orders.json")[2], "status": "Renamed"}
    with pytest.raises(RecordMappingError, match="not one of the tenant"):
        map_purchase_order(raw, statuses=STATUSES)


def test_statuses_map_by_flags_whatever_their_names() -> None:
    # a tenant that calls its statuses differently: only the flags count
    renamed = StatusTable.of(
        [
            {"name": "Abierta", "active": True, "receive": True, "onOrder": True},
            {"name": "Anulada", "active": False, "cancelled": True},
        ]
    )
    raw = {**load("purchase_orders.json")[2], "status": "abierta"}
    assert map_purchase_order(raw, statuses=renamed).status is PO.APPROVED
    raw["status"] = "Anulada"
    assert map_purchase_order(raw, statuses=renamed).status is PO.CANCELLED
    assert renamed.cancelled() == StatusFlags(name="Anulada", active=False, cancelled=True)


# flags of a status, approved?, partly received? -> unified status
STATUS_TABLE = [
    (StatusFlags(name="x", cancelled=True, received=True), True, False, PO.CANCELLED),
    (StatusFlags(name="x", received=True), True, False, PO.RECEIVED),
    (StatusFlags(name="x", received=True, active=False), True, False, PO.CLOSED),
    (StatusFlags(name="x", active=False), False, False, PO.CLOSED),
    (StatusFlags(name="x", on_order=True), True, False, PO.APPROVED),
    (StatusFlags(name="x", release=True), True, True, PO.PARTIALLY_RECEIVED),
    (StatusFlags(name="x", receive=True), False, False, PO.PENDING_APPROVAL),
    (StatusFlags(name="x", default=True), False, False, PO.DRAFT),
]


@pytest.mark.parametrize(("flags", "approved", "partial", "expected"), STATUS_TABLE)
def test_the_status_table(flags: StatusFlags, approved: bool, partial: bool, expected: PO) -> None:
    assert purchase_order_status(flags, approved=approved, partially_received=partial) is expected


def test_suppliers() -> None:
    inactive, on_hold, approved = (map_vendor(raw) for raw in load("suppliers.json"))
    assert approved == Vendor(
        remote_id="1b2c0002-0000-4000-8000-000000000002",
        name="Supplier 3 Industries",
        status=VendorStatus.ACTIVE,
        code="SUP0003",
        created_at=datetime(2023, 8, 27, 16, 0, tzinfo=UTC),
        updated_at=datetime(2024, 9, 30, 16, 0, tzinfo=UTC),
        remote_data=load("suppliers.json")[2],
    )
    assert (inactive.status, on_hold.status) == (VendorStatus.INACTIVE, VendorStatus.BLOCKED)
    options = MapOptions(supplier_statuses={"approved": VendorStatus.BLOCKED})
    assert map_vendor(load("suppliers.json")[2], options=options).status is VendorStatus.BLOCKED


def test_parts() -> None:
    obsolete, purchased, *_ = (map_inventory_item(raw) for raw in load("parts.json"))
    assert purchased == InventoryItem(
        remote_id="9a7e0003-0000-4000-8000-000000000001",
        number="10001-A",
        name="Part 10001",
        description="Part 10001 supply",
        type=InventoryItemType.RAW_MATERIAL,
        unit_of_measure="kg",
        active=True,
        created_at=purchased.created_at,
        updated_at=parse_instant(load("parts.json")[1]["modifiedDateTime"]),
        remote_data=load("parts.json")[1],
    )
    assert (obsolete.number, obsolete.active) == ("10000-B", False)
    assert map_inventory_item(load("parts.json")[3]).type is InventoryItemType.FINISHED_GOOD


def test_locations() -> None:
    warehouse, stores, _production = (map_location(raw) for raw in load("locations.json"))
    assert warehouse == Location(
        remote_id="10c40004-0000-4000-8000-000000000000",
        name="B1-WARE-00",
        code="B1-WARE-00",
        type=LocationType.WAREHOUSE,
        updated_at=datetime(2024, 7, 11, 13, 20, tzinfo=UTC),
        remote_data=load("locations.json")[0],
    )
    assert stores.type is LocationType.STOREROOM


def test_containers_are_stock_levels_and_an_empty_one_is_out_of_stock() -> None:
    empty, full, *_ = (map_stock_level(raw) for raw in load("containers.json"))
    assert empty.quantity_on_hand == Decimal(0)
    assert full == StockLevel(
        remote_id="S1000002",
        quantity_on_hand=Decimal(20),
        quantity_available=Decimal(20),
        item_remote_id="9a7e0003-0000-4000-8000-000000000002",
        location_remote_id="10c40004-0000-4000-8000-000000000001",
        updated_at=full.updated_at,
        remote_data=load("containers.json")[1],
    )
    held = map_stock_level(load("containers.json")[4])
    assert (held.quantity_on_hand, held.quantity_available) == (Decimal(50), Decimal(0))


def test_jobs() -> None:
    statuses = [map_production_order(raw).status for raw in load("jobs.json")]
    assert statuses == [
        ProductionOrderStatus.PLANNED,
        ProductionOrderStatus.RELEASED,
        ProductionOrderStatus.IN_PROGRESS,
        ProductionOrderStatus.COMPLETED,
        ProductionOrderStatus.CLOSED,
        ProductionOrderStatus.CANCELLED,
    ]
    job = map_production_order(load("jobs.json")[2])
    assert (job.number, job.quantity_planned, job.quantity_completed) == (
        "J50002",
        Decimal(150),
        Decimal(75),
    )
    with pytest.raises(RecordMappingError, match="unknown job status"):
        map_production_order({**load("jobs.json")[0], "jobStatus": "Teleported"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-02T13:00:00Z", datetime(2024, 5, 2, 13, tzinfo=UTC)),
        ("2024-05-02T13:00:00.1234567Z", datetime(2024, 5, 2, 13, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-02T15:00:00+02:00", datetime(2024, 5, 2, 13, tzinfo=UTC)),
        (None, None),
    ],
)
def test_plex_instants(text: str | None, expected: datetime | None) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["2024-05-02", "02/05/2024 13:00", "2024-13-45T00:00:00Z", 7])
def test_bad_instants_are_refused(text: Any) -> None:
    with pytest.raises(ValueError, match="not a Plex date-time"):
        parse_instant(text)
