"""Maximo's internal values and codes and the unified values they mean; keyed by internal
value, so that a customer's synonym (``WAITPARTS`` meaning ``WMATL``) maps like its value."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from ironbridge.models import (
    AssetStatus,
    InventoryItemType,
    LocationType,
    PurchaseOrderStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ASSET_STATUS",
    "ITEM_ACTIVE",
    "ITEM_TYPE",
    "ITEM_TYPE_OUT",
    "LOCATION_TYPE",
    "PO_STATUS",
    "PO_STATUS_BY_RECEIPTS",
    "WO_PRIORITY",
    "WO_PRIORITY_OUT",
    "WO_STATUS",
    "WO_STATUS_OUT",
    "WO_TYPE",
    "WO_TYPE_OUT",
]

WO = WorkOrderStatus
PO = PurchaseOrderStatus


# WOSTATUS internal value -> unified status
WO_STATUS: Mapping[str, WorkOrderStatus] = MappingProxyType(
    {
        "WAPPR": WO.REQUESTED,
        "APPR": WO.APPROVED,
        "WSCH": WO.SCHEDULED,
        "WMATL": WO.ON_HOLD,
        "WPCOND": WO.ON_HOLD,
        "INPRG": WO.IN_PROGRESS,
        "COMP": WO.COMPLETED,
        "CLOSE": WO.CLOSED,
        "HISTEDIT": WO.CLOSED,
        "CAN": WO.CANCELLED,
    }
)
# unified status -> the internal value a write sets (Maximo applies the default synonym)
WO_STATUS_OUT: Mapping[WorkOrderStatus, str] = MappingProxyType(
    {
        WO.REQUESTED: "WAPPR",
        WO.APPROVED: "APPR",
        WO.SCHEDULED: "WSCH",
        WO.ON_HOLD: "WMATL",
        WO.IN_PROGRESS: "INPRG",
        WO.COMPLETED: "COMP",
        WO.CLOSED: "CLOSE",
        WO.CANCELLED: "CAN",
    }
)
# POSTATUS internal value -> unified status (APPR is refined by the receipts status)
PO_STATUS: Mapping[str, PurchaseOrderStatus] = MappingProxyType(
    {
        "WAPPR": PO.PENDING_APPROVAL,
        "HOLD": PO.PENDING_APPROVAL,
        "INPRG": PO.DRAFT,
        "PNDREV": PO.DRAFT,
        "APPR": PO.APPROVED,
        "CLOSE": PO.CLOSED,
        "REVISE": PO.CLOSED,
        "CAN": PO.CANCELLED,
    }
)
# PO.RECEIPTS of an approved purchase order -> unified status
PO_STATUS_BY_RECEIPTS: Mapping[str, PurchaseOrderStatus] = MappingProxyType(
    {"NONE": PO.APPROVED, "PARTIAL": PO.PARTIALLY_RECEIVED, "COMPLETE": PO.RECEIVED}
)
# LOCASSETSTATUS internal value -> unified asset status
ASSET_STATUS: Mapping[str, AssetStatus] = MappingProxyType(
    {
        "OPERATING": AssetStatus.ACTIVE,
        "ACTIVE": AssetStatus.ACTIVE,
        "LIMITEDUSE": AssetStatus.ACTIVE,
        "NOT READY": AssetStatus.INACTIVE,
        "BROKEN": AssetStatus.INACTIVE,
        "SEALED": AssetStatus.INACTIVE,
        "IMPORTED": AssetStatus.INACTIVE,
        "DECOMMISSIONED": AssetStatus.DECOMMISSIONED,
    }
)
# ITEMSTATUS internal value -> whether the item can be used
ITEM_ACTIVE: Mapping[str, bool] = MappingProxyType(
    {"ACTIVE": True, "PENDOBS": True, "OBSOLETE": False, "PLANNING": False}
)
ITEM_TYPE: Mapping[str, InventoryItemType] = MappingProxyType(
    {
        "ITEM": InventoryItemType.SPARE_PART,
        "TOOL": InventoryItemType.OTHER,
        "STDSERVICE": InventoryItemType.SERVICE,
    }
)
ITEM_TYPE_OUT: Mapping[InventoryItemType, str] = MappingProxyType(
    {
        InventoryItemType.SPARE_PART: "ITEM",
        InventoryItemType.OTHER: "TOOL",
        InventoryItemType.SERVICE: "STDSERVICE",
    }
)
# WORKTYPE (an organization's own list; these are the usual ones) -> unified type
WO_TYPE: Mapping[str, WorkOrderType] = MappingProxyType(
    {
        "CM": WorkOrderType.CORRECTIVE,
        "PM": WorkOrderType.PREVENTIVE,
        "PDM": WorkOrderType.PREDICTIVE,
        "CBM": WorkOrderType.PREDICTIVE,
        "INSP": WorkOrderType.INSPECTION,
        "EM": WorkOrderType.EMERGENCY,
    }
)
WO_TYPE_OUT: Mapping[WorkOrderType, str] = MappingProxyType(
    {
        WorkOrderType.CORRECTIVE: "CM",
        WorkOrderType.PREVENTIVE: "PM",
        WorkOrderType.PREDICTIVE: "PDM",
        WorkOrderType.INSPECTION: "INSP",
        WorkOrderType.EMERGENCY: "EM",
    }
)
# WOPRIORITY 1 (highest) .. 5; connections may override this with the "priorities" option
WO_PRIORITY: Mapping[int, WorkOrderPriority] = MappingProxyType(
    {
        1: WorkOrderPriority.URGENT,
        2: WorkOrderPriority.HIGH,
        3: WorkOrderPriority.MEDIUM,
        4: WorkOrderPriority.LOW,
        5: WorkOrderPriority.LOW,
    }
)
WO_PRIORITY_OUT: Mapping[WorkOrderPriority, int | None] = MappingProxyType(
    {
        WorkOrderPriority.URGENT: 1,
        WorkOrderPriority.HIGH: 2,
        WorkOrderPriority.MEDIUM: 3,
        WorkOrderPriority.LOW: 4,
        WorkOrderPriority.NONE: None,
    }
)
LOCATION_TYPE: Mapping[str, LocationType] = MappingProxyType(
    {"OPERATING": LocationType.AREA, "STOREROOM": LocationType.STOREROOM}
)
