"""Golden tests of the NetSuite mappers: fixture payload in, unified record out."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.netsuite.mappers import (
    PO_STATUS,
    WO_STATUS,
    MapContext,
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
)
from ironbridge.models import (
    Address,
    InventoryItem,
    Location,
    LocationType,
    ProductionOrder,
    ProductionOrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    Vendor,
    VendorStatus,
)

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = MapContext(currencies={"1": "USD", "2": "EUR", "3": "GBP"})


def fixture(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return payload


def test_purchase_order() -> None:
    payload = fixture("purchase_order.json")
    assert map_purchase_order(payload, CONTEXT) == PurchaseOrder(
        remote_id="10004",
        created_at=datetime(2025, 1, 18, 10, tzinfo=UTC),
        updated_at=datetime(2025, 1, 25, 12, tzinfo=UTC),
        custom_fields={},
        remote_data=payload,
        number="PO10004",
        status=PurchaseOrderStatus.PARTIALLY_RECEIVED,
        remote_status="D",
        vendor_remote_id="2002",
        order_date=date(2025, 1, 18),
        expected_delivery_date=date(2025, 2, 2),
        currency="USD",
        total_amount=Decimal("694.53"),
        description="Quarterly safety stock 4",
        ship_to_remote_id="2",
        lines=(
            PurchaseOrderLine(
                line_number="1",
                quantity=Decimal(75),
                item_remote_id="3011",
                description="Hydraulic oil ISO VG 46, supplier grade E",
                quantity_received=Decimal(75),
                unit_of_measure="Liter",
                unit_price=Decimal("4.38"),
                amount=Decimal("328.5"),
                expected_delivery_date=date(2025, 2, 2),
            ),
            PurchaseOrderLine(
                line_number="2",
                quantity=Decimal(63),
                item_remote_id="3010",
                description="Ball bearing 6204-2RS, supplier grade D",
                quantity_received=Decimal(0),
                unit_of_measure="Each",
                unit_price=Decimal("5.81"),
                amount=Decimal("366.03"),
                expected_delivery_date=date(2025, 2, 3),
            ),
        ),
    )


def test_purchase_order_as_netsuite_documents_it() -> None:
    payload = fixture("purchase_order_reference.json")
    order = map_purchase_order(payload, MapContext())
    assert (order.remote_id, order.number, order.status) == (
        "607632",
        "PO45723",
        PurchaseOrderStatus.APPROVED,
    )
    assert order.vendor_remote_id == "1335929"
    assert order.currency is None  # the account's currencies were not read
    assert order.updated_at == datetime(2025, 12, 19, 15, 23, tzinfo=UTC)
    assert order.lines == (
        PurchaseOrderLine(
            line_number="1",
            quantity=Decimal(10),
            item_remote_id="13861",
            description="Blade 10in 80T",
            quantity_received=Decimal(0),
            unit_price=Decimal(3800),
            amount=Decimal(100),
        ),
    )


def test_custom_body_and_column_fields() -> None:
    order = map_purchase_order(fixture("purchase_order_custom_fields.json"), CONTEXT)
    assert order.custom_fields == {
        "custbody_ib_project_code": "PRJ-8452",
        "custbody_ib_receiving_dock": {"id": "3", "refName": "Dock 3"},
        "lines": {
            "1": {"custcol_ib_inspection_level": "NORMAL"},
            "2": {"custcol_ib_inspection_level": "NORMAL"},
        },
    }


def test_a_closed_order_with_nothing_received_is_cancelled() -> None:
    payload = fixture("purchase_order_cancelled.json")
    assert map_purchase_order(payload, CONTEXT).status is PurchaseOrderStatus.CANCELLED
    received = copy.deepcopy(payload)
    received["item"]["items"][0]["quantityReceived"] = 5
    assert map_purchase_order(received, CONTEXT).status is PurchaseOrderStatus.CLOSED


@pytest.mark.parametrize(("letter", "status"), sorted(PO_STATUS.items()))
def test_every_purchase_order_status_letter(letter: str, status: PurchaseOrderStatus) -> None:
    payload = fixture("purchase_order.json")
    payload["orderStatus"] = {"id": letter, "refName": letter}
    mapped = map_purchase_order(payload, CONTEXT)
    assert (mapped.status, mapped.remote_status) == (status, letter)


def test_status_table_covers_the_documented_letters() -> None:
    assert set(PO_STATUS) == set("ABCDEFGHP")
    assert set(WO_STATUS) == set("ABCDGH")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tranDate": "2025-02-30"}, "tranDate is not a date"),
        ({"orderStatus": {"id": "Z"}}, "unknown orderStatus 'Z'"),
        ({"orderStatus": None}, "unknown orderStatus None"),
        ({"tranId": None}, "tranId is missing"),
        ({"id": None}, "id is missing"),
        ({"total": "lots"}, "total is not a number"),
        ({"lastModifiedDate": "yesterday"}, "lastModifiedDate is not a date and time"),
        ({"entity": "2002"}, "entity is not a reference"),
        ({"item": {"links": []}}, "item is not an expanded sublist"),
    ],
)
def test_bad_purchase_orders_raise_mapping_errors(change: dict[str, Any], message: str) -> None:
    payload = {**fixture("purchase_order.json"), **change}
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(payload, CONTEXT)
    assert message in caught.value.detail
    assert caught.value.entity == "PURCHASE_ORDER"
    assert caught.value.payload is payload


def test_the_malformed_fixture_names_its_record() -> None:
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(fixture("purchase_order_malformed.json"), CONTEXT)
    assert caught.value.remote_id == "10014"


def test_a_line_without_quantity_is_malformed() -> None:
    payload = fixture("purchase_order.json")
    del payload["item"]["items"][1]["quantity"]
    with pytest.raises(RecordMappingError, match="line 2: quantity is missing"):
        map_purchase_order(payload, CONTEXT)


def test_vendor() -> None:
    payload = fixture("vendor.json")
    assert map_vendor(payload, CONTEXT) == Vendor(
        remote_id="2006",
        created_at=datetime(2024, 6, 8, tzinfo=UTC),
        updated_at=datetime(2025, 1, 24, 0, 5, tzinfo=UTC),
        remote_data=payload,
        name="Sterling Fasteners 6",
        status=VendorStatus.ACTIVE,
        code="V10006",
        email="orders@sterling6.example",
        phone="+49 711 0005",
        address=Address(
            line1="Industriestrasse 7",
            city="Stuttgart",
            region="BW",
            postal_code="70567",
            country="DE",
        ),
        currency="EUR",
        tax_id="DE566389906",
    )
    inactive = map_vendor({**payload, "isInactive": True, "addressBook": None}, CONTEXT)
    assert (inactive.status, inactive.address) == (VendorStatus.INACTIVE, None)


def test_inventory_item() -> None:
    payload = fixture("inventory_item.json")
    assert map_inventory_item(payload, CONTEXT) == InventoryItem(
        remote_id="3005",
        created_at=datetime(2024, 9, 21, tzinfo=UTC),
        updated_at=datetime(2025, 1, 9, 4, tzinfo=UTC),
        remote_data=payload,
        number="TG-1005",
        name="Gear motor 0.75 kW (E)",
        description="Gear motor 0.75 kW, supplier grade E",
        unit_of_measure="Each",
        unit_cost=Decimal("539.72"),
        active=True,
    )


def test_location() -> None:
    payload = fixture("location.json")
    assert map_location(payload, CONTEXT) == Location(
        remote_id="2",
        updated_at=datetime(2024, 12, 21, 3, tzinfo=UTC),
        remote_data=payload,
        name="Raw Materials",
        type=LocationType.WAREHOUSE,
        parent_remote_id="1",
        address=Address(
            line1="4200 Industrial Parkway",
            city="Dayton",
            region="OH",
            postal_code="45414",
            country="US",
        ),
    )


def test_work_order_is_a_production_order() -> None:
    payload = fixture("work_order.json")
    assert map_production_order(payload, CONTEXT) == ProductionOrder(
        remote_id="5000003",
        created_at=datetime(2025, 1, 2, 6, 0, 17, tzinfo=UTC),
        updated_at=datetime(2025, 1, 7, 6, 0, 17, tzinfo=UTC),
        remote_data=payload,
        number="WO1003",
        quantity_planned=Decimal(77),
        status=ProductionOrderStatus.IN_PROGRESS,
        item_remote_id="3011",
        quantity_completed=Decimal(38),
        unit_of_measure="Liter",
        remote_status="D",
        planned_start_at=datetime(2025, 1, 4, tzinfo=UTC),
        planned_end_at=datetime(2025, 1, 8, tzinfo=UTC),
        location_remote_id="3",
    )


def test_stock_level_from_a_suiteql_row() -> None:
    row = fixture("stock_level.json")
    assert map_stock_level(row, CONTEXT) == StockLevel(
        remote_id="3001:4",
        remote_data=row,
        quantity_on_hand=Decimal(255),
        item_remote_id="3001",
        location_remote_id="4",
        quantity_available=Decimal(216),
        quantity_reserved=Decimal(39),
        quantity_on_order=Decimal(50),
        reorder_point=Decimal(53),
    )
    # SuiteQL leaves null columns out of the row
    sparse = map_stock_level({"links": [], "item": "3001", "location": "6"}, CONTEXT)
    assert (sparse.quantity_on_hand, sparse.quantity_available) == (Decimal(0), None)
    with pytest.raises(RecordMappingError):
        map_stock_level({"item": "3001"}, CONTEXT)
