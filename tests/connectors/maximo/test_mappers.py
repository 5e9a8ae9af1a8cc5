"""Golden tests: Maximo lean JSON members, captured from the emulator (30 records, anchor
2025-06-01, seed 1) with the connector's own selects → the unified model."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironbridge.connectors.errors import RecordMappingError
from ironbridge.connectors.maximo.mappers import (
    KEYS,
    MapOptions,
    map_asset,
    map_inventory_item,
    map_location,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    map_work_order,
)
from ironbridge.connectors.maximo.statuses import (
    ASSET_STATUS,
    PO_STATUS,
    WO_PRIORITY_OUT,
    WO_STATUS,
    WO_STATUS_OUT,
)
from ironbridge.connectors.maximo.values import Member, join_id, parse_instant
from ironbridge.emulators.maximo.domains import DOMAINS
from ironbridge.models import (
    Address,
    Asset,
    AssetStatus,
    EntityType,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
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
WO_CUSTOM = MapOptions(custom_fields=("cust_costcenter", "cust_permitrequired"))
PO_CUSTOM = MapOptions(custom_fields=("cust_projectcode", "cust_receivingdock"))


def members(name: str) -> dict[str, dict[str, Any]]:
    """The fixture's members by the value of their first key attribute (+ revision)."""
    body = json.loads((FIXTURES / f"{name}.json").read_text())
    found: dict[str, dict[str, Any]] = {}
    for member in body["member"]:
        key = next(iter(member.values()))
        if "revisionnum" in member:
            key = f"{key}/{member['revisionnum']}"
        if "location" in member and "itemnum" in member:
            key = f"{key}@{member['location']}/{member['siteid']}"
        found[str(key)] = member
    return found


def bare(record: Record) -> Record:
    return dataclasses.replace(record, remote_data=None)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# -- work orders ------------------------------------------------------------------------------


def test_work_order_with_a_synonym_status_maps_by_its_internal_value() -> None:
    raw = members("work_orders")["1000010"]
    assert (raw["status"], raw["status_maxvalue"]) == ("WAITPARTS", "WMATL")
    record = map_work_order(raw, options=WO_CUSTOM)
    assert record.remote_data == raw
    assert bare(record) == WorkOrder(
        remote_id="BEDFORD/1000010",
        number="1000010",
        title="Repair leak on asset 11023",
        description="Reported by operator on shift 2.",
        status=WorkOrderStatus.ON_HOLD,
        remote_status="WAITPARTS",
        priority=WorkOrderPriority.MEDIUM,
        type=WorkOrderType.PREVENTIVE,
        asset_remote_id="11023/BEDFORD",
        location_remote_id="B-304/BEDFORD",
        assignee="HALL",
        due_at=at("2024-08-25T01:00:00+00:00"),
        scheduled_start_at=at("2024-08-14T01:00:00+00:00"),
        estimated_hours=Decimal("6.5"),
        actual_hours=Decimal(0),
        created_at=at("2024-08-12T01:00:00+00:00"),
        updated_at=at("2024-09-06T08:00:00+00:00"),
        custom_fields={},
    )


def test_closed_work_order_has_its_actual_dates() -> None:
    record = map_work_order(members("work_orders")["1000008"])
    assert record.status is WorkOrderStatus.CLOSED
    assert record.priority is WorkOrderPriority.URGENT
    assert record.started_at == at("2024-07-10T00:00:00+00:00")
    assert record.completed_at == at("2024-07-10T02:00:00+00:00")
    assert record.actual_hours == Decimal(2)


def test_custom_attributes_are_custom_fields_when_configured() -> None:
    raw = members("work_orders")["1000011"]
    assert map_work_order(raw, options=WO_CUSTOM).custom_fields == {
        "cust_costcenter": "CC-591",
        "cust_permitrequired": False,
    }
    assert map_work_order(raw).custom_fields == {}


def test_a_priority_scale_of_the_connection_replaces_the_default() -> None:
    raw = members("work_orders")["1000008"]
    options = MapOptions(priorities={1: WorkOrderPriority.LOW})
    assert map_work_order(raw, options=options).priority is WorkOrderPriority.LOW
    assert map_work_order({**raw, "wopriority": 9}).priority is None


def test_malformed_work_order_is_a_mapping_error_with_its_id() -> None:
    raw = members("work_orders")["1000013"]
    with pytest.raises(RecordMappingError) as caught:
        map_work_order(raw)
    assert caught.value.remote_id == "BEDFORD/1000013"
    assert "targcompdate" in caught.value.detail
    assert caught.value.payload == raw


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"wonum": None}, "wonum"),
        ({"status": "DONE", "status_maxvalue": None}, "DONE"),
        ({"status_maxvalue": "NOPE"}, "NOPE"),
        ({"wopriority": "high"}, "wopriority"),
        ({"estdur": True}, "estdur"),
    ],
)
def test_bad_work_orders_fail_to_map(change: dict[str, Any], detail: str) -> None:
    raw = {**members("work_orders")["1000001"], **change}
    with pytest.raises(RecordMappingError, match=detail):
        map_work_order(raw)


