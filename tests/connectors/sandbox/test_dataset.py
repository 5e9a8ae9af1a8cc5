"""The sandbox dataset: deterministic, complete, consistent, and shaped like a real plant's."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from ironbridge.connectors.sandbox import UNKNOWN_VENDOR_IDS, SandboxDataset, generate_dataset
from ironbridge.models import (
    AssetStatus,
    EntityType,
    InventoryItemType,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from enum import StrEnum

NOW = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> SandboxDataset:
    return generate_dataset(now=NOW)


def ids(data: SandboxDataset, entity: EntityType) -> set[str]:
    return {record.remote_id for record in data.records(entity)}


def test_same_seed_same_dataset(data: SandboxDataset) -> None:
    assert generate_dataset(now=NOW) == data


def test_other_seed_other_dataset(data: SandboxDataset) -> None:
    other = generate_dataset(seed=8, now=NOW)
    assert other.purchase_orders != data.purchase_orders
    assert other.work_orders != data.work_orders


def test_default_size(data: SandboxDataset) -> None:
    counts = data.counts()
    assert counts[EntityType.PURCHASE_ORDER] == 240
    assert all(count > 0 for count in counts.values())
    assert all(1 <= len(po.lines) <= 6 for po in data.purchase_orders)


def test_only_purchase_orders_grow_with_size(data: SandboxDataset) -> None:
    larger = generate_dataset(purchase_orders=1000, now=NOW)
    assert len(larger.purchase_orders) == 1000
    for entity in EntityType:
        if entity is not EntityType.PURCHASE_ORDER:
            assert larger.records(entity) == data.records(entity)


@pytest.mark.parametrize("size", [0, 1, 7])
def test_tiny_sizes(size: int) -> None:
    small = generate_dataset(purchase_orders=size, now=NOW)
    assert len(small.purchase_orders) == size
    if size >= len(PurchaseOrderStatus):
        assert {po.status for po in small.purchase_orders} == set(PurchaseOrderStatus)


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_dataset(purchase_orders=-1)


@pytest.mark.parametrize(
    ("entity", "attribute", "values"),
    [
        (EntityType.PURCHASE_ORDER, "status", PurchaseOrderStatus),
        (EntityType.WORK_ORDER, "status", WorkOrderStatus),
        (EntityType.WORK_ORDER, "priority", WorkOrderPriority),
        (EntityType.WORK_ORDER, "type", WorkOrderType),
        (EntityType.PRODUCTION_ORDER, "status", ProductionOrderStatus),
        (EntityType.ASSET, "status", AssetStatus),
        (EntityType.INVENTORY_ITEM, "type", InventoryItemType),
        (EntityType.VENDOR, "status", VendorStatus),
        (EntityType.LOCATION, "type", LocationType),
    ],
)
def test_every_enum_value_occurs(
    data: SandboxDataset, entity: EntityType, attribute: str, values: type[StrEnum]
) -> None:
    assert {getattr(record, attribute) for record in data.records(entity)} == set(values)


def test_remote_status_on_every_order(data: SandboxDataset) -> None:
    assert all(order.remote_status for order in data.purchase_orders)
    assert all(order.remote_status for order in data.work_orders)
    assert all(order.remote_status for order in data.production_orders)
    by_status = {po.status: po.remote_status for po in data.purchase_orders}
    assert by_status[PurchaseOrderStatus.PENDING_APPROVAL] == "In Approval"


def test_remote_ids_unique(data: SandboxDataset) -> None:
    for entity in EntityType:
        records = data.records(entity)
        assert len(ids(data, entity)) == len(records), entity
    assert len({po.number for po in data.purchase_orders}) == len(data.purchase_orders)


def test_unknown_vendor(data: SandboxDataset) -> None:
    vendors = ids(data, EntityType.VENDOR)
    orphans = [po for po in data.purchase_orders if po.vendor_remote_id not in vendors]
    assert orphans
    assert {po.vendor_remote_id for po in orphans} <= set(UNKNOWN_VENDOR_IDS)


def test_custom_fields(data: SandboxDataset) -> None:
    with_fields = [po for po in data.purchase_orders if po.custom_fields]
    assert 0 < len(with_fields) < len(data.purchase_orders)
    assert all(str(po.custom_fields["costCenter"]).startswith("CC-") for po in with_fields)
    assert any("projectCode" in po.custom_fields for po in with_fields)


def test_currencies(data: SandboxDataset) -> None:
    currencies = Counter(po.currency for po in data.purchase_orders)
    assert set(currencies) == {"USD", "EUR"}
    assert currencies["USD"] > currencies["EUR"] > 0


def test_money_arithmetic(data: SandboxDataset) -> None:
    for po in data.purchase_orders:
        assert po.total_amount == sum((line.amount or 0 for line in po.lines), Decimal(0))
        assert po.total_amount is not None
        assert po.total_amount.as_tuple().exponent == -2
        for line in po.lines:
            assert line.unit_price is not None
            assert line.amount == line.quantity * line.unit_price
            for value in (line.quantity, line.unit_price, line.amount, line.quantity_received):
                assert isinstance(value, Decimal)
                assert value.as_tuple().exponent == -2
            assert line.quantity > 0


def test_received_quantities_follow_status(data: SandboxDataset) -> None:
    for po in data.purchase_orders:
        received = [(line.quantity_received or 0, line.quantity) for line in po.lines]
        if po.status in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CLOSED):
            assert all(got == ordered for got, ordered in received)
        elif po.status is PurchaseOrderStatus.PARTIALLY_RECEIVED:
            assert any(got < ordered for got, ordered in received)
            assert any(got for got, _ in received)
        else:
            assert all(got == 0 for got, _ in received)


def test_out_of_stock(data: SandboxDataset) -> None:
    empty = [s for s in data.stock_levels if s.quantity_on_hand == 0]
    assert empty
    assert all(s.reorder_point and s.quantity_on_hand < s.reorder_point for s in empty)
    for stock in data.stock_levels:
        assert stock.quantity_available == stock.quantity_on_hand - (stock.quantity_reserved or 0)
        assert stock.quantity_available is not None
        assert stock.quantity_available >= 0


def test_references_resolve(data: SandboxDataset) -> None:
    locations = ids(data, EntityType.LOCATION)
    items = {item.remote_id: item for item in data.inventory_items}
    assets = ids(data, EntityType.ASSET)
    vendors = ids(data, EntityType.VENDOR) | set(UNKNOWN_VENDOR_IDS)
    for po in data.purchase_orders:
        assert po.vendor_remote_id in vendors
        assert po.ship_to_remote_id in locations
        assert all(line.item_remote_id in items for line in po.lines)
    for wo in data.work_orders:
        assert wo.asset_remote_id is None or wo.asset_remote_id in assets
        assert wo.location_remote_id in locations
    for stock in data.stock_levels:
        assert stock.item_remote_id in items
        assert stock.location_remote_id in locations
    for asset in data.assets:
        assert asset.parent_remote_id is None or asset.parent_remote_id in assets
        assert asset.location_remote_id in locations
    for location in data.locations:
        assert location.parent_remote_id is None or location.parent_remote_id in locations
    for order in data.production_orders:
        assert order.item_remote_id is not None
        assert items[order.item_remote_id].type is InventoryItemType.FINISHED_GOOD
        assert order.location_remote_id in locations


def test_hierarchies(data: SandboxDataset) -> None:
    locations = {location.remote_id: location for location in data.locations}
    for location in data.locations:
        parent = locations.get(location.parent_remote_id or "")
        if location.type is LocationType.SITE:
            assert parent is None
        elif location.type is LocationType.PLANT:
            assert parent is not None
            assert parent.type is LocationType.SITE
        else:
            assert parent is not None
            assert parent.type in (LocationType.SITE, LocationType.PLANT)
    assets = {asset.remote_id: asset for asset in data.assets}

    def depth(remote_id: str) -> int:
        parent = assets[remote_id].parent_remote_id
        return 1 if parent is None else 1 + depth(parent)

    assert max(depth(remote_id) for remote_id in assets) == 3
    assert all(
        asset.manufacturer and asset.serial_number
        for asset in data.assets
        if asset.parent_remote_id
    )


def test_timestamps(data: SandboxDataset) -> None:
    oldest = NOW - timedelta(days=125)
    for entity in EntityType:
        for record in data.records(entity):
            assert record.created_at is not None
            assert record.updated_at is not None
            assert record.created_at.utcoffset() == timedelta(0)
            assert oldest <= record.created_at <= record.updated_at <= NOW


def test_master_data_inside_default_lookback(data: SandboxDataset) -> None:
    """An initial sync with the default 90-day window sees every record others refer to."""
    window = NOW - timedelta(days=90)
    for entity in (EntityType.LOCATION, EntityType.VENDOR, EntityType.INVENTORY_ITEM):
        assert all(r.updated_at and r.updated_at >= window for r in data.records(entity))
    assert all(r.updated_at and r.updated_at >= window for r in data.assets)


def test_work_order_times_follow_status(data: SandboxDataset) -> None:
    started = {WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD} | {
        WorkOrderStatus.COMPLETED,
        WorkOrderStatus.CLOSED,
    }
    for wo in data.work_orders:
        assert wo.created_at is not None
        assert wo.updated_at is not None
        assert wo.due_at is not None
        assert wo.due_at > wo.created_at
        assert (wo.started_at is not None) == (wo.status in started)
        finished = wo.status in (WorkOrderStatus.COMPLETED, WorkOrderStatus.CLOSED)
        assert (wo.completed_at is not None) == finished
        if wo.started_at is not None:
            assert wo.created_at <= wo.started_at <= wo.updated_at
            assert wo.scheduled_start_at is not None
        if wo.completed_at is not None:
            assert wo.started_at is not None
            assert wo.started_at <= wo.completed_at <= wo.updated_at
        if wo.status is WorkOrderStatus.SCHEDULED:
            assert wo.scheduled_start_at is not None
        if wo.type is WorkOrderType.EMERGENCY:
            assert wo.priority in (WorkOrderPriority.URGENT, WorkOrderPriority.HIGH)


def test_production_order_times_follow_status(data: SandboxDataset) -> None:
    running = {ProductionOrderStatus.IN_PROGRESS}
    done = {ProductionOrderStatus.COMPLETED, ProductionOrderStatus.CLOSED}
    for order in data.production_orders:
        assert (order.actual_start_at is not None) == (order.status in running | done)
        assert (order.actual_end_at is not None) == (order.status in done)
        assert order.quantity_completed is not None
        assert 0 <= order.quantity_completed <= order.quantity_planned
        if order.actual_end_at is not None:
            assert order.actual_start_at is not None
            assert order.actual_start_at <= order.actual_end_at <= NOW


def test_ties_on_updated_at(data: SandboxDataset) -> None:
    """Nightly batch runs touch several orders at one instant: checkpoints must tie-break."""
    stamps = Counter(po.updated_at for po in data.purchase_orders)
    assert max(stamps.values()) >= 2


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def test_remote_data_is_a_plain_payload(data: SandboxDataset) -> None:
    for entity in EntityType:
        for record in data.records(entity):
            payload = record.remote_data
            assert isinstance(payload, dict)
            assert payload["id"] == record.remote_id
            assert _plain(payload), (entity, record.remote_id)
            json.dumps(payload)
    po = data.purchase_orders[0]
    assert po.remote_data is not None
    assert len(po.remote_data["lines"]) == len(po.lines)
    assert po.remote_data["total"] == str(po.total_amount)
