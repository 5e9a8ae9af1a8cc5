"""Between the unified model and table rows: one place that knows both shapes."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import TYPE_CHECKING, Any

from ironbridge.models import Address, PurchaseOrder, Record

if TYPE_CHECKING:
    from datetime import datetime

    from ironbridge.models import PurchaseOrderLine

# fields of Record that map to differently named columns
_RENAMED = {"created_at": "remote_created_at", "updated_at": "remote_updated_at"}
_SKIPPED = {"entity_type", "lines", "address"}
ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def record_to_row(record: Record, *, synced_at: datetime) -> dict[str, Any]:
    """The column values of ``record`` (without ``id`` and ``connection_id``)."""
    row: dict[str, Any] = {}
    for f in fields(record):
        if f.name in _SKIPPED:
            continue
        row[_RENAMED.get(f.name, f.name)] = _plain(getattr(record, f.name))
    row["custom_fields"] = dict(record.custom_fields)
    row["remote_data"] = None if record.remote_data is None else dict(record.remote_data)
    if hasattr(record, "address"):
        address: Address | None = record.address
        for name in ADDRESS_FIELDS:
            row[f"address_{name}"] = getattr(address, name) if address else None
    row["synced_at"] = synced_at
    row["changed_at"] = record.updated_at or synced_at
    row["deleted_at"] = None
    return row


def line_rows(order: PurchaseOrder) -> list[dict[str, Any]]:
    return [_line_row(position, line) for position, line in enumerate(order.lines)]


def _line_row(position: int, line: PurchaseOrderLine) -> dict[str, Any]:
    row = {f.name: getattr(line, f.name) for f in fields(line)}
    row["position"] = position
    return row


def address_from_row(row: Any) -> Address | None:
    values = {name: getattr(row, f"address_{name}") for name in ADDRESS_FIELDS}
    if not any(values.values()):
        return None
    return Address(**values)


__all__ = ["ADDRESS_FIELDS", "address_from_row", "line_rows", "record_to_row"]