def test_status_without_internal_value_maps_when_it_is_an_internal_value() -> None:
    raw = {**members("work_orders")["1000001"], "status": "INPRG"}
    del raw["status_maxvalue"]
    assert map_work_order(raw).status is WorkOrderStatus.IN_PROGRESS


def test_unknown_work_type_is_other_and_missing_description_uses_the_number() -> None:
    raw = {**members("work_orders")["1000001"], "worktype": "CAL"}
    del raw["description"]
    record = map_work_order(raw)
    assert record.type is WorkOrderType.OTHER
    assert record.title == "1000001"


# -- assets and locations ---------------------------------------------------------------------


def test_asset_in_a_synonym_status_and_with_a_parent() -> None:
    assets = members("assets")
    assert bare(map_asset(assets["11008"])) == Asset(
        remote_id="11008/TEXAS",
        name="Electric motor 55kW 1",
        status=AssetStatus.INACTIVE,
        tag="TAG-4007",
        serial_number="SN69511511",
        manufacturer="ABB",
        criticality="5",
        location_remote_id="T-102/TEXAS",
        installed_at=date(2021, 1, 2),
        updated_at=at("2024-08-12T01:05:32+00:00"),
    )
    assert map_asset(assets["11003"]).parent_remote_id == "11001/BEDFORD"
    assert map_asset(assets["11004"]).status is AssetStatus.INACTIVE
    assert map_asset(assets["11001"]).status is AssetStatus.ACTIVE


def test_locations_and_their_hierarchy() -> None:
    locations = members("locations")
    assert bare(map_location(locations["B-101"])) == Location(
        remote_id="B-101/BEDFORD",
        name="Line 1 cell 1",
        code="B-101",
        type=LocationType.AREA,
        parent_remote_id="B-AREA1/BEDFORD",
        updated_at=at("2024-07-10T20:35:17+00:00"),
    )
    assert map_location(locations["B-PLANT"]).parent_remote_id is None
    storeroom = map_location(locations["CENTRAL"])
    assert (storeroom.type, storeroom.parent_remote_id) == (LocationType.STOREROOM, None)
    assert map_location({**locations["CENTRAL"], "type": "REPAIR"}).type is LocationType.OTHER


# -- items and stock --------------------------------------------------------------------------


def test_items() -> None:
    items = members("items")
    assert bare(map_inventory_item(items["0-1001"])) == InventoryItem(
        remote_id="0-1001/SET1",
        number="0-1001",
        name="Ball bearing 6204-2RS",
        type=InventoryItemType.SPARE_PART,
        unit_of_measure="EACH",
        active=True,
        updated_at=at("2024-07-07T11:21:51+00:00"),
    )
    assert map_inventory_item(items["0-1010"]).type is InventoryItemType.OTHER
    assert map_inventory_item(items["0-1011"]).active is False


def test_stock_levels_including_an_empty_storeroom() -> None:
    stock = members("stock")
    assert bare(map_stock_level(stock["0-1001@CENTRAL/BEDFORD"])) == StockLevel(
        remote_id="0-1001/SET1/CENTRAL/BEDFORD",
        quantity_on_hand=Decimal(46),
        item_remote_id="0-1001/SET1",
        location_remote_id="CENTRAL/BEDFORD",
        quantity_available=Decimal(45),
        quantity_reserved=Decimal(1),
        reorder_point=Decimal(7),
        unit_of_measure="EACH",
    )
    empty = map_stock_level(stock["0-1004@CENTRAL/BEDFORD"])
    assert (empty.quantity_on_hand, empty.quantity_available) == (Decimal(0), Decimal(0))


def test_stock_level_sums_its_bins_without_a_total() -> None:
    raw = {
        **members("stock")["0-1001@CENTRAL/BEDFORD"],
        "invbalances": [{"curbal": 2}, {"curbal": 3.5}],
    }
    del raw["curbaltotal"]
    assert map_stock_level(raw).quantity_on_hand == Decimal("5.5")
    del raw["invbalances"]
    with pytest.raises(RecordMappingError, match="curbaltotal"):
        map_stock_level(raw)


# -- purchase orders and vendors --------------------------------------------------------------


def test_partially_received_purchase_order() -> None:
    raw = members("purchase_orders")["2000005/0"]
    record = map_purchase_order(raw)
    assert record.remote_id == "2000005/0/BEDFORD"
    assert record.status is PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert record.remote_status == "APPR"
    assert record.vendor_remote_id == "INITEC29/EAGLENA"
    assert (record.order_date, record.expected_delivery_date) == (
        date(2024, 7, 1),
        date(2024, 7, 25),
    )
    assert (record.currency, record.total_amount) == ("USD", Decimal("5517.08"))
    assert record.lines[0] == PurchaseOrderLine(
        line_number="1",
        quantity=Decimal(47),
        item_remote_id="0-1021/SET1",
        quantity_received=Decimal(47),
        unit_of_measure="EACH",
        unit_price=Decimal("59.64"),
        amount=Decimal("2803.08"),
        expected_delivery_date=date(2024, 7, 25),
    )
    assert [line.line_number for line in record.lines] == ["1", "2"]
    assert record.lines[1].quantity_received == Decimal(0)


