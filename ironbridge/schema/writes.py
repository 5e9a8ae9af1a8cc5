"""The data mutations: purchase orders, work orders and inventory items, written through the
connection's system and then stored."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from ironbridge.errors import bad_input
from ironbridge.models import EntityType
from ironbridge.schema.context import Context
from ironbridge.schema.mutation import target_connection_id
from ironbridge.schema.types.enums import (
    InventoryItemType,
    PurchaseOrderStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)
from ironbridge.schema.types.records import InventoryItem, PurchaseOrder, WorkOrder
from ironbridge.schema.webhooks import DeletePayload
from ironbridge.store import records as record_store
from ironbridge.writes import service
from ironbridge.writes.service import Ref

Info = strawberry.Info
UNSET: Any = strawberry.UNSET

# input field -> (unified name, entity referenced by global id)
_REFS = {
    "vendor_id": ("vendor_remote_id", EntityType.VENDOR),
    "ship_to_id": ("ship_to_remote_id", EntityType.LOCATION),
    "item_id": ("item_remote_id", EntityType.INVENTORY_ITEM),
    "asset_id": ("asset_remote_id", EntityType.ASSET),
    "location_id": ("location_remote_id", EntityType.LOCATION),
}


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_value(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return _fields(value, "")
    return value


def _fields(data: Any, where: str, *, drop_none: bool = False) -> dict[str, Any]:
    """The given fields of an input object, by unified name; global ids become ``Ref``."""
    for name, (unified, _) in _REFS.items():
        given = getattr(data, name, UNSET) not in (UNSET, None)
        if given and getattr(data, unified, UNSET) not in (UNSET, None):
            raise_both(where, name, unified)
    out: dict[str, Any] = {}
    for name, value in vars(data).items():
        if value is UNSET or (drop_none and value is None):
            continue
        if name in _REFS:
            unified, entity = _REFS[name]
            if value is None:
                continue
            out[unified] = Ref(entity, str(value), where + service.camel(name))
            continue
        if name == "lines" and isinstance(value, list):
            out[name] = [
                _fields(line, f"{where}lines[{n}].", drop_none=True) for n, line in enumerate(value)
            ]
            continue
        out[name] = _value(value)
    return out


def raise_both(where: str, name: str, unified: str) -> None:
    head, *rest = unified.split("_")
    remote = head + "".join(part.capitalize() for part in rest)
    field = where + service.camel(name)
    raise bad_input(f"Give {field} or {where}{remote}, not both.", field=field)


@strawberry.input
class PurchaseOrderLineInput:
    item_id: strawberry.ID | None = UNSET
    item_remote_id: str | None = UNSET
    line_number: str | None = strawberry.field(
        default=UNSET, description="On an update: the line to change (omitted: a new line)."
    )
    description: str | None = UNSET
    quantity: Decimal
    unit_price: Decimal | None = UNSET
    unit_of_measure: str | None = UNSET
    expected_delivery_date: date | None = UNSET


@strawberry.input
class PurchaseOrderCreateInput:
    number: str | None = UNSET
    vendor_id: strawberry.ID | None = UNSET
    vendor_remote_id: str | None = UNSET
    order_date: date | None = UNSET
    expected_delivery_date: date | None = UNSET
    currency: str | None = UNSET
    description: str | None = UNSET
    ship_to_id: strawberry.ID | None = UNSET
    ship_to_remote_id: str | None = UNSET
    lines: list[PurchaseOrderLineInput]
    custom_fields: JSON | None = UNSET


@strawberry.input
class PurchaseOrderUpdateInput:
    expected_delivery_date: date | None = UNSET
    currency: str | None = UNSET
    description: str | None = UNSET
    status: PurchaseOrderStatus | None = UNSET
    lines: list[PurchaseOrderLineInput] | None = UNSET
    custom_fields: JSON | None = UNSET


@strawberry.input
class WorkOrderCreateInput:
    title: str
    description: str | None = UNSET
    priority: WorkOrderPriority | None = UNSET
    type: WorkOrderType | None = UNSET
    asset_id: strawberry.ID | None = UNSET
    asset_remote_id: str | None = UNSET
    location_id: strawberry.ID | None = UNSET
    location_remote_id: str | None = UNSET
    assignee: str | None = UNSET
    due_at: datetime | None = UNSET
    scheduled_start_at: datetime | None = UNSET
    custom_fields: JSON | None = UNSET


@strawberry.input
class WorkOrderUpdateInput:
    title: str | None = UNSET
    description: str | None = UNSET
    status: WorkOrderStatus | None = UNSET
    priority: WorkOrderPriority | None = UNSET
    assignee: str | None = UNSET
    due_at: datetime | None = UNSET
    scheduled_start_at: datetime | None = UNSET
    custom_fields: JSON | None = UNSET


@strawberry.input
class InventoryItemCreateInput:
    number: str | None = UNSET
    name: str
    description: str | None = UNSET
    type: InventoryItemType | None = UNSET
    unit_of_measure: str | None = UNSET
    unit_cost: Decimal | None = UNSET
    currency: str | None = UNSET


@strawberry.input
class InventoryItemUpdateInput:
    name: str | None = UNSET
    description: str | None = UNSET
    unit_cost: Decimal | None = UNSET
    active: bool | None = UNSET


@strawberry.type
class PurchaseOrderPayload:
    purchase_order: PurchaseOrder | None
    validate_only: bool
    warnings: list[str]


@strawberry.type
class WorkOrderPayload:
    work_order: WorkOrder | None
    validate_only: bool
    warnings: list[str]


@strawberry.type
class InventoryItemPayload:
    inventory_item: InventoryItem | None
    validate_only: bool
    warnings: list[str]


async def _row(info: Info[Context, Any], entity: EntityType, pk: int | None) -> Any:
    if pk is None:
        return None
    async with info.context.services.engine.connect() as conn:
        return (await record_store.get_by_ids(conn, entity, [pk])).get(pk)


async def _create(
    info: Info[Context, Any],
    entity: EntityType,
    connection_id: strawberry.ID | None,
    data: Any,
    key: str | None,
    validate_only: bool,
) -> tuple[Any, service.Written]:
    pk = target_connection_id(info, connection_id)
    written = await service.create(
        info.context.services,
        pk,
        entity,
        _fields(data, "input.", drop_none=True),
        idempotency_key=key,
        validate_only=validate_only,
    )
    return await _row(info, entity, written.pk), written


async def _update(
    info: Info[Context, Any],
    entity: EntityType,
    connection_id: strawberry.ID | None,
    record_id: strawberry.ID,
    data: Any,
    key: str | None,
    validate_only: bool,
) -> tuple[Any, service.Written]:
    pk = target_connection_id(info, connection_id)
    written = await service.update(
        info.context.services,
        pk,
        entity,
        str(record_id),
        _fields(data, "input."),
        idempotency_key=key,
        validate_only=validate_only,
    )
    row = None if written.validate_only else await _row(info, entity, written.pk)
    return row, written


async def _delete(
    info: Info[Context, Any],
    entity: EntityType,
    connection_id: strawberry.ID | None,
    record_id: strawberry.ID,
) -> DeletePayload:
    pk = target_connection_id(info, connection_id)
    done = await service.delete(info.context.services, pk, entity, str(record_id))
    return DeletePayload(
        id=strawberry.ID(done.id), deleted=done.deleted, soft_deleted=done.soft_deleted
    )


@strawberry.type
class WriteMutation:
    @strawberry.mutation(description="Create a purchase order in the connected system.")
    async def create_purchase_order(
        self,
        info: Info[Context, Any],
        input: PurchaseOrderCreateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> PurchaseOrderPayload:
        row, w = await _create(
            info, EntityType.PURCHASE_ORDER, connection_id, input, idempotency_key, validate_only
        )
        return PurchaseOrderPayload(
            purchase_order=PurchaseOrder.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(description="Change a purchase order in the connected system.")
    async def update_purchase_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        input: PurchaseOrderUpdateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> PurchaseOrderPayload:
        row, w = await _update(
            info,
            EntityType.PURCHASE_ORDER,
            connection_id,
            id,
            input,
            idempotency_key,
            validate_only,
        )
        return PurchaseOrderPayload(
            purchase_order=PurchaseOrder.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(description="Delete (or, where the system does, cancel) a purchase order.")
    async def delete_purchase_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        connection_id: strawberry.ID | None = None,
    ) -> DeletePayload:
        return await _delete(info, EntityType.PURCHASE_ORDER, connection_id, id)

    @strawberry.mutation(description="Create a work order in the connected system.")
    async def create_work_order(
        self,
        info: Info[Context, Any],
        input: WorkOrderCreateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> WorkOrderPayload:
        row, w = await _create(
            info, EntityType.WORK_ORDER, connection_id, input, idempotency_key, validate_only
        )
        return WorkOrderPayload(
            work_order=WorkOrder.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(description="Change a work order in the connected system.")
    async def update_work_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        input: WorkOrderUpdateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> WorkOrderPayload:
        row, w = await _update(
            info, EntityType.WORK_ORDER, connection_id, id, input, idempotency_key, validate_only
        )
        return WorkOrderPayload(
            work_order=WorkOrder.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(description="Delete (or, where the system does, cancel) a work order.")
    async def delete_work_order(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        connection_id: strawberry.ID | None = None,
    ) -> DeletePayload:
        return await _delete(info, EntityType.WORK_ORDER, connection_id, id)

    @strawberry.mutation(description="Create an inventory item in the connected system.")
    async def create_inventory_item(
        self,
        info: Info[Context, Any],
        input: InventoryItemCreateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> InventoryItemPayload:
        row, w = await _create(
            info, EntityType.INVENTORY_ITEM, connection_id, input, idempotency_key, validate_only
        )
        return InventoryItemPayload(
            inventory_item=InventoryItem.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(description="Change an inventory item in the connected system.")
    async def update_inventory_item(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        input: InventoryItemUpdateInput,
        connection_id: strawberry.ID | None = None,
        idempotency_key: str | None = None,
        validate_only: bool = False,
    ) -> InventoryItemPayload:
        row, w = await _update(
            info,
            EntityType.INVENTORY_ITEM,
            connection_id,
            id,
            input,
            idempotency_key,
            validate_only,
        )
        return InventoryItemPayload(
            inventory_item=InventoryItem.from_row(row) if row else None,
            validate_only=w.validate_only,
            warnings=w.warnings,
        )

    @strawberry.mutation(
        description="Delete an inventory item, where the system allows it (see capabilities)."
    )
    async def delete_inventory_item(
        self,
        info: Info[Context, Any],
        id: strawberry.ID,
        connection_id: strawberry.ID | None = None,
    ) -> DeletePayload:
        return await _delete(info, EntityType.INVENTORY_ITEM, connection_id, id)


__all__ = ["WriteMutation"]
