"""Golden tests: SAP payloads as the emulator serves them (V2 and V4) → the unified model.
The fixtures were captured from the emulator (anchor 2025-06-01, seed 1), host replaced."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.sap.mappers import (
    etag_of,
    map_asset,
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    map_work_order,
    remote_data,
)
from ironbridge.connectors.sap.odata import V2, V4
from ironbridge.connectors.sap.status import (
    MAINTENANCE_PHASES,
    PO_STATUS_RULES,
    PoFacts,
    production_order_status,
    purchase_order_status,
    vendor_status,
    work_order_status,
)
from ironbridge.connectors.sap.values import (
    flag,
    iso_instant,
    packed_timestamp,
    parse_date,
    parse_decimal,
    parse_instant,
    parse_packed,
    v2_date,
)
from ironbridge.models import (
    Asset,
    AssetStatus,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    ProductionOrder,
    ProductionOrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Record,
    StockLevel,
    Vendor,
    VendorStatus,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

FIXTURES = Path(__file__).parent / "fixtures"
PO = PurchaseOrderStatus
PS = ProductionOrderStatus


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def v4_entities(name: str) -> dict[str, dict[str, Any]]:
    return {e["PurchaseOrder"]: e for e in V4.entities(load(name))}


def v2_entities(name: str, key: str) -> dict[str, dict[str, Any]]:
    return {e[key]: e for e in V2.entities(load(name))}


def without_raw(record: Record) -> Record:
    return dataclasses.replace(record, remote_data=None)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- purchase orders ------------------------------------------------------------------------

APPROVED = PurchaseOrder(
    remote_id="4500000001",
    number="4500000001",
    status=PO.APPROVED,
    remote_status="05",
    vendor_remote_id="17300006",
    order_date=date(2024, 5, 27),
    expected_delivery_date=date(2024, 6, 6),
    currency="USD",
    total_amount=Decimal("32607.07"),
    description=None,
    ship_to_remote_id="1710",
    created_at=utc(2024, 5, 27),
    updated_at=utc(2024, 6, 1),
    custom_fields={},
    lines=(
        PurchaseOrderLine(
            line_number="10",
            quantity=Decimal("50"),
            item_remote_id="TG47",
            description="Gear motor 0.75kW",
            quantity_received=None,
            unit_of_measure="PC",
            unit_price=Decimal("394.88"),
            amount=Decimal("19744.00"),
            expected_delivery_date=date(2024, 6, 14),
        ),
        PurchaseOrderLine(
            line_number="20",
            quantity=Decimal("71"),
            item_remote_id="TG20",
            description="Ball bearing 6204",
            quantity_received=None,
            unit_of_measure="PC",
            unit_price=Decimal("181.17"),
            amount=Decimal("12863.07"),
            expected_delivery_date=date(2024, 6, 6),
        ),
    ),
)

PARTIALLY_RECEIVED = PurchaseOrder(
    remote_id="4500000005",
    number="4500000005",
    status=PO.PARTIALLY_RECEIVED,
    remote_status="05",
    vendor_remote_id="17300019",
    order_date=date(2024, 6, 23),
    expected_delivery_date=date(2024, 7, 25),
    currency="USD",
    total_amount=Decimal("7583.32"),
    ship_to_remote_id="1710",
    created_at=utc(2024, 6, 23),
    updated_at=utc(2024, 7, 7, 12),
    lines=(
        PurchaseOrderLine(
            line_number="10",
            quantity=Decimal("19"),
            item_remote_id="TG44",
            description="Ball bearing 6204",
            quantity_received=Decimal("19"),
            unit_of_measure="PC",
            unit_price=Decimal("21.45"),
            amount=Decimal("407.55"),
            expected_delivery_date=date(2024, 8, 1),
        ),
        PurchaseOrderLine(
            line_number="20",
            quantity=Decimal("23"),
            item_remote_id="TG21",
            description="Hydraulic oil ISO 46",
            quantity_received=None,
            unit_of_measure="L",
            unit_price=Decimal("311.99"),
            amount=Decimal("7175.77"),
            expected_delivery_date=date(2024, 7, 25),
        ),
    ),
)


def test_v4_approved_purchase_order() -> None:
    raw = v4_entities("purchase_orders_v4.json")["4500000001"]
    mapped = map_purchase_order(raw)
    assert without_raw(mapped) == APPROVED
    assert mapped.remote_data is not None
    assert mapped.remote_data["@odata.etag"] == 'W/"20240601000000.0000000"'
    assert etag_of(mapped) == 'W/"20240601000000.0000000"'
    assert (
        mapped.remote_data["_PurchaseOrderItem"][0]["_PurchaseOrderScheduleLine"][0][
            "ScheduleLineDeliveryDate"
        ]
        == "2024-06-14"
    )
    assert "@odata.context" not in mapped.remote_data


def test_v2_partially_received_purchase_order_and_its_raw_data() -> None:
    raw = v2_entities("purchase_orders_v2.json", "PurchaseOrder")["4500000005"]
    mapped = map_purchase_order(raw)
    assert without_raw(mapped) == PARTIALLY_RECEIVED
    data = mapped.remote_data
    assert data is not None
    # __metadata is gone but its ETag, as SAP sends it
    assert data["__metadata"] == {"etag": "W/\"datetimeoffset'2024-07-07T12%3A00%3A00.0000000Z'\""}
    assert etag_of(mapped) == raw["__metadata"]["etag"]
    assert data["LastChangeDateTime"] == "/Date(1720353600000+0000)/"
    item = data["to_PurchaseOrderItem"]["results"][0]
    assert "__metadata" not in item
    assert item["NetPriceAmount"] == "21.45"
    assert "__metadata" not in item["to_ScheduleLine"]["results"][0]


def test_v4_decimals_as_numbers_map_like_strings() -> None:
    raw = V4.entity(load("purchase_order_v4_numbers.json"))
    assert raw["_PurchaseOrderItem"][0]["OrderQuantity"] == 19  # a JSON number
    assert raw["_PurchaseOrderItem"][0]["NetPriceAmount"] == 21.45
    assert without_raw(map_purchase_order(raw)) == PARTIALLY_RECEIVED


def test_v2_and_v4_payloads_map_to_the_same_records() -> None:
    v4 = v4_entities("purchase_orders_v4.json")
    v2 = v2_entities("purchase_orders_v2.json", "PurchaseOrder")
    shared = sorted(set(v2) & set(v4) - {"4500000014"})
    assert len(shared) == 3
    for number in shared:
        assert without_raw(map_purchase_order(v2[number])) == without_raw(
            map_purchase_order(v4[number])
        )


def test_custom_fields_come_from_the_extension_fields() -> None:
    mapped = map_purchase_order(v4_entities("purchase_orders_v4.json")["4500000011"])
    assert mapped.custom_fields == {
        "YY1_ProjectCode_PDH": "PRJ-8452",
        "ZZ1_ReceivingDock_PDH": "DOCK-03",
        "lines": {
            "10": {"YY1_InspectionLevel_PDI": "NORMAL"},
            "20": {"YY1_InspectionLevel_PDI": "NORMAL"},
        },
    }
    plain = map_purchase_order(v4_entities("purchase_orders_v4.json")["4500000001"])
    assert plain.custom_fields == {}


def test_purchase_order_statuses_of_the_scenarios() -> None:
    statuses = {
        number: (record.status, record.remote_status)
        for number, raw in v4_entities("purchase_orders_v4.json").items()
        if number != "4500000014"
        for record in [map_purchase_order(raw)]
    }
    assert statuses == {
        "4500000001": (PO.APPROVED, "05"),
        "4500000002": (PO.DRAFT, "01"),
        "4500000003": (PO.PENDING_APPROVAL, "03"),
        "4500000005": (PO.PARTIALLY_RECEIVED, "05"),
        "4500000007": (PO.CLOSED, "05"),
        "4500000008": (PO.CANCELLED, "05 L"),
        "4500000011": (PO.APPROVED, "05"),
    }


def test_a_cancelled_order_keeps_all_its_lines() -> None:
    raw = v4_entities("purchase_orders_v4.json")["4500000008"]
    assert {i["PurchasingDocumentDeletionCode"] for i in raw["_PurchaseOrderItem"]} == {"L"}
    mapped = map_purchase_order(raw)
    assert [line.line_number for line in mapped.lines] == ["10", "20", "30"]
    assert mapped.total_amount == Decimal("42251.55")


def test_deleted_items_of_a_live_order_are_left_out() -> None:
    raw = json.loads(json.dumps(v4_entities("purchase_orders_v4.json")["4500000001"]))
    raw["_PurchaseOrderItem"][1]["PurchasingDocumentDeletionCode"] = "L"
    raw["_PurchaseOrderItem"][0]["IsCompletelyDelivered"] = True
    mapped = map_purchase_order(raw)
    assert [line.line_number for line in mapped.lines] == ["10"]
    assert mapped.total_amount == Decimal("19744.00")
    assert mapped.status is PO.RECEIVED  # every item that is not deleted was delivered


def test_price_units_divide_the_net_price() -> None:
    raw = json.loads(json.dumps(v4_entities("purchase_orders_v4.json")["4500000003"]))
    raw["_PurchaseOrderItem"][0].update(NetPriceAmount="243.95", NetPriceQuantity="100")
    line = map_purchase_order(raw).lines[0]
    assert line.unit_price == Decimal("2.4395")
    assert line.amount == Decimal("141.491")


@pytest.mark.parametrize("source", ["v4", "v2"])
def test_a_malformed_purchase_order_raises_a_mapping_error(source: str) -> None:
    raw = (
        v4_entities("purchase_orders_v4.json")
        if source == "v4"
        else v2_entities("purchase_orders_v2.json", "PurchaseOrder")
    )["4500000014"]
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(raw)
    error = caught.value
    assert (error.entity, error.remote_id) == ("PURCHASE_ORDER", "4500000014")
    assert error.detail.startswith("PurchaseOrderDate:")
    assert error.payload is raw


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"PurchasingProcessingStatus": "99"}, "PurchasingProcessingStatus: unknown value '99'"),
        ({"PurchaseOrder": None}, "PurchaseOrder: missing"),
        ({"LastChangeDateTime": "yesterday"}, "LastChangeDateTime: not a date and time"),
        ({"ReleaseIsNotCompleted": "maybe"}, "ReleaseIsNotCompleted: not an X/blank flag"),
    ],
)
def test_unmappable_values_name_their_property(change: dict[str, Any], detail: str) -> None:
    raw = {**v4_entities("purchase_orders_v4.json")["4500000001"], **change}
    with pytest.raises(RecordMappingError, match=detail):
        map_purchase_order(raw)


def test_a_payload_that_is_not_an_object_is_a_mapping_error() -> None:
    with pytest.raises(RecordMappingError, match="not a JSON object"):
        map_purchase_order(["4500000001"])  # type: ignore[arg-type]


# -- master data ----------------------------------------------------------------------------


def test_suppliers() -> None:
    suppliers = v2_entities("suppliers_v2.json", "Supplier")
    mapped = [without_raw(map_vendor(raw)) for raw in suppliers.values()]
    assert mapped == [
        Vendor(
            remote_id="17300001",
            code="17300001",
            name="Stark Fasteners 1 Inc.",
            status=VendorStatus.ACTIVE,
            tax_id="US702828398",
            created_at=utc(2024, 5, 2),
        ),
        Vendor(
            remote_id="17300007",
            code="17300007",
            name="Globex Industrial Supply 7 Inc.",
            status=VendorStatus.BLOCKED,  # PurchasingIsBlocked
            tax_id="US378898851",
            created_at=utc(2024, 4, 26),
        ),
        Vendor(
            remote_id="17300040",
            code="17300040",
            name="Umbrella Industrial Supply 40 Inc.",
            status=VendorStatus.INACTIVE,  # DeletionIndicator
            tax_id="US914028061",
            created_at=utc(2024, 3, 24),
        ),
    ]
    assert suppliers["17300007"]["PurchasingIsBlocked"] is True
    assert suppliers["17300040"]["DeletionIndicator"] is True


def test_products() -> None:
    products = v2_entities("products_v2.json", "Product")
    assert without_raw(map_inventory_item(products["TG11"])) == InventoryItem(
        remote_id="TG11",
        number="TG11",
        name="Hex bolt M8x40 (TG11)",
        type=InventoryItemType.RAW_MATERIAL,
        unit_of_measure="PC",
        active=True,
        created_at=utc(2024, 4, 2),
        updated_at=utc(2024, 6, 1),
    )
    types = {n: map_inventory_item(raw).type for n, raw in products.items()}
    assert types == {
        "TG11": InventoryItemType.RAW_MATERIAL,  # ROH
        "TG15": InventoryItemType.OTHER,  # HALB
        "TG17": InventoryItemType.FINISHED_GOOD,  # FERT
        "TG18": InventoryItemType.CONSUMABLE,  # HIBE
    }
    assert "to_Description" in (map_inventory_item(products["TG11"]).remote_data or {})


def test_stock_levels() -> None:
    rows = V2.entities(load("stock_v2.json"))
    mapped = [map_stock_level(raw) for raw in rows]
    assert without_raw(mapped[0]) == StockLevel(
        remote_id="TG11/1010/101A////00000000/000000//01",
        quantity_on_hand=Decimal("135"),
        quantity_available=Decimal("135"),
        item_remote_id="TG11",
        location_remote_id="1010",
        unit_of_measure="PC",
    )
    out_of_stock = [m for m in mapped if m.item_remote_id == "TG13"]
    assert [(m.location_remote_id, m.quantity_on_hand) for m in out_of_stock] == [
        ("1010", Decimal("0")),
        ("1710", Decimal("0")),
    ]


def test_stock_outside_unrestricted_use_is_not_available() -> None:
    raw = {**V2.entities(load("stock_v2.json"))[0], "InventoryStockType": "02"}
    mapped = map_stock_level(raw)
    assert (mapped.quantity_on_hand, mapped.quantity_available) == (Decimal("135"), Decimal("0"))
    assert mapped.remote_id.endswith("//02")


def test_plants() -> None:
    mapped = [without_raw(map_location(raw)) for raw in V2.entities(load("plants_v2.json"))]
    assert mapped == [
        Location(remote_id="1010", code="1010", name="Plant 1 DE", type=LocationType.PLANT),
        Location(remote_id="1710", code="1710", name="Plant 1 US", type=LocationType.PLANT),
        Location(remote_id="1720", code="1720", name="Plant 2 US", type=LocationType.PLANT),
    ]


def test_equipment() -> None:
    raw = v2_entities("equipment_v2.json", "Equipment")["10000001"]
    assert without_raw(map_asset(raw)) == Asset(
        remote_id="10000001",
        name="Centrifugal pump 01",
        status=AssetStatus.ACTIVE,
        serial_number="SN83174903",
        manufacturer="Wayne",
        model="M-403",
        location_remote_id="1010",
        created_at=utc(2024, 3, 3),
        updated_at=utc(2024, 6, 1),
    )


# -- orders ---------------------------------------------------------------------------------


def test_maintenance_orders() -> None:
    orders = v2_entities("maintenance_orders_v2.json", "MaintenanceOrder")
    assert without_raw(map_work_order(orders["4000002"])) == WorkOrder(
        remote_id="4000002",
        number="4000002",
        title="Annual inspection",
        status=WorkOrderStatus.SCHEDULED,
        remote_status="1",
        priority=WorkOrderPriority.URGENT,
        type=WorkOrderType.PREVENTIVE,
        asset_remote_id="10000011",
        location_remote_id="1710",
        scheduled_start_at=utc(2024, 7, 5),
        due_at=utc(2024, 7, 10),
        created_at=utc(2024, 6, 29),
        updated_at=utc(2024, 7, 1, 10, 0, 17),
    )
    assert etag_of(map_work_order(orders["4000002"])) == orders["4000002"]["__metadata"]["etag"]
    phases = {
        n: (map_work_order(raw).status, raw["MaintenanceProcessingPhase"])
        for n, raw in orders.items()
    }
    assert phases == {
        "4000001": (WorkOrderStatus.REQUESTED, "0"),
        "4000002": (WorkOrderStatus.SCHEDULED, "1"),
        "4000003": (WorkOrderStatus.COMPLETED, "2"),
        "4000004": (WorkOrderStatus.CLOSED, "3"),
    }


def test_production_orders() -> None:
    orders = v2_entities("production_orders_v2.json", "ManufacturingOrder")
    raw = orders["1000003"]
    assert raw["LastChangeDateTime"] == "20240731200017"
    assert without_raw(map_production_order(raw)) == ProductionOrder(
        remote_id="1000003",
        number="1000003",
        quantity_planned=Decimal("77"),
        status=PS.IN_PROGRESS,
        remote_status="CRTD REL PCNF",
        item_remote_id="TG52",
        unit_of_measure="PC",
        planned_start_at=utc(2024, 7, 28),
        planned_end_at=utc(2024, 8, 1),
        location_remote_id="1710",
        created_at=utc(2024, 7, 26),
        updated_at=utc(2024, 7, 31, 20, 0, 17),
    )
    statuses = {
        n: (map_production_order(r).status, map_production_order(r).remote_status)
        for n, r in orders.items()
    }
    assert statuses == {
        "1000001": (PS.PLANNED, "CRTD"),
        "1000002": (PS.RELEASED, "CRTD REL"),
        "1000003": (PS.IN_PROGRESS, "CRTD REL PCNF"),
        "1000004": (PS.IN_PROGRESS, "CRTD REL CNF"),
        "1000005": (PS.COMPLETED, "CRTD REL CNF DLV"),
        "1000006": (PS.COMPLETED, "CRTD REL CNF DLV TECO LKD"),
        "1000007": (PS.CLOSED, "CRTD REL CNF DLV TECO CLSD"),
        "1000008": (PS.CANCELLED, "CRTD REL DLFL"),
    }


# -- status tables --------------------------------------------------------------------------


def facts(**changes: Any) -> PoFacts:
    base = PoFacts(
        processing_status="05",
        deletion_code="",
        held=False,
        release_pending=False,
        items=2,
        delivered=0,
        invoiced=0,
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (facts(), PO.APPROVED),
        (facts(processing_status="02"), PO.APPROVED),
        (facts(processing_status="01"), PO.DRAFT),
        (facts(held=True), PO.DRAFT),
        (facts(processing_status="03"), PO.PENDING_APPROVAL),
        (facts(processing_status="04"), PO.PENDING_APPROVAL),
        (facts(release_pending=True), PO.PENDING_APPROVAL),
        (facts(delivered=1), PO.PARTIALLY_RECEIVED),
        (facts(delivered=2), PO.RECEIVED),
        (facts(delivered=2, invoiced=1), PO.RECEIVED),
        (facts(delivered=2, invoiced=2), PO.CLOSED),
        (facts(deletion_code="L", delivered=2, invoiced=2), PO.CANCELLED),
        (facts(processing_status="08"), PO.CANCELLED),
        (facts(deletion_code="S"), PO.APPROVED),
        (facts(items=0), PO.APPROVED),
        (facts(held=True, deletion_code="L"), PO.CANCELLED),
    ],
)
def test_purchase_order_status_table(case: PoFacts, expected: PurchaseOrderStatus) -> None:
    assert purchase_order_status(case)[0] is expected


def test_purchase_order_status_rules_cover_every_status() -> None:
    assert {status for _text, _rule, status in PO_STATUS_RULES} == set(PurchaseOrderStatus)
    assert purchase_order_status(facts(deletion_code="S"))[1] == "05 S"
    with pytest.raises(ValueError, match="PurchasingProcessingStatus"):
        purchase_order_status(facts(processing_status=""))


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, (PS.PLANNED, "")),
        ({"OrderIsCreated": "X"}, (PS.PLANNED, "CRTD")),
        ({"OrderIsCreated": "X", "OrderIsPartiallyReleased": "X"}, (PS.RELEASED, "CRTD PREL")),
        ({"OrderIsReleased": "X", "OrderIsPartiallyDelivered": "X"}, (PS.IN_PROGRESS, "REL PDLV")),
        (
            {"OrderIsReleased": True, "OrderIsTechnicallyCompleted": True},
            (PS.COMPLETED, "REL TECO"),
        ),
        ({"OrderIsClosed": "X", "OrderIsDeleted": "X"}, (PS.CANCELLED, "CLSD DLT")),
        ({"OrderIsReleased": "X", "OrderIsLocked": "X"}, (PS.RELEASED, "REL LKD")),
    ],
)
def test_production_order_flag_table(
    flags: dict[str, Any], expected: tuple[ProductionOrderStatus, str]
) -> None:
    assert production_order_status(flags) == expected


def test_production_order_flags_must_be_x_or_blank() -> None:
    with pytest.raises(ValueError, match="flag"):
        production_order_status({"OrderIsReleased": "Y"})


def test_vendor_and_work_order_tables() -> None:
    assert vendor_status({}) is VendorStatus.ACTIVE
    assert vendor_status({"PostingIsBlocked": True}) is VendorStatus.BLOCKED
    assert (
        vendor_status({"PurchasingIsBlocked": True, "DeletionIndicator": True})
        is VendorStatus.INACTIVE
    )
    assert vendor_status({"PaymentIsBlockedForSupplier": True}) is VendorStatus.ACTIVE
    assert {work_order_status(p) for p in MAINTENANCE_PHASES} == {
        WorkOrderStatus.REQUESTED,
        WorkOrderStatus.SCHEDULED,
        WorkOrderStatus.COMPLETED,
        WorkOrderStatus.CLOSED,
    }
    with pytest.raises(ValueError, match="MaintenanceProcessingPhase"):
        work_order_status("9")


# -- value forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1702003600000)/", utc(2023, 12, 8, 2, 46, 40)),
        ("/Date(1702003600000+0000)/", utc(2023, 12, 8, 2, 46, 40)),
        ("/Date(1702003600123+0060)/", datetime(2023, 12, 8, 2, 46, 40, 123000, tzinfo=UTC)),
        ("/Date(-86400000)/", utc(1969, 12, 31)),
        ("2024-05-01T12:00:00Z", utc(2024, 5, 1, 12)),
        ("2024-05-01T12:00:00.1234567Z", datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:00:00.1Z", datetime(2024, 5, 1, 12, 0, 0, 100000, tzinfo=UTC)),
        ("2024-05-01T12:00:00.123456789+02:00", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:00:00-0130", utc(2024, 5, 1, 13, 30)),
        ("2024-05-01T12:00", utc(2024, 5, 1, 12)),
        ("2024-05-01", utc(2024, 5, 1)),
        ("", None),
        (None, None),
    ],
)
def test_instants(text: str | None, expected: datetime | None) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["0000-00-00", "2024-13-01", "/Date(abc)/", "tomorrow", 12])
def test_bad_instants(text: Any) -> None:
    with pytest.raises(ValueError, match=r"not a date and time|out of range|must be in"):
        parse_instant(text)


def test_dates_decimals_packed_and_flags() -> None:
    assert parse_date("/Date(1719100800000)/") == date(2024, 6, 23)
    assert parse_date("2024-06-23") == date(2024, 6, 23)
    assert parse_date("2024-06-23T00:00:00") == date(2024, 6, 23)
    assert v2_date(date(2024, 6, 23)) == "/Date(1719100800000)/"
    assert parse_decimal("12.50") == Decimal("12.50")
    assert parse_decimal(12.5) == Decimal("12.5")
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(19) == Decimal(19)
    assert parse_decimal("") is None
    for bad in (True, "NaN", "1,5", [1]):
        with pytest.raises(ValueError, match="not a number"):
            parse_decimal(bad)
    assert parse_packed("20200723125734") == utc(2020, 7, 23, 12, 57, 34)
    assert parse_packed(20200723125734) == utc(2020, 7, 23, 12, 57, 34)
    assert parse_packed("20200723125734.1234567") == datetime(
        2020, 7, 23, 12, 57, 34, 123456, tzinfo=UTC
    )
    assert parse_packed("0") is None
    assert packed_timestamp(datetime(2024, 5, 1, 12, 0, 0, 999999, tzinfo=UTC)) == "20240501120000"
    assert iso_instant(utc(2024, 5, 1)) == "2024-05-01T00:00:00Z"
    assert (
        iso_instant(datetime(2024, 5, 1, 0, 0, 0, 120000, tzinfo=UTC)) == "2024-05-01T00:00:00.12Z"
    )
    assert (flag("X"), flag(""), flag(None), flag(True)) == (True, False, False, True)


def test_remote_data_drops_metadata_and_deferred_links() -> None:
    raw = {
        "__metadata": {"uri": "https://host/x", "type": "T"},
        "Plant": "1010",
        "to_Address": {"__deferred": {"uri": "https://host/x/to_Address"}},
    }
    assert remote_data(raw) == {"Plant": "1010"}