def test_purchase_order_revisions_are_records_of_their_own() -> None:
    pos = members("purchase_orders")
    revised, revision = map_purchase_order(pos["2000010/0"]), map_purchase_order(pos["2000010/1"])
    assert (revised.remote_id, revised.status) == ("2000010/0/BEDFORD", PurchaseOrderStatus.CLOSED)
    assert (revision.remote_id, revision.status) == (
        "2000010/1/BEDFORD",
        PurchaseOrderStatus.APPROVED,
    )
    assert revised.number == revision.number == "2000010"


def test_purchase_order_synonym_unknown_vendor_and_malformed() -> None:
    pos = members("purchase_orders")
    sent = map_purchase_order(pos["2000009/0"])
    assert (sent.status, sent.remote_status) == (PurchaseOrderStatus.APPROVED, "SENT")
    ghost = map_purchase_order(pos["2000013/0"])
    assert ghost.vendor_remote_id == "GHOSTSUPPLY/EAGLENA"
    with pytest.raises(RecordMappingError, match="orderdate") as caught:
        map_purchase_order(pos["2000015/0"])
    assert caught.value.remote_id == "2000015/0/BEDFORD"


def test_purchase_order_custom_fields_and_bad_lines() -> None:
    raw = {**members("purchase_orders")["2000005/0"], "cust_projectcode": "PRJ-1"}
    assert map_purchase_order(raw, options=PO_CUSTOM).custom_fields == {"cust_projectcode": "PRJ-1"}
    with pytest.raises(RecordMappingError, match="poline"):
        map_purchase_order({**raw, "poline": [{"polinenum": 1}]})
    with pytest.raises(RecordMappingError, match="poline"):
        map_purchase_order({**raw, "poline": "nope"})


def test_vendors() -> None:
    vendors = members("vendors")
    assert bare(map_vendor(vendors["INITEC05"])) == Vendor(
        remote_id="INITEC05/EAGLENA",
        name="Initech Industrial Supply",
        status=VendorStatus.INACTIVE,
        code="INITEC05",
        phone="+1 555 643 7938",
        address=Address(
            line1="571 Industrial Way",
            city="Toronto",
            region="ON",
            postal_code="M5H 2N2",
            country="CA",
        ),
        currency="CAD",
        updated_at=at("2024-06-22T19:07:34+00:00"),
    )
    assert map_vendor(vendors["ACME01"]).status is VendorStatus.ACTIVE


# -- tables and values ------------------------------------------------------------------------


@pytest.mark.parametrize("synonym", DOMAINS["WOSTATUS"].synonyms, ids=lambda s: s.value)
def test_every_work_order_status_of_the_domain_maps(synonym: Any) -> None:
    raw = {**members("work_orders")["1000001"], "status": synonym.value}
    raw["status_maxvalue"] = synonym.maxvalue
    assert map_work_order(raw).status is WO_STATUS[synonym.maxvalue]


@pytest.mark.parametrize("synonym", DOMAINS["POSTATUS"].synonyms, ids=lambda s: s.value)
def test_every_purchase_order_status_of_the_domain_maps(synonym: Any) -> None:
    raw = {**members("purchase_orders")["2000009/0"], "status": synonym.value}
    raw["status_maxvalue"] = synonym.maxvalue
    assert map_purchase_order(raw).status is PO_STATUS[synonym.maxvalue]


def test_every_asset_status_of_the_domain_maps() -> None:
    for synonym in DOMAINS["LOCASSETSTATUS"].synonyms:
        assert synonym.maxvalue in ASSET_STATUS


def test_write_tables_round_trip() -> None:
    for status, internal in WO_STATUS_OUT.items():
        assert WO_STATUS[internal] is status
    assert WO_PRIORITY_OUT[WorkOrderPriority.NONE] is None


def test_values() -> None:
    assert parse_instant("2024-05-01T08:00:00-05:00") == datetime(2024, 5, 1, 13, tzinfo=UTC)
    assert parse_instant("2024-05-01T08:00:00") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_instant("") is None
    with pytest.raises(ValueError, match="not a date"):
        parse_instant(20240501)
    assert join_id("A", 1, "B") == "A/1/B"
    assert join_id("A", None) is None
    member = Member(
        EntityType.VENDOR,
        {"company": "X", "orgid": "O", "disabled": "maybe"},
        KEYS[EntityType.VENDOR],
    )
    assert member.remote_id == "X/O"
    with pytest.raises(RecordMappingError, match="boolean"):
        member.flag("disabled")
    with pytest.raises(RecordMappingError, match="whole"):
        Member(EntityType.VENDOR, {"n": 1.5}, ()).integer("n")
