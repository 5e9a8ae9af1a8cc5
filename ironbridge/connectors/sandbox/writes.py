"""Sandbox writes: validated like a real system's, answered with the would-be record, and
never applied (the sample data stays as it is).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.connectors.base import DeleteResult
from ironbridge.connectors.errors import Conflict, NotFoundUpstream
from ironbridge.connectors.sandbox.inputs import CENT, Fields
from ironbridge.connectors.sandbox.operations import WO_REMOTE_STATUS
from ironbridge.connectors.sandbox.payloads import (
    attach,
    inventory_item_payload,
    purchase_order_payload,
    work_order_payload,
)
from ironbridge.connectors.sandbox.purchasing import REMOTE_STATUS
from ironbridge.models import (
    ENTITY_CLASSES,
    Asset,
    EntityType,
    InventoryItem,
    InventoryItemType,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Record,
    Vendor,
    VendorStatus,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    from ironbridge.connectors.sandbox.index import SandboxIndex

PO = PurchaseOrderStatus
WO = WorkOrderStatus
R = TypeVar("R", bound=Record)
ZERO = Decimal("0.00")
_ENTITY: dict[type[Record], EntityType] = {cls: entity for entity, cls in ENTITY_CLASSES.items()}

PURCHASE_ORDER_CREATE = (
    "number",
    "vendor_remote_id",
    "order_date",
    "expected_delivery_date",
    "currency",
    "description",
    "ship_to_remote_id",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_UPDATE = (
    "expected_delivery_date",
    "currency",
    "description",
    "status",
    "lines",
    "custom_fields",
)
PURCHASE_ORDER_LINE = (
    "item_remote_id",
    "description",
    "quantity",
    "unit_price",
    "unit_of_measure",
    "expected_delivery_date",
)
WORK_ORDER_CREATE = (
    "title",
    "description",
    "priority",
    "type",
    "asset_remote_id",
    "location_remote_id",
    "assignee",
    "due_at",
    "scheduled_start_at",
    "custom_fields",
)
WORK_ORDER_UPDATE = (
    "title",
    "description",
    "status",
    "priority",
    "assignee",
    "due_at",
    "scheduled_start_at",
    "custom_fields",
)
INVENTORY_ITEM_CREATE = (
    "number",
    "name",
    "description",
    "type",
    "unit_of_measure",
    "unit_cost",
    "currency",
)
INVENTORY_ITEM_UPDATE = ("name", "description", "unit_cost", "active")

PURCHASE_ORDER_RULES = (
    "Sandbox: writes are validated and answered but change nothing. Closed and cancelled "
    "orders cannot be modified; lines and currency change only while draft or pending "
    "approval; only draft or pending-approval orders can be deleted."
)
WORK_ORDER_RULES = (
    "Sandbox: writes are validated and answered but change nothing. "
    "Closed and cancelled work orders cannot be modified."
)
INVENTORY_ITEM_RULES = "Sandbox: writes are validated and answered but change nothing."

_PO_EDITABLE = frozenset({PO.DRAFT, PO.PENDING_APPROVAL})
_PO_FINAL = frozenset({PO.CLOSED, PO.CANCELLED})
_WO_FINAL = frozenset({WO.CLOSED, WO.CANCELLED})
_WO_STARTED = frozenset({WO.IN_PROGRESS, WO.ON_HOLD, WO.COMPLETED, WO.CLOSED})
_WO_FINISHED = frozenset({WO.COMPLETED, WO.CLOSED})


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _new_id(prefix: str) -> str:
    return f"{prefix}-SBX-{uuid.uuid4().hex[:10].upper()}"


def _merge(current: Mapping[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """Custom fields are patched: given keys replace, ``None`` removes."""
    merged = dict(current)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class SandboxWriter:
    """Creates, updates and deletes on paper: checks everything, stores nothing."""

    def __init__(self, index: SandboxIndex, *, system: str) -> None:
        self.index = index
        self.system = system

    # lookups

    def _existing(self, kind: type[R], remote_id: str) -> R:
        entity = _ENTITY[kind]
        record = self.index.get(entity, remote_id)
        if not isinstance(record, kind):
            raise NotFoundUpstream(self.system, f"no {entity.value} with id {remote_id!r}")
        return record

    def _reference(self, fields: Fields, key: str, kind: type[R]) -> R | None:
        remote_id = fields.text(key)
        if remote_id is None:
            return None
        entity = _ENTITY[kind]
        record = self.index.get(entity, remote_id)
        if not isinstance(record, kind):
            raise fields.reject(key, f"no {entity.value} with id {remote_id!r}")
        return record

    def _number_taken(self, entity: EntityType, number: str) -> bool:
        return any(getattr(r, "number", None) == number for r in self.index.dataset.records(entity))

    # purchase orders

    def _lines(
        self, fields: Fields, rows: list[Mapping[str, Any]], *, delivery: date | None
    ) -> tuple[PurchaseOrderLine, ...]:
        lines: list[PurchaseOrderLine] = []
        for position, row in enumerate(rows):
            line = Fields(self.system, row, PURCHASE_ORDER_LINE, where=f"lines[{position}].")
            item = self._reference(line, "item_remote_id", InventoryItem)
            if item is not None and not item.active:
                raise line.reject("item_remote_id", f"item {item.number} is inactive")
            description = line.text("description") or (item.name if item else None)
            if description is None:
                raise line.reject("description", "is required for a line without an item")
            quantity = line.decimal("quantity", required=True, positive=True) or ZERO
            price = line.decimal("unit_price")
            if price is None and item is not None:
                price = item.unit_cost
            uom = line.text("unit_of_measure", max_length=10)
            lines.append(
                PurchaseOrderLine(
                    line_number=str(10 * (position + 1)),
                    quantity=quantity,
                    item_remote_id=item.remote_id if item else None,
                    description=description,
                    quantity_received=ZERO,
                    unit_of_measure=uom or (item.unit_of_measure if item else None),
                    unit_price=price,
                    amount=None if price is None else (quantity * price).quantize(CENT),
                    expected_delivery_date=line.date("expected_delivery_date") or delivery,
                )
            )
        return tuple(lines)

    @staticmethod
    def _total(lines: tuple[PurchaseOrderLine, ...]) -> Decimal:
        return sum((line.amount for line in lines if line.amount is not None), ZERO)

    def create_purchase_order(self, data: Mapping[str, Any]) -> PurchaseOrder:
        fields = Fields(self.system, data, PURCHASE_ORDER_CREATE)
        vendor = self._reference(fields, "vendor_remote_id", Vendor)
        if vendor is None:
            raise fields.reject("vendor_remote_id", "is required")
        if vendor.status is not VendorStatus.ACTIVE:
            raise Conflict(
                self.system,
                f"vendor {vendor.name} ({vendor.remote_id}) is {vendor.status.lower()} "
                "and cannot receive orders",
            )
        ship_to = self._reference(fields, "ship_to_remote_id", Location)
        now = _now()
        order_date = fields.date("order_date") or now.date()
        expected = fields.date("expected_delivery_date")
        if expected is not None and expected < order_date:
            raise fields.reject("expected_delivery_date", "is before the order date")
        rows = fields.rows("lines", required=True) or []
        lines = self._lines(fields, rows, delivery=expected)
        number = fields.text("number") or f"46{uuid.uuid4().int % 10**8:08d}"
        if self._number_taken(EntityType.PURCHASE_ORDER, number):
            raise Conflict(self.system, f"purchase order number {number} is already used")
        order = PurchaseOrder(
            remote_id=_new_id("PO"),
            created_at=now,
            updated_at=now,
            custom_fields=fields.mapping("custom_fields") or {},
            number=number,
            status=PO.DRAFT,
            remote_status=REMOTE_STATUS[PO.DRAFT],
            vendor_remote_id=vendor.remote_id,
            order_date=order_date,
            expected_delivery_date=expected,
            currency=fields.currency("currency") or vendor.currency,
            total_amount=self._total(lines),
            description=fields.text("description", max_length=2000),
            ship_to_remote_id=ship_to.remote_id if ship_to else None,
            lines=lines,
        )
        return attach(order, purchase_order_payload)

    def update_purchase_order(self, remote_id: str, data: Mapping[str, Any]) -> PurchaseOrder:
        order = self._existing(PurchaseOrder, remote_id)
        fields = Fields(self.system, data, PURCHASE_ORDER_UPDATE)
        if order.status in _PO_FINAL:
            raise Conflict(self.system, f"purchase order {order.number} is {order.status.lower()}")
        changes: dict[str, Any] = {}
        for key in ("lines", "currency"):
            if fields.given(key) and order.status not in _PO_EDITABLE:
                raise Conflict(
                    self.system,
                    f"purchase order {order.number} is {order.status.lower()}: "
                    f"{key} can change only while draft or pending approval",
                )
        if fields.given("lines"):
            rows = fields.rows("lines", required=True) or []
            lines = self._lines(fields, rows, delivery=order.expected_delivery_date)
            changes.update(lines=lines, total_amount=self._total(lines))
        if fields.given("currency"):
            changes["currency"] = fields.currency("currency")
        if fields.given("expected_delivery_date"):
            changes["expected_delivery_date"] = fields.date("expected_delivery_date")
        if fields.given("description"):
            changes["description"] = fields.text("description", max_length=2000)
        if fields.given("status"):
            status = fields.choice("status", PurchaseOrderStatus, required=True) or order.status
            changes.update(status=status, remote_status=REMOTE_STATUS[status])
        if fields.given("custom_fields"):
            changes["custom_fields"] = _merge(order.custom_fields, fields.mapping("custom_fields"))
        updated = replace(order, **changes, updated_at=_now(), remote_data={})
        return attach(updated, purchase_order_payload)

    def delete_purchase_order(self, remote_id: str) -> DeleteResult:
        order = self._existing(PurchaseOrder, remote_id)
        if order.status not in _PO_EDITABLE:
            raise Conflict(
                self.system,
                f"purchase order {order.number} is {order.status.lower()}: only draft or "
                "pending-approval orders can be deleted; cancel it instead",
            )
        return DeleteResult(remote_id=remote_id, soft_deleted=False, record=order)

    # work orders

    def create_work_order(self, data: Mapping[str, Any]) -> WorkOrder:
        fields = Fields(self.system, data, WORK_ORDER_CREATE)
        title = fields.text("title", required=True) or ""
        asset = self._reference(fields, "asset_remote_id", Asset)
        location = self._reference(fields, "location_remote_id", Location)
        now = _now()
        order = WorkOrder(
            remote_id=_new_id("WO"),
            created_at=now,
            updated_at=now,
            custom_fields=fields.mapping("custom_fields") or {},
            number=str(50000 + uuid.uuid4().int % 50000),
            title=title,
            status=WO.REQUESTED,
            description=fields.text("description", max_length=4000),
            remote_status=WO_REMOTE_STATUS[WO.REQUESTED],
            priority=fields.choice("priority", WorkOrderPriority) or WorkOrderPriority.MEDIUM,
            type=fields.choice("type", WorkOrderType) or WorkOrderType.CORRECTIVE,
            asset_remote_id=asset.remote_id if asset else None,
            location_remote_id=location.remote_id
            if location
            else (asset.location_remote_id if asset else None),
            assignee=fields.text("assignee"),
            due_at=fields.moment("due_at"),
            scheduled_start_at=fields.moment("scheduled_start_at"),
        )
        return attach(order, work_order_payload)

    def update_work_order(self, remote_id: str, data: Mapping[str, Any]) -> WorkOrder:
        order = self._existing(WorkOrder, remote_id)
        fields = Fields(self.system, data, WORK_ORDER_UPDATE)
        if order.status in _WO_FINAL:
            raise Conflict(self.system, f"work order {order.number} is {order.status.lower()}")
        now = _now()
        changes: dict[str, Any] = {}
        if fields.given("title"):
            changes["title"] = fields.text("title", required=True)
        if fields.given("description"):
            changes["description"] = fields.text("description", max_length=4000)
        if fields.given("assignee"):
            changes["assignee"] = fields.text("assignee")
        if fields.given("priority"):
            changes["priority"] = fields.choice("priority", WorkOrderPriority)
        for key in ("due_at", "scheduled_start_at"):
            if fields.given(key):
                changes[key] = fields.moment(key)
        if fields.given("status"):
            status = fields.choice("status", WorkOrderStatus, required=True) or order.status
            changes.update(status=status, remote_status=WO_REMOTE_STATUS[status])
            if status in _WO_STARTED and order.started_at is None:
                changes["started_at"] = now
            if status in _WO_FINISHED and order.completed_at is None:
                changes["completed_at"] = now
        if fields.given("custom_fields"):
            changes["custom_fields"] = _merge(order.custom_fields, fields.mapping("custom_fields"))
        updated = replace(order, **changes, updated_at=now, remote_data={})
        return attach(updated, work_order_payload)

    def delete_work_order(self, remote_id: str) -> DeleteResult:
        order = self._existing(WorkOrder, remote_id)
        return DeleteResult(remote_id=remote_id, soft_deleted=False, record=order)

    # inventory items

    def create_inventory_item(self, data: Mapping[str, Any]) -> InventoryItem:
        fields = Fields(self.system, data, INVENTORY_ITEM_CREATE)
        name = fields.text("name", required=True) or ""
        number = fields.text("number", max_length=40) or f"NEW-{uuid.uuid4().hex[:8].upper()}"
        if self._number_taken(EntityType.INVENTORY_ITEM, number):
            raise Conflict(self.system, f"item number {number} is already used")
        now = _now()
        item = InventoryItem(
            remote_id=_new_id("ITM"),
            created_at=now,
            updated_at=now,
            number=number,
            name=name,
            description=fields.text("description", max_length=2000),
            type=fields.choice("type", InventoryItemType),
            unit_of_measure=fields.text("unit_of_measure", max_length=10) or "EA",
            unit_cost=fields.decimal("unit_cost"),
            currency=fields.currency("currency") or "USD",
        )
        return attach(item, inventory_item_payload)

    def update_inventory_item(self, remote_id: str, data: Mapping[str, Any]) -> InventoryItem:
        item = self._existing(InventoryItem, remote_id)
        fields = Fields(self.system, data, INVENTORY_ITEM_UPDATE)
        changes: dict[str, Any] = {}
        if fields.given("name"):
            changes["name"] = fields.text("name", required=True)
        if fields.given("description"):
            changes["description"] = fields.text("description", max_length=2000)
        if fields.given("unit_cost"):
            changes["unit_cost"] = fields.decimal("unit_cost")
        if fields.given("active"):
            active = fields.flag("active")
            if active is None:
                raise fields.reject("active", "must be true or false")
            changes["active"] = active
        updated = replace(item, **changes, updated_at=_now(), remote_data={})
        return attach(updated, inventory_item_payload)

    # dispatch, per entity

    def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record | None:
        creators: dict[EntityType, Callable[[Mapping[str, Any]], Record]] = {
            EntityType.PURCHASE_ORDER: self.create_purchase_order,
            EntityType.WORK_ORDER: self.create_work_order,
            EntityType.INVENTORY_ITEM: self.create_inventory_item,
        }
        create = creators.get(entity)
        return create(data) if create else None

    def update(self, entity: EntityType, remote_id: str, data: Mapping[str, Any]) -> Record | None:
        updaters: dict[EntityType, Callable[[str, Mapping[str, Any]], Record]] = {
            EntityType.PURCHASE_ORDER: self.update_purchase_order,
            EntityType.WORK_ORDER: self.update_work_order,
            EntityType.INVENTORY_ITEM: self.update_inventory_item,
        }
        update = updaters.get(entity)
        return update(remote_id, data) if update else None

    def delete(self, entity: EntityType, remote_id: str) -> DeleteResult | None:
        deleters: dict[EntityType, Callable[[str], DeleteResult]] = {
            EntityType.PURCHASE_ORDER: self.delete_purchase_order,
            EntityType.WORK_ORDER: self.delete_work_order,
        }
        delete = deleters.get(entity)
        return delete(remote_id) if delete else None


__all__ = [
    "INVENTORY_ITEM_CREATE",
    "INVENTORY_ITEM_RULES",
    "INVENTORY_ITEM_UPDATE",
    "PURCHASE_ORDER_CREATE",
    "PURCHASE_ORDER_RULES",
    "PURCHASE_ORDER_UPDATE",
    "WORK_ORDER_CREATE",
    "WORK_ORDER_RULES",
    "WORK_ORDER_UPDATE",
    "SandboxWriter",
]
