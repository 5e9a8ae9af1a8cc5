"""Golden tests: Business Central API payloads, captured from the emulator (30 records, anchor
2025-06-01) as the connector reads them → the unified model; and the status tables."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.dynamics_bc.mappers import (
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    parse_date,
    parse_decimal,
)
from ironbridge.connectors.dynamics_bc.status import (
    PO_STATUS,
    PRODUCTION_STATUS,
    VENDOR_BLOCKED,
    purchase_order_status,
)
from ironbridge.connectors.errors import RecordMappingError
from ironbridge.models import (
    Address,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    ProductionOrder,
    ProductionOrderStatus,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    Vendor,
    VendorStatus,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def test_an_open_purchase_order_is_approved_with_its_lines() -> None:
    raw = fixture("purchase_orders")["open"]
    order = map_purchase_order(raw)
    assert order.remote_id == "00000005-0000-4000-8000-000000000000"
    assert order.number == "106001"
    assert order.status is PurchaseOrderStatus.APPROVED
    assert order.remote_status == "Open"
    assert order.vendor_remote_id == "00000002-0000-4000-8000-000000000004"
    assert order.order_date == date(2024, 6, 11)
    assert order.expected_delivery_date == date(2024, 6, 25)
    assert order.currency == "USD"
    assert order.total_amount == Decimal("643.2")
    assert order.updated_at == datetime(2024, 6, 13, 4, tzinfo=UTC)
    assert order.ship_to_remote_id == "00000004-0000-4000-8000-000000000002"
    assert order.custom_fields == {}
    assert order.lines == (
        PurchaseOrderLine(
            line_number="10000",
            quantity=Decimal(12),
            item_remote_id="00000003-0000-4000-8000-000000000015",
            description="ROME Guest Chair, green (21)",
            quantity_received=Decimal(0),
            unit_of_measure="PCS",
            unit_price=Decimal("53.6"),
            amount=Decimal("643.2"),
            expected_delivery_date=date(2024, 6, 21),
        ),
    )
    assert order.remote_data == raw


@pytest.mark.parametrize(
    ("scenario", "status"),
    [
        ("partially_received", PurchaseOrderStatus.PARTIALLY_RECEIVED),
        ("received", PurchaseOrderStatus.RECEIVED),
        ("custom_fields", PurchaseOrderStatus.APPROVED),
    ],
)
def test_receipts_decide_the_status_of_an_open_order(
    scenario: str, status: PurchaseOrderStatus
) -> None:
    assert map_purchase_order(fixture("purchase_orders")[scenario]).status is status


def test_an_extensions_fields_are_custom_fields() -> None:
    order = map_purchase_order(fixture("purchase_orders")["custom_fields"])
    assert order.custom_fields == {"projectCode": "PRJ-00005", "receivingDock": "DOCK-2"}


def test_a_malformed_order_is_a_mapping_error_naming_it() -> None:
    raw = fixture("purchase_orders")["malformed"]
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(raw)
    assert caught.value.remote_id == "00000005-0000-4000-8000-000000000008"
    assert caught.value.entity == "PURCHASE_ORDER"
    assert caught.value.payload == raw


@pytest.mark.parametrize(
    "change",
    [{"status": "Released"}, {"purchaseOrderLines": "none"}, {"id": None}],
    ids=["unknown-status", "lines-not-a-list", "no-id"],
)
def test_unreadable_orders_are_mapping_errors(change: dict[str, Any]) -> None:
    raw = {**fixture("purchase_orders")["open"], **change}
    with pytest.raises(RecordMappingError):
        map_purchase_order(raw)


def test_vendors() -> None:
    vendors = fixture("vendors")
    assert map_vendor(vendors["active"]) == Vendor(
        remote_id="00000002-0000-4000-8000-000000000000",
        updated_at=datetime(2024, 4, 26, tzinfo=UTC),
        name="Fabrikam, Inc.",
        status=VendorStatus.ACTIVE,
        code="10000",
        email="orders0@vendor0.example.com",
        phone="+1 555 0100",
        address=Address(
            line1="100 Industrial Way",
            city="Atlanta",
            region="GA",
            postal_code="30000",
            country="US",
        ),
        currency="USD",
        tax_id="00-7000000",
        remote_data=vendors["active"],
    )
    assert map_vendor(vendors["blocked_all"]).status is VendorStatus.BLOCKED


def test_items_and_their_stock() -> None:
    items = fixture("items")
    assert map_inventory_item(items["inventory"]) == InventoryItem(
        remote_id="00000003-0000-4000-8000-000000000000",
        updated_at=datetime(2024, 4, 25, 18, tzinfo=UTC),
        number="1900-S",
        name="ATHENS Desk",
        type=InventoryItemType.FINISHED_GOOD,
        unit_of_measure="PCS",
        unit_cost=Decimal("9.5"),
        remote_data=items["inventory"],
    )
    assert map_inventory_item(items["service"]).type is InventoryItemType.SERVICE
    assert map_stock_level(items["out_of_stock"]) == StockLevel(
        remote_id="00000003-0000-4000-8000-000000000004",
        updated_at=datetime(2024, 4, 25, 22, tzinfo=UTC),
        quantity_on_hand=Decimal(0),
        item_remote_id="00000003-0000-4000-8000-000000000004",
        unit_of_measure="PCS",
        remote_data=items["out_of_stock"],
    )


def test_locations() -> None:
    raw = fixture("locations")["main"]
    assert map_location(raw) == Location(
        remote_id="00000004-0000-4000-8000-000000000000",
        updated_at=datetime(2024, 3, 28, tzinfo=UTC),
        name="Main Warehouse",
        code="MAIN",
        type=LocationType.WAREHOUSE,
        address=Address(
            line1="100 Industrial Way",
            city="Atlanta",
            region="GA",
            postal_code="30000",
            country="US",
        ),
        remote_data=raw,
    )


def test_production_orders_from_the_analytics_api() -> None:
    orders = fixture("production_orders")
    assert map_production_order(orders["released"]) == ProductionOrder(
        remote_id="101004",
        number="101004",
        quantity_planned=Decimal(40),
        status=ProductionOrderStatus.RELEASED,
        remote_status="Released",
        planned_start_at=datetime(2025, 4, 28, tzinfo=UTC),
        planned_end_at=datetime(2025, 5, 3, tzinfo=UTC),
        custom_fields={"sourceType": "Item", "sourceNo": "1903-S"},
        remote_data=orders["released"],
    )
    assert map_production_order(orders["finished"]).status is ProductionOrderStatus.COMPLETED


def test_status_tables_cover_every_documented_value() -> None:
    assert set(PO_STATUS) == {"Draft", "In Review", "Open"}
    assert set(PRODUCTION_STATUS) == {
        "Simulated",
        "Planned",
        "Firm Planned",
        "Released",
        "Finished",
    }
    assert {VENDOR_BLOCKED[v] for v in (" ", "Payment", "All")} == {
        VendorStatus.ACTIVE,
        VendorStatus.BLOCKED,
    }


@pytest.mark.parametrize(
    ("status", "fully", "received", "unified"),
    [
        ("Draft", False, [], PurchaseOrderStatus.DRAFT),
        ("In Review", False, [], PurchaseOrderStatus.PENDING_APPROVAL),
        ("Open", False, [Decimal(0)], PurchaseOrderStatus.APPROVED),
        ("Open", False, [Decimal(0), Decimal(2)], PurchaseOrderStatus.PARTIALLY_RECEIVED),
        ("Open", True, [Decimal(5)], PurchaseOrderStatus.RECEIVED),
    ],
)
def test_purchase_order_status(
    status: str, fully: bool, received: list[Decimal], unified: PurchaseOrderStatus
) -> None:
    assert purchase_order_status(status, fully, received) is unified


def test_values() -> None:
    assert parse_date("0001-01-01") is None
    assert parse_date("2025-02-28") == date(2025, 2, 28)
    assert parse_decimal(10.0) == Decimal(10)
    assert str(parse_decimal(10.0)) == "10"
    assert parse_decimal(12.5) == Decimal("12.5")
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(True)
