"""Global object ids: opaque, stable, and carrying the type they name."""

from __future__ import annotations

import base64
import binascii

from ironbridge.errors import bad_input

# GraphQL type name of every node kind
NODE_TYPES = frozenset(
    {
        "Connection",
        "SyncRun",
        "PurchaseOrder",
        "WorkOrder",
        "Asset",
        "InventoryItem",
        "StockLevel",
        "Vendor",
        "Location",
        "ProductionOrder",
        "WebhookEndpoint",
    }
)


def to_global_id(type_name: str, pk: int) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_global_id(global_id: str, *, field: str = "id") -> tuple[str, int]:
    """``(type name, primary key)`` of a global id; ``BAD_USER_INPUT`` if it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if type_name not in NODE_TYPES or not pk.isdigit():
            raise ValueError(global_id)
        return type_name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad_input(f"'{global_id}' is not a valid id.", field=field) from exc


def expect_global_id(global_id: str, type_name: str, *, field: str = "id") -> int:
    """The primary key of ``global_id``, which must name a ``type_name``."""
    actual, pk = from_global_id(global_id, field=field)
    if actual != type_name:
        raise bad_input(
            f"'{global_id}' is the id of a {actual}, not of a {type_name}.", field=field
        )
    return pk


__all__ = ["NODE_TYPES", "expect_global_id", "from_global_id", "to_global_id"]
