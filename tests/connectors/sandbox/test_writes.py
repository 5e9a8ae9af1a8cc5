"""Sandbox writes: validated and answered like a real system's, and never applied."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.errors import Conflict, NotFoundUpstream, Rejected, Unsupported
from ironbridge.connectors.sandbox import SandboxConnector
from ironbridge.models import (
    EntityType,
    InventoryItem,
    PurchaseOrder,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
)

if TYPE_CHECKING:
    from ironbridge.connectors.sandbox import SandboxDataset


@pytest.fixture
def sandbox() -> SandboxConnector:
    return SandboxConnector(
        ConnectionConfig(
            connection_id="w1", instance_url="", options={"records": 120}, sandbox=True
        )
    )


@pytest.fixture
async def data(sandbox: SandboxConnector) -> SandboxDataset:
    return await sandbox.dataset()


def a_po(data: SandboxDataset, status: PurchaseOrderStatus) -> PurchaseOrder:
    return next(po for po in data.purchase_orders if po.status is status)


def a_wo(data: SandboxDataset, status: WorkOrderStatus) -> WorkOrder:
    return next(wo for wo in data.work_orders if wo.status is status)


def active_vendor(data: SandboxDataset) -> str:
    return next(v.remote_id for v in data.vendors if v.status is VendorStatus.ACTIVE)


def po_input(data: SandboxDataset, **changes: Any) -> dict[str, Any]:
    item = next(i for i in data.inventory_items if i.active)
    return {
        "vendor_remote_id": active_vendor(data),
        "lines": [
            {"item_remote_id": item.remote_id, "quantity": "12.5", "unit_price": Decimal("3.1")},
            {"description": "Expedite fee", "quantity": 1, "unit_price": "45"},
        ],
        "custom_fields": {"costCenter": "CC-4100"},
        **changes,
    }


async def snapshot(sandbox: SandboxConnector) -> dict[EntityType, list[Any]]:
    return {
        entity: [r async for page in sandbox.fetch_changes(entity, None) for r in page.records]
        for entity in EntityType
    }


async def test_writes_change_nothing(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    before = await snapshot(sandbox)
    created = await sandbox.create(EntityType.PURCHASE_ORDER, po_input(data))
    draft = a_po(data, PurchaseOrderStatus.DRAFT)
    await sandbox.update(EntityType.PURCHASE_ORDER, draft.remote_id, {"description": "changed"})
    await sandbox.delete(EntityType.PURCHASE_ORDER, draft.remote_id)
    wo = a_wo(data, WorkOrderStatus.APPROVED)
    await sandbox.update(EntityType.WORK_ORDER, wo.remote_id, {"status": "IN_PROGRESS"})
    await sandbox.delete(EntityType.WORK_ORDER, wo.remote_id)
    await sandbox.create(EntityType.INVENTORY_ITEM, {"name": "Test part"})
    assert await snapshot(sandbox) == before
    assert await sandbox.get(EntityType.PURCHASE_ORDER, [created.remote_id]) == [None]
    assert (await sandbox.get(EntityType.PURCHASE_ORDER, [draft.remote_id]))[0] == draft


async def test_create_purchase_order(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    po = await sandbox.create(EntityType.PURCHASE_ORDER, po_input(data))
    assert isinstance(po, PurchaseOrder)
    assert po.remote_id not in {p.remote_id for p in data.purchase_orders}
    assert po.status is PurchaseOrderStatus.DRAFT
    assert po.currency is not None
    assert po.created_at is not None
    assert po.created_at.tzinfo is UTC
    first, second = po.lines
    assert (first.quantity, first.unit_price, first.amount) == (
        Decimal("12.50"),
        Decimal("3.10"),
        Decimal("38.75"),
    )
    assert first.description
    assert first.unit_of_measure
    assert (second.line_number, second.item_remote_id, second.amount) == (
        "20",
        None,
        Decimal("45.00"),
    )
    assert po.total_amount == Decimal("83.75")
    assert po.custom_fields == {"costCenter": "CC-4100"}
    assert po.remote_data is not None
    assert po.remote_data["total"] == "83.75"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"vendor_remote_id": "V-99999"}, Rejected, "vendor_remote_id: no VENDOR"),
        ({"vendor_remote_id": None}, Rejected, "vendor_remote_id: is required"),
        ({"lines": []}, Rejected, "lines: must not be empty"),
        ({"lines": [{"quantity": 1}]}, Rejected, "lines[0].description: is required"),
        ({"lines": [{"description": "x", "quantity": 0}]}, Rejected, "lines[0].quantity"),
        ({"lines": [{"description": "x", "quantity": "a lot"}]}, Rejected, "lines[0].quantity"),
        ({"lines": [{"item_remote_id": "ITM-0", "quantity": 1}]}, Rejected, "item_remote_id"),
        ({"currency": "dollars"}, Rejected, "currency"),
        ({"ship_to_remote_id": "LOC-0"}, Rejected, "ship_to_remote_id"),
        ({"order_date": "yesterday"}, Rejected, "order_date"),
        ({"vendor_id": "abc"}, Rejected, "vendor_id: unknown field"),
    ],
)
async def test_create_purchase_order_refusals(
    sandbox: SandboxConnector,
    data: SandboxDataset,
    changes: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        await sandbox.create(EntityType.PURCHASE_ORDER, po_input(data, **changes))


async def test_blocked_vendor_is_a_conflict(
    sandbox: SandboxConnector, data: SandboxDataset
) -> None:
    blocked = next(v for v in data.vendors if v.status is VendorStatus.BLOCKED)
    with pytest.raises(Conflict, match="blocked"):
        await sandbox.create(
            EntityType.PURCHASE_ORDER, po_input(data, vendor_remote_id=blocked.remote_id)
        )


async def test_update_purchase_order(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    draft = a_po(data, PurchaseOrderStatus.DRAFT)
    updated = await sandbox.update(
        EntityType.PURCHASE_ORDER,
        draft.remote_id,
        {"description": "Rush order", "status": "PENDING_APPROVAL", "custom_fields": {"x": "1"}},
    )
    assert isinstance(updated, PurchaseOrder)
    assert (updated.remote_id, updated.lines) == (draft.remote_id, draft.lines)
    assert updated.description == "Rush order"
    assert updated.status is PurchaseOrderStatus.PENDING_APPROVAL
    assert updated.remote_status == "In Approval"
    assert updated.custom_fields == {**draft.custom_fields, "x": "1"}
    assert updated.updated_at is not None
    assert draft.updated_at is not None
    assert updated.updated_at >= draft.updated_at
    assert updated.remote_data is not None
    assert updated.remote_data["memo"] == "Rush order"


async def test_update_purchase_order_rules(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    closed = a_po(data, PurchaseOrderStatus.CLOSED)
    with pytest.raises(Conflict, match="closed"):
        await sandbox.update(EntityType.PURCHASE_ORDER, closed.remote_id, {"description": "x"})
    approved = a_po(data, PurchaseOrderStatus.APPROVED)
    lines = [{"description": "x", "quantity": 1}]
    with pytest.raises(Conflict, match="lines can change only"):
        await sandbox.update(EntityType.PURCHASE_ORDER, approved.remote_id, {"lines": lines})
    with pytest.raises(NotFoundUpstream):
        await sandbox.update(EntityType.PURCHASE_ORDER, "PO-missing", {"description": "x"})
    with pytest.raises(Rejected, match="number: unknown field"):
        await sandbox.update(EntityType.PURCHASE_ORDER, approved.remote_id, {"number": "1"})
    with pytest.raises(Rejected, match="status"):
        await sandbox.update(EntityType.PURCHASE_ORDER, approved.remote_id, {"status": "DONE"})


async def test_delete_purchase_order(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    draft = a_po(data, PurchaseOrderStatus.DRAFT)
    result = await sandbox.delete(EntityType.PURCHASE_ORDER, draft.remote_id)
    assert (result.remote_id, result.soft_deleted, result.record) == (draft.remote_id, False, draft)
    received = a_po(data, PurchaseOrderStatus.RECEIVED)
    with pytest.raises(Conflict, match="cancel it instead"):
        await sandbox.delete(EntityType.PURCHASE_ORDER, received.remote_id)


async def test_work_order_writes(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    asset = data.assets[3]
    created = await sandbox.create(
        EntityType.WORK_ORDER,
        {
            "title": "Replace coolant pump seal",
            "asset_remote_id": asset.remote_id,
            "priority": WorkOrderPriority.HIGH,
            "due_at": "2030-01-01T08:00:00Z",
        },
    )
    assert isinstance(created, WorkOrder)
    assert created.status is WorkOrderStatus.REQUESTED
    assert created.location_remote_id == asset.location_remote_id
    assert created.due_at == datetime(2030, 1, 1, 8, tzinfo=UTC)
    scheduled = a_wo(data, WorkOrderStatus.SCHEDULED)
    started = await sandbox.update(
        EntityType.WORK_ORDER, scheduled.remote_id, {"status": "IN_PROGRESS", "assignee": "Ana"}
    )
    assert isinstance(started, WorkOrder)
    assert started.started_at is not None
    assert started.assignee == "Ana"
    closed = a_wo(data, WorkOrderStatus.CLOSED)
    with pytest.raises(Conflict):
        await sandbox.update(EntityType.WORK_ORDER, closed.remote_id, {"title": "x"})
    with pytest.raises(Rejected, match="title"):
        await sandbox.create(EntityType.WORK_ORDER, {"title": "  "})
    with pytest.raises(Rejected, match="asset_remote_id"):
        await sandbox.create(EntityType.WORK_ORDER, {"title": "x", "asset_remote_id": "A-0"})
    deleted = await sandbox.delete(EntityType.WORK_ORDER, closed.remote_id)
    assert deleted.record == closed


async def test_inventory_item_writes(sandbox: SandboxConnector, data: SandboxDataset) -> None:
    created = await sandbox.create(
        EntityType.INVENTORY_ITEM,
        {"name": "Proximity sensor M12", "type": "SPARE_PART", "unit_cost": 19.9},
    )
    assert isinstance(created, InventoryItem)
    assert (created.unit_cost, created.currency, created.active) == (Decimal("19.90"), "USD", True)
    item = data.inventory_items[0]
    updated = await sandbox.update(EntityType.INVENTORY_ITEM, item.remote_id, {"active": False})
    assert isinstance(updated, InventoryItem)
    assert not updated.active
    assert item.active
    with pytest.raises(Conflict, match="already used"):
        await sandbox.create(EntityType.INVENTORY_ITEM, {"name": "x", "number": item.number})
    with pytest.raises(Rejected, match="active"):
        await sandbox.update(EntityType.INVENTORY_ITEM, item.remote_id, {"active": "no"})
    with pytest.raises(Unsupported):
        await sandbox.delete(EntityType.INVENTORY_ITEM, item.remote_id)


@pytest.mark.parametrize("entity", [EntityType.VENDOR, EntityType.STOCK_LEVEL])
async def test_read_only_entities(sandbox: SandboxConnector, entity: EntityType) -> None:
    with pytest.raises(Unsupported):
        await sandbox.create(entity, {"name": "x"})
    with pytest.raises(Unsupported):
        await sandbox.update(entity, "x", {"name": "x"})
    with pytest.raises(Unsupported):
        await sandbox.delete(entity, "x")
