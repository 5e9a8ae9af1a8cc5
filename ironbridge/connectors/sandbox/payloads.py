"""The raw payloads of the sandbox system: each record as its API would send it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.models import Record

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date
    from decimal import Decimal

    from ironbridge.models import (
        Address,
        Asset,
        InventoryItem,
        Location,
        ProductionOrder,
        PurchaseOrder,
        PurchaseOrderLine,
        StockLevel,
        Vendor,
        WorkOrder,
    )

# strings and numbers only, as a JSON API would send them
RawPayload = dict[str, Any]
R = TypeVar("R", bound=Record)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _label(value: str | None) -> str | None:
    """``SPARE_PART`` → ``Spare Part``: how the sandbox system spells its codes."""
    return None if value is None else value.replace("_", " ").title()


def _compact(payload: RawPayload) -> RawPayload:
    # written as dict literals and compacted once: cheaper than building key by key
    if None in payload.values():
        return {key: value for key, value in payload.items() if value is not None}
    return payload


def _finish(record: Record, payload: RawPayload) -> RawPayload:
    if record.custom_fields:
        payload["customFields"] = dict(record.custom_fields)
    payload["createdOn"] = _iso(record.created_at)
    payload["modifiedOn"] = _iso(record.updated_at)
    return _compact(payload)


def _address(address: Address | None) -> RawPayload:
    if address is None:
        return {}
    return {
        "street": address.line1,
        "street2": address.line2,
        "city": address.city,
        "region": address.region,
        "postalCode": address.postal_code,
        "country": address.country,
    }


def location_payload(record: Location) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "code": record.code,
        "name": record.name,
        "locationType": _label(record.type),
        "parentId": record.parent_remote_id,
        **_address(record.address),
    }
    return _finish(record, payload)


def vendor_payload(record: Vendor) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "vendorCode": record.code,
        "name": record.name,
        "email": record.email,
        "phone": record.phone,
        **_address(record.address),
        "currency": record.currency,
        "taxId": record.tax_id,
        "status": _label(record.status),
    }
    return _finish(record, payload)


def inventory_item_payload(record: InventoryItem) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "partNumber": record.number,
        "description": record.name,
        "longText": record.description,
        "itemType": _label(record.type),
        "uom": record.unit_of_measure,
        "standardCost": _dec(record.unit_cost),
        "currency": record.currency,
        "active": "Y" if record.active else "N",
    }
    return _finish(record, payload)


def stock_level_payload(record: StockLevel) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "itemId": record.item_remote_id,
        "locationId": record.location_remote_id,
        "onHand": _dec(record.quantity_on_hand),
        "available": _dec(record.quantity_available),
        "reserved": _dec(record.quantity_reserved),
        "onOrder": _dec(record.quantity_on_order),
        "reorderPoint": _dec(record.reorder_point),
        "uom": record.unit_of_measure,
    }
    return _finish(record, payload)


def asset_payload(record: Asset) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "assetTag": record.tag,
        "name": record.name,
        "description": record.description,
        "serialNo": record.serial_number,
        "manufacturer": record.manufacturer,
        "model": record.model,
        "status": _label(record.status),
        "criticality": record.criticality,
        "locationId": record.location_remote_id,
        "parentId": record.parent_remote_id,
        "installDate": _iso(record.installed_at),
    }
    return _finish(record, payload)


def _line_payload(line: PurchaseOrderLine) -> RawPayload:
    payload = {
        "lineNo": line.line_number,
        "itemId": line.item_remote_id,
        "description": line.description,
        "qty": str(line.quantity),
        "qtyReceived": _dec(line.quantity_received),
        "uom": line.unit_of_measure,
        "unitPrice": _dec(line.unit_price),
        "amount": _dec(line.amount),
        "deliveryDate": _iso(line.expected_delivery_date),
    }
    return _compact(payload)


def purchase_order_payload(record: PurchaseOrder) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "documentNumber": record.number,
        "status": record.remote_status,
        "supplierId": record.vendor_remote_id,
        "orderDate": _iso(record.order_date),
        "deliveryDate": _iso(record.expected_delivery_date),
        "currency": record.currency,
        "total": _dec(record.total_amount),
        "memo": record.description,
        "shipToId": record.ship_to_remote_id,
        "lines": [_line_payload(line) for line in record.lines],
    }
    return _finish(record, payload)


def work_order_payload(record: WorkOrder) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "woNumber": record.number,
        "title": record.title,
        "description": record.description,
        "status": record.remote_status,
        "priority": _label(record.priority),
        "woType": _label(record.type),
        "assetId": record.asset_remote_id,
        "locationId": record.location_remote_id,
        "assignedTo": record.assignee,
        "dueDate": _iso(record.due_at),
        "scheduledStart": _iso(record.scheduled_start_at),
        "actualStart": _iso(record.started_at),
        "actualFinish": _iso(record.completed_at),
        "estimatedHours": _dec(record.estimated_hours),
        "actualHours": _dec(record.actual_hours),
    }
    return _finish(record, payload)


def production_order_payload(record: ProductionOrder) -> RawPayload:
    payload = {
        "id": record.remote_id,
        "orderNumber": record.number,
        "itemId": record.item_remote_id,
        "plannedQty": _dec(record.quantity_planned),
        "completedQty": _dec(record.quantity_completed),
        "uom": record.unit_of_measure,
        "status": record.remote_status,
        "plannedStart": _iso(record.planned_start_at),
        "plannedFinish": _iso(record.planned_end_at),
        "actualStart": _iso(record.actual_start_at),
        "actualFinish": _iso(record.actual_end_at),
        "workCenterId": record.location_remote_id,
    }
    return _finish(record, payload)


def attach(record: R, build: Callable[[R], RawPayload]) -> R:
    """The record with its raw payload attached.

    A record built with an empty ``remote_data`` dict gets it filled in place, so that the
    (frozen) record is not built twice: that matters for large datasets.
    """
    payload = record.remote_data
    if isinstance(payload, dict) and not payload:
        payload.update(build(record))
        return record
    return replace(record, remote_data=build(record))


__all__ = [
    "RawPayload",
    "asset_payload",
    "attach",
    "inventory_item_payload",
    "location_payload",
    "production_order_payload",
    "purchase_order_payload",
    "stock_level_payload",
    "vendor_payload",
    "work_order_payload",
]
