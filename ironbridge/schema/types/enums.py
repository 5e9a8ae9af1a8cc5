"""The model's enums, exposed to GraphQL under their own names."""

from __future__ import annotations

from enum import Enum

import strawberry

from ironbridge.models import (
    AssetStatus,
    AuthMethod,
    ChangeKind,
    ConnectionStatus,
    EntityType,
    InventoryItemType,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    SyncMode,
    SyncState,
    SyncTrigger,
    SystemCategory,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

strawberry.enum(AssetStatus)
strawberry.enum(AuthMethod)
strawberry.enum(ChangeKind)
strawberry.enum(ConnectionStatus)
strawberry.enum(EntityType)
strawberry.enum(InventoryItemType)
strawberry.enum(LocationType)
strawberry.enum(ProductionOrderStatus)
strawberry.enum(PurchaseOrderStatus)
strawberry.enum(SyncMode)
strawberry.enum(SyncState)
strawberry.enum(SyncTrigger)
strawberry.enum(SystemCategory)
strawberry.enum(VendorStatus)
strawberry.enum(WorkOrderPriority)
strawberry.enum(WorkOrderStatus)
strawberry.enum(WorkOrderType)


@strawberry.enum
class RecordOrderField(Enum):
    UPDATED_AT = "UPDATED_AT"
    CREATED_AT = "CREATED_AT"
    NUMBER = "NUMBER"
    NAME = "NAME"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


__all__ = [
    "AssetStatus",
    "AuthMethod",
    "ChangeKind",
    "ConnectionStatus",
    "EntityType",
    "InventoryItemType",
    "LocationType",
    "OrderDirection",
    "ProductionOrderStatus",
    "PurchaseOrderStatus",
    "RecordOrderField",
    "SyncMode",
    "SyncState",
    "SyncTrigger",
    "SystemCategory",
    "VendorStatus",
    "WorkOrderPriority",
    "WorkOrderStatus",
    "WorkOrderType",
]
