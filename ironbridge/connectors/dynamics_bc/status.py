"""Business Central's statuses and codes, and what they mean in the unified model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.models import (
    InventoryItemType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from decimal import Decimal

__all__ = [
    "ITEM_TYPES",
    "PO_STATUS",
    "PRODUCTION_STATUS",
    "VENDOR_BLOCKED",
    "purchase_order_status",
]

# purchaseOrder.status (the API's enum: Draft is the document status Open, Open is Released)
PO_STATUS: Mapping[str, PurchaseOrderStatus] = {
    "Draft": PurchaseOrderStatus.DRAFT,
    "In Review": PurchaseOrderStatus.PENDING_APPROVAL,
    "Open": PurchaseOrderStatus.APPROVED,
}
# vendor.blocked: " " (not blocked), Payment, All
VENDOR_BLOCKED: Mapping[str, VendorStatus] = {
    "": VendorStatus.ACTIVE,
    " ": VendorStatus.ACTIVE,
    "Payment": VendorStatus.BLOCKED,
    "All": VendorStatus.BLOCKED,
}
ITEM_TYPES: Mapping[str, InventoryItemType] = {
    "Inventory": InventoryItemType.FINISHED_GOOD,
    "Service": InventoryItemType.SERVICE,
    "Non-Inventory": InventoryItemType.CONSUMABLE,
}
# manufacturingProductionOrder.status (enum Production Order Status)
PRODUCTION_STATUS: Mapping[str, ProductionOrderStatus] = {
    "Simulated": ProductionOrderStatus.PLANNED,
    "Planned": ProductionOrderStatus.PLANNED,
    "Firm Planned": ProductionOrderStatus.PLANNED,
    "Released": ProductionOrderStatus.RELEASED,
    "Finished": ProductionOrderStatus.COMPLETED,
}


def purchase_order_status(
    status: Any, fully_received: Any, received: Sequence[Decimal]
) -> PurchaseOrderStatus:
    """From the header status, ``fullyReceived`` and the lines' received quantities; a
    ``KeyError`` for a status this table does not know."""
    if fully_received is True:
        return PurchaseOrderStatus.RECEIVED
    unified = PO_STATUS[str(status)]
    if unified is PurchaseOrderStatus.APPROVED and any(q > 0 for q in received):
        return PurchaseOrderStatus.PARTIALLY_RECEIVED
    return unified
