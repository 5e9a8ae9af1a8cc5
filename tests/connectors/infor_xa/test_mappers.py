"""Golden tests: System-Link ``QueryListResponse`` documents as the emulator serves them → the
unified model. The fixtures were captured from the emulator (30 orders, anchor 2025-06-01, the
system five hours behind UTC) with the connector's own queries; session and work handles and
the system timestamp were replaced by fixed values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.infor_xa.mappers import (
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    parse_offset,
    parse_stamp,
    parse_ymd,
    stamp_literal,
)
from ironbridge.connectors.infor_xa.status import (
    ITEM_TYPE,
    MO_STATUS,
    PO_APPROVAL,
    PO_ORDER_STATUS,
    VENDOR_STATUS,
    po_status,
)
from ironbridge.connectors.infor_xa.systemlink import Answer, entities, first
from ironbridge.emulators.infor_xa import PO_SCENARIOS, UNKNOWN_VENDOR
from ironbridge.models import (
    Address,
    EntityType,
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
)

FIXTURES = Path(__file__).parent / "fixtures"
PO = PurchaseOrderStatus
MO = ProductionOrderStatus
# the system's clock: five hours behind UTC (systemTimeZoneOffset="-5:00")
OFFSET = timedelta(hours=-5)

Row = dict[str, Any]


def load(name: str) -> tuple[list[Row], timedelta]:
    """The entities of a fixture's ``QueryListResponse`` and the system's clock offset."""
    root = SafeET.fromstring((FIXTURES / name).read_bytes())
    answer = Answer(root.find("Response"))
    return list(entities(first(answer, "QueryListResponse"))), answer.offset


def by_key(name: str, *keys: str) -> dict[str, Row]:
    rows, _ = load(name)
    return {"/".join(str(row[k]) for k in keys): row for row in rows}


def orders() -> dict[str, Row]:
    """Purchase orders with their ``PoItem`` entities under ``items``, as the connector reads
    them (two queries joined on ``order``)."""
    headers = by_key("purchase_orders.xml", "order")
    items, _ = load("po_items.xml")
    for number, header in headers.items():
        header["items"] = [item for item in items if item["order"] == number]
    return headers


def order(number: str) -> PurchaseOrder:
    return map_purchase_order(orders()[number], offset=OFFSET)


def without_raw(record: Record) -> Record:
    return dataclasses.replace(record, remote_data=None)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_fixtures_carry_the_system_clock_offset() -> None:
    for name in ("purchase_orders.xml", "vendors.xml", "stock.xml"):
        assert load(name)[1] == OFFSET


# -- purchase orders ------------------------------------------------------------------------

APPROVED = PurchaseOrder(
    remote_id="P000001",
    number="P000001",
    status=PO.APPROVED,
    remote_status="0/A",
    vendor_remote_id="V00001",
    order_date=date(2025, 5, 29),
    expected_delivery_date=date(2025, 6, 12),
    currency="USD",
    total_amount=Decimal("20.00"),
    description="Replenishment P000001",
    ship_to_remote_id="W1",
    created_at=utc(2025, 5, 29),
    # 2025-05-31-18.30.00 in the system's time, five hours behind UTC
    updated_at=utc(2025, 5, 31, 23, 30),
    custom_fields={},
    lines=(
        PurchaseOrderLine(
            line_number="1",
            quantity=Decimal("10"),
            item_remote_id="ITEM-0001",
            description="Part ITEM-0001",
            quantity_received=Decimal("0"),
            unit_of_measure="EA",
            unit_price=Decimal("2.00"),
            amount=Decimal("20.00"),
            expected_delivery_date=date(2025, 6, 12),
        ),
    ),
)

PARTIALLY_RECEIVED = PurchaseOrder(
    remote_id="P000005",
    number="P000005",
    status=PO.PARTIALLY_RECEIVED,
    remote_status="2/A",
    vendor_remote_id="V00005",
    order_date=date(2025, 5, 29),
    expected_delivery_date=date(2025, 6, 16),
    currency="EUR",
    total_amount=Decimal("262.88"),
    description="Replenishment P000005",
    ship_to_remote_id="W5",
    created_at=utc(2025, 5, 29),
    updated_at=utc(2025, 5, 31, 23, 34),
    custom_fields={},
    lines=(
        PurchaseOrderLine(
            line_number="1",
            quantity=Decimal("14"),
            item_remote_id="ITEM-0005",
            description="Part ITEM-0005",
            quantity_received=Decimal("7"),
            unit_of_measure="EA",
            unit_price=Decimal("6.28"),
            amount=Decimal("87.92"),
            expected_delivery_date=date(2025, 6, 16),
        ),
        PurchaseOrderLine(
            line_number="2",
            quantity=Decimal("24"),
            item_remote_id="ITEM-0006",
            description="Part ITEM-0006",
            quantity_received=Decimal("12"),
            unit_of_measure="EA",
            unit_price=Decimal("7.29"),
            amount=Decimal("174.96"),
            expected_delivery_date=date(2025, 6, 17),
        ),
    ),
)


def test_an_approved_purchase_order() -> None:
    assert without_raw(order("P000001")) == APPROVED


def test_a_partially_received_purchase_order_and_its_raw_data() -> None:
    raw = orders()["P000005"]
    mapped = map_purchase_order(raw, offset=OFFSET)
    assert without_raw(mapped) == PARTIALLY_RECEIVED
    # remote_data: every property as the system sent it, items included
    assert mapped.remote_data is not None
    assert mapped.remote_data["buyer"] == "AKIM"
    assert mapped.remote_data["lastChangeTimestamp"] == "2025-05-31-18.34.00.000000"
    assert [i["line"] for i in mapped.remote_data["items"]] == ["1", "2"]
    assert mapped.remote_data["items"][0]["dueToStockDate"] == "20250616"


def test_custom_fields_are_the_user_fields_that_hold_a_value() -> None:
    assert order("P000002").custom_fields == {
        "userFieldCodeA": "CC-4100",
        "userFieldCodeB": "DOCK-7",
    }
    # blank user fields are not custom values
    assert order("P000001").custom_fields == {}


def test_an_unknown_vendor_is_kept_as_its_code() -> None:
    mapped = order("P000010")
    assert mapped.vendor_remote_id == UNKNOWN_VENDOR
    assert mapped.status is PO.APPROVED
    assert UNKNOWN_VENDOR not in by_key("vendors.xml", "vendor")


SCENARIO_STATUS = {
    "standard": PO.APPROVED,
    "custom_fields": PO.APPROVED,
    "draft": PO.DRAFT,
    "pending_approval": PO.PENDING_APPROVAL,
    "partially_received": PO.PARTIALLY_RECEIVED,
    "received": PO.RECEIVED,
    "closed": PO.CLOSED,
    "cancelled": PO.CANCELLED,
    "rejected": PO.CANCELLED,
    "unknown_vendor": PO.APPROVED,
}


def test_purchase_order_statuses_of_the_scenarios() -> None:
    found = orders()
    for position, (scenario, codes) in enumerate(PO_SCENARIOS.items()):
        number = f"P{position + 1:06d}"
        if scenario == "malformed":
            continue
        mapped = map_purchase_order(found[number], offset=OFFSET)
        assert (mapped.status, mapped.remote_status) == (
            SCENARIO_STATUS[scenario],
            "/".join(codes),
        ), scenario
    assert set(SCENARIO_STATUS) | {"malformed"} == set(PO_SCENARIOS)


def test_lines_are_in_line_order_and_total_their_amounts() -> None:
    mapped = order("P000003")
    assert [line.line_number for line in mapped.lines] == ["1", "2", "3"]
    assert mapped.total_amount == sum(line.amount or Decimal(0) for line in mapped.lines)
    assert mapped.total_amount == Decimal("360.10")


def test_an_order_without_items_has_no_total() -> None:
    raw = {**orders()["P000001"], "items": []}
    mapped = map_purchase_order(raw, offset=OFFSET)
    assert (mapped.lines, mapped.total_amount) == ((), None)


def test_a_received_order_keeps_what_was_received() -> None:
    mapped = order("P000006")
    assert mapped.status is PO.RECEIVED
    assert all(line.quantity_received == line.quantity for line in mapped.lines)


def test_the_malformed_purchase_order_is_a_mapping_failure() -> None:
    raw = orders()["P000011"]
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(raw, offset=OFFSET)
    failure = caught.value
    assert (failure.entity, failure.remote_id) == (EntityType.PURCHASE_ORDER.value, "P000011")
    assert failure.detail == "orderCreatedDate is not a yyyymmdd date: '20251399'"
    assert failure.payload is not None
    assert failure.payload["orderCreatedDate"] == "20251399"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"order": ""}, "order is missing"),
        ({"orderStatus": "7"}, "unknown status orderStatus='7' approvalStatus='A'"),
        ({"approvalStatus": "X"}, "unknown status orderStatus='0' approvalStatus='X'"),
        ({"requestedDeliveryDate": "2025-06-12"}, "requestedDeliveryDate is not a yyyymmdd date"),
        ({"lastChangeTimestamp": "2025-06-01 12:00"}, "lastChangeTimestamp is not a timestamp"),
    ],
)
def test_unmappable_header_values_name_their_property(change: Row, detail: str) -> None:
    raw = {**orders()["P000001"], **change}
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(raw, offset=OFFSET)
    assert caught.value.detail.startswith(detail)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"orderQuantityRequested": None}, "item 1: orderQuantityRequested is missing"),
        ({"orderQuantityRequested": "ten"}, "orderQuantityRequested is not a number: 'ten'"),
        ({"unitPriceRequested": "1,50"}, "unitPriceRequested is not a number: '1,50'"),
        ({"dueToDockDate": "20250631"}, "dueToDockDate is not a yyyymmdd date: '20250631'"),
        ({"line": ""}, "line is missing"),
    ],
)
def test_unmappable_item_values_fail_the_whole_order(change: Row, detail: str) -> None:
    raw = orders()["P000001"]
    raw["items"] = [{**raw["items"][0], **change}]
    with pytest.raises(RecordMappingError) as caught:
        map_purchase_order(raw, offset=OFFSET)
    assert (caught.value.remote_id, caught.value.detail) == ("P000001", detail)


def test_zero_and_blank_dates_are_no_date() -> None:
    raw = {**orders()["P000001"], "requestedDeliveryDate": "0", "orderCreatedDate": ""}
    mapped = map_purchase_order(raw, offset=OFFSET)
    assert (mapped.expected_delivery_date, mapped.order_date, mapped.created_at) == (
        None,
        None,
        None,
    )


# -- vendors, items, stock, manufacturing orders, warehouses --------------------------------


def test_vendors() -> None:
    rows, offset = load("vendors.xml")
    mapped = {row["vendor"]: map_vendor(row, offset=offset) for row in rows}
    assert without_raw(mapped["V00001"]) == Vendor(
        remote_id="V00001",
        code="V00001",
        name="Vendor 1",
        status=VendorStatus.ACTIVE,
        phone="+1 555 0100",
        currency="USD",
        address=Address(
            line1="100 Industrial Way", city="Atlanta", postal_code="30300", country="US"
        ),
        updated_at=utc(2025, 5, 31, 12),
        custom_fields={},
    )
    statuses = {code: vendor.status for code, vendor in mapped.items()}
    assert statuses["V00006"] is VendorStatus.BLOCKED  # H: on hold
    assert statuses["V00012"] is VendorStatus.BLOCKED
    assert statuses["V00011"] is VendorStatus.INACTIVE  # D: deleted
    assert {s for c, s in statuses.items() if c not in ("V00006", "V00011", "V00012")} == {
        VendorStatus.ACTIVE
    }
    address = mapped["V00004"].address
    assert address is not None
    assert address.country == "FR"
    assert mapped["V00004"].currency == "EUR"


def test_a_vendor_with_an_unknown_status_or_no_name() -> None:
    raw = by_key("vendors.xml", "vendor")["V00002"]
    with pytest.raises(RecordMappingError) as caught:
        map_vendor({**raw, "vendorStatus": "Z"}, offset=OFFSET)
    assert (caught.value.remote_id, caught.value.detail) == ("V00002", "unknown vendorStatus 'Z'")
    assert map_vendor({**raw, "name": "  "}, offset=OFFSET).name == "V00002"


def test_items() -> None:
    rows, offset = load("items.xml")
    mapped = {row["item"]: map_inventory_item(row, offset=offset) for row in rows}
    assert without_raw(mapped["ITEM-0001"]) == InventoryItem(
        remote_id="ITEM-0001",
        number="ITEM-0001",
        name="Part ITEM-0001",
        type=InventoryItemType.RAW_MATERIAL,
        unit_of_measure="EA",
        unit_cost=Decimal("3.25"),
        currency="USD",
        active=True,
        updated_at=utc(2025, 5, 31, 8),
        custom_fields={},
    )
    types = [mapped[f"ITEM-{n:04d}"].type for n in range(1, 7)]
    assert types == [
        InventoryItemType.RAW_MATERIAL,
        InventoryItemType.FINISHED_GOOD,
        InventoryItemType.SPARE_PART,
        InventoryItemType.CONSUMABLE,
        InventoryItemType.RAW_MATERIAL,
        InventoryItemType.SERVICE,
    ]
    assert [i for i, item in mapped.items() if not item.active] == ["ITEM-0008", "ITEM-0016"]


def test_an_item_of_an_unknown_type_is_other_and_a_bad_cost_fails() -> None:
    raw = by_key("items.xml", "item")["ITEM-0002"]
    assert map_inventory_item({**raw, "itemType": "Q"}, offset=OFFSET).type is (
        InventoryItemType.OTHER
    )
    with pytest.raises(RecordMappingError) as caught:
        map_inventory_item({**raw, "unitCost": "n/a"}, offset=OFFSET)
    assert caught.value.detail == "unitCost is not a number: 'n/a'"


def test_stock_levels() -> None:
    rows, offset = load("stock.xml")
    mapped = {f"{r['item']}/{r['warehouse']}": map_stock_level(r, offset=offset) for r in rows}
    assert without_raw(mapped["ITEM-0001/W2"]) == StockLevel(
        remote_id="ITEM-0001/W2",
        item_remote_id="ITEM-0001",
        location_remote_id="W2",
        quantity_on_hand=Decimal("33"),
        quantity_reserved=Decimal("1"),
        quantity_available=Decimal("32"),
        quantity_on_order=Decimal("10"),
        reorder_point=Decimal("25"),
        unit_of_measure="EA",
    )
    # ItemWarehouse has no change stamp
    assert {s.updated_at for s in mapped.values()} == {None}


def test_out_of_stock_items_have_nothing_available_and_something_on_order() -> None:
    rows, offset = load("stock.xml")
    empty = [map_stock_level(r, offset=offset) for r in rows if r["item"] == "ITEM-0004"]
    assert len(empty) == 5
    for level in empty:
        assert (level.quantity_on_hand, level.quantity_available) == (Decimal(0), Decimal(0))
        assert level.quantity_on_order == Decimal(50)


def test_a_stock_level_without_on_hand_quantity_fails() -> None:
    raw = by_key("stock.xml", "item", "warehouse")["ITEM-0001/W1"]
    with pytest.raises(RecordMappingError) as caught:
        map_stock_level({**raw, "onHandQuantity": None}, offset=OFFSET)
    assert (caught.value.remote_id, caught.value.detail) == (
        "ITEM-0001/W1",
        "onHandQuantity is missing",
    )


def test_manufacturing_orders() -> None:
    rows, offset = load("manufacturing_orders.xml")
    mapped = {row["order"]: map_production_order(row, offset=offset) for row in rows}
    assert without_raw(mapped["M000001"]) == ProductionOrder(
        remote_id="M000001",
        number="M000001",
        quantity_planned=Decimal("100"),
        quantity_completed=Decimal("0"),
        status=MO.PLANNED,
        remote_status="10",
        item_remote_id="ITEM-0001",
        location_remote_id="W1",
        planned_start_at=utc(2025, 5, 20),
        planned_end_at=utc(2025, 5, 27),
        actual_start_at=None,
        actual_end_at=None,
        updated_at=utc(2025, 5, 31, 23, 48),
        custom_fields={},
    )
    assert [(m.remote_status, m.status) for m in mapped.values()] == [
        ("10", MO.PLANNED),
        ("20", MO.RELEASED),
        ("30", MO.IN_PROGRESS),
        ("40", MO.COMPLETED),
        ("90", MO.CLOSED),
        ("99", MO.CANCELLED),
    ]
    started = mapped["M000003"]
    assert started.actual_start_at == started.planned_start_at
    assert started.actual_end_at is None
    assert started.quantity_completed == started.quantity_planned / 2
    done = mapped["M000004"]
    assert done.actual_end_at is not None
    assert done.quantity_completed == done.quantity_planned


def test_a_manufacturing_order_with_an_unknown_status_or_no_quantity_fails() -> None:
    raw = by_key("manufacturing_orders.xml", "order")["M000002"]
    with pytest.raises(RecordMappingError) as caught:
        map_production_order({**raw, "orderStatus": "50"}, offset=OFFSET)
    assert caught.value.detail == "unknown orderStatus '50'"
    with pytest.raises(RecordMappingError) as caught:
        map_production_order({**raw, "totalOrderQuantity": ""}, offset=OFFSET)
    assert caught.value.detail == "totalOrderQuantity is missing"


def test_warehouses() -> None:
    rows, offset = load("warehouses.xml")
    mapped = [map_location(row, offset=offset) for row in rows]
    assert without_raw(mapped[0]) == Location(
        remote_id="W1",
        code="W1",
        name="Warehouse W1",
        type=LocationType.WAREHOUSE,
        address=Address(city="Atlanta", country="US"),
        updated_at=utc(2025, 5, 31, 19),
        custom_fields={},
    )
    assert [w.code for w in mapped] == ["W1", "W2", "W3", "W4", "W5"]
    assert {w.type for w in mapped} == {LocationType.WAREHOUSE}


def test_every_entity_keeps_its_raw_properties() -> None:
    rows, offset = load("warehouses.xml")
    assert map_location(rows[1], offset=offset).remote_data == rows[1]
    rows, offset = load("manufacturing_orders.xml")
    assert map_production_order(rows[0], offset=offset).remote_data == rows[0]


# -- status tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_status", "approval", "expected"),
    [
        ("0", "N", PO.DRAFT),
        ("0", "P", PO.PENDING_APPROVAL),
        ("0", "A", PO.APPROVED),
        ("0", "R", PO.CANCELLED),
        ("2", "A", PO.PARTIALLY_RECEIVED),
        ("2", "P", PO.PARTIALLY_RECEIVED),
        ("3", "A", PO.RECEIVED),
        ("4", "A", PO.CLOSED),
        ("9", "N", PO.CANCELLED),
        ("9", "A", PO.CANCELLED),
        ("0", "", None),
        ("0", None, None),
        ("1", "A", None),
        (None, "A", None),
    ],
)
def test_purchase_order_status_table(
    order_status: str | None, approval: str | None, expected: PO | None
) -> None:
    assert po_status(order_status, approval) is expected


def test_the_purchase_order_tables_reach_every_unified_status() -> None:
    reached = {
        po_status(order_status, approval)
        for order_status in PO_ORDER_STATUS
        for approval in PO_APPROVAL
    }
    assert reached == set(PO)


def test_manufacturing_vendor_and_item_tables() -> None:
    assert set(MO_STATUS.values()) == {
        MO.PLANNED,
        MO.RELEASED,
        MO.IN_PROGRESS,
        MO.COMPLETED,
        MO.CLOSED,
        MO.CANCELLED,
    }
    assert dict(VENDOR_STATUS) == {
        "A": VendorStatus.ACTIVE,
        "H": VendorStatus.BLOCKED,
        "D": VendorStatus.INACTIVE,
    }
    assert sorted(ITEM_TYPE) == ["C", "M", "P", "S", "V"]
    assert InventoryItemType.OTHER not in ITEM_TYPE.values()


# -- clock and stamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-5:00", timedelta(hours=-5)),
        ("+1:00", timedelta(hours=1)),
        ("5:30", timedelta(hours=5, minutes=30)),
        ("-3:30", timedelta(hours=-3, minutes=-30)),
        ("0:00", timedelta(0)),
        ("", timedelta(0)),
        (None, timedelta(0)),
        ("local", timedelta(0)),
    ],
)
def test_clock_offsets(text: str | None, expected: timedelta) -> None:
    assert parse_offset(text) == expected


def test_change_stamps_are_system_local_time() -> None:
    instant = parse_stamp("2025-05-31-18.30.00.000000", OFFSET)
    assert instant == utc(2025, 5, 31, 23, 30)
    assert stamp_literal(utc(2025, 5, 31, 23, 30), OFFSET) == "2025-05-31-18.30.00.000000"
    assert parse_stamp(None, OFFSET) is None
    with pytest.raises(ValueError, match="does not match format"):
        parse_stamp("2025-05-31 18:30:00", OFFSET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-31-18.30.00", utc(2025, 5, 31, 23, 30)),
        ("2025-05-31-18.30.00.5", utc(2025, 5, 31, 23, 30).replace(microsecond=500000)),
        (" 2025-12-31-22.15.07.000123 ", datetime(2026, 1, 1, 3, 15, 7, 123, tzinfo=UTC)),
    ],
)
def test_change_stamps_with_any_fraction(text: str, expected: datetime) -> None:
    assert parse_stamp(text, OFFSET) == expected


@pytest.mark.parametrize(
    "text", ["2025-13-01-00.00.00.000000", "2025-05-31-25.00.00", "2025-05-31T18:30:00", "x"]
)
def test_bad_change_stamps(text: str) -> None:
    with pytest.raises(ValueError, match=r"does not match format|out of range|must be in"):
        parse_stamp(text, OFFSET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20250612", date(2025, 6, 12)), ("20240229", date(2024, 2, 29)), ("00010101", date(1, 1, 1))],
)
def test_yyyymmdd_dates(text: str, expected: date) -> None:
    assert parse_ymd(text) == expected


@pytest.mark.parametrize("text", ["20251399", "20250229", "2025061", "2025-06-12", "+2025061"])
def test_bad_yyyymmdd_dates(text: str) -> None:
    with pytest.raises(ValueError, match=r"yyyymmdd|out of range|must be in"):
        parse_ymd(text)
