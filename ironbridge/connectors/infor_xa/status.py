"""Status tables of Infor XA codes to the unified statuses (codes as the emulator documents)."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from ironbridge.models import (
    InventoryItemType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ITEM_TYPE",
    "MO_STATUS",
    "PO_APPROVAL",
    "PO_ORDER_STATUS",
    "VENDOR_STATUS",
    "po_status",
]

# orderStatus: 0 open, 2 partially received, 3 received, 4 closed, 9 cancelled; an open
# order's state comes from approvalStatus (None here)
PO_ORDER_STATUS: Mapping[str, PurchaseOrderStatus | None] = MappingProxyType(
    {
        "0": None,
        "2": PurchaseOrderStatus.PARTIALLY_RECEIVED,
        "3": PurchaseOrderStatus.RECEIVED,
        "4": PurchaseOrderStatus.CLOSED,
        "9": PurchaseOrderStatus.CANCELLED,
    }
)
# approvalStatus: N not submitted, P pending, A approved, R rejected
PO_APPROVAL: Mapping[str, PurchaseOrderStatus] = MappingProxyType(
    {
        "N": PurchaseOrderStatus.DRAFT,
        "P": PurchaseOrderStatus.PENDING_APPROVAL,
        "A": PurchaseOrderStatus.APPROVED,
        "R": PurchaseOrderStatus.CANCELLED,
    }
)
MO_STATUS: Mapping[str, ProductionOrderStatus] = MappingProxyType(
    {
        "10": ProductionOrderStatus.PLANNED,
        "20": ProductionOrderStatus.RELEASED,
        "30": ProductionOrderStatus.IN_PROGRESS,
        "40": ProductionOrderStatus.COMPLETED,
        "90": ProductionOrderStatus.CLOSED,
        "99": ProductionOrderStatus.CANCELLED,
    }
)
VENDOR_STATUS: Mapping[str, VendorStatus] = MappingProxyType(
    {"A": VendorStatus.ACTIVE, "H": VendorStatus.BLOCKED, "D": VendorStatus.INACTIVE}
)
ITEM_TYPE: Mapping[str, InventoryItemType] = MappingProxyType(
    {
        "P": InventoryItemType.RAW_MATERIAL,
        "M": InventoryItemType.FINISHED_GOOD,
        "S": InventoryItemType.SPARE_PART,
        "C": InventoryItemType.CONSUMABLE,
        "V": InventoryItemType.SERVICE,
    }
)


def po_status(order_status: str | None, approval: str | None) -> PurchaseOrderStatus | None:
    """The unified status, or None for codes outside the tables."""
    if order_status not in PO_ORDER_STATUS:
        return None
    by_order = PO_ORDER_STATUS[order_status]  # type: ignore[index]
    if by_order is not None:
        return by_order
    return PO_APPROVAL.get(approval or "")
