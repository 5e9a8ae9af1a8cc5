"""The enums of the unified model, with the names of the public API."""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    PURCHASE_ORDER = "PURCHASE_ORDER"
    WORK_ORDER = "WORK_ORDER"
    ASSET = "ASSET"
    INVENTORY_ITEM = "INVENTORY_ITEM"
    STOCK_LEVEL = "STOCK_LEVEL"
    VENDOR = "VENDOR"
    LOCATION = "LOCATION"
    PRODUCTION_ORDER = "PRODUCTION_ORDER"


class SystemCategory(StrEnum):
    ERP = "ERP"
    MES = "MES"
    CMMS = "CMMS"
    EAM = "EAM"
    WMS = "WMS"


class AuthMethod(StrEnum):
    BASIC = "BASIC"
    API_KEY = "API_KEY"
    OAUTH2_CLIENT_CREDENTIALS = "OAUTH2_CLIENT_CREDENTIALS"
    TOKEN_BASED = "TOKEN_BASED"
    SESSION = "SESSION"
    NONE = "NONE"


class ConnectionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    UNREACHABLE = "UNREACHABLE"
    REAUTH_REQUIRED = "REAUTH_REQUIRED"
    DISCONNECTED = "DISCONNECTED"


class SyncState(StrEnum):
    IDLE = "IDLE"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_WARNINGS = "COMPLETED_WITH_WARNINGS"
    FAILED = "FAILED"
    PAUSED = "PAUSED"


class SyncMode(StrEnum):
    INITIAL = "INITIAL"
    INCREMENTAL = "INCREMENTAL"
    FULL = "FULL"


class SyncTrigger(StrEnum):
    CONNECT = "CONNECT"
    SCHEDULE = "SCHEDULE"
    MANUAL = "MANUAL"
    RETRY = "RETRY"


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


class PurchaseOrderStatus(StrEnum):
    DRAFT = "DRAFT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class WorkOrderStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    ON_HOLD = "ON_HOLD"
    COMPLETED = "COMPLETED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class WorkOrderPriority(StrEnum):
    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class WorkOrderType(StrEnum):
    CORRECTIVE = "CORRECTIVE"
    PREVENTIVE = "PREVENTIVE"
    PREDICTIVE = "PREDICTIVE"
    INSPECTION = "INSPECTION"
    EMERGENCY = "EMERGENCY"
    OTHER = "OTHER"


class AssetStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DECOMMISSIONED = "DECOMMISSIONED"


class InventoryItemType(StrEnum):
    RAW_MATERIAL = "RAW_MATERIAL"
    FINISHED_GOOD = "FINISHED_GOOD"
    SPARE_PART = "SPARE_PART"
    CONSUMABLE = "CONSUMABLE"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class VendorStatus(StrEnum):
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    INACTIVE = "INACTIVE"


class LocationType(StrEnum):
    SITE = "SITE"
    PLANT = "PLANT"
    WAREHOUSE = "WAREHOUSE"
    STOREROOM = "STOREROOM"
    AREA = "AREA"
    OTHER = "OTHER"


class ProductionOrderStatus(StrEnum):
    PLANNED = "PLANNED"
    RELEASED = "RELEASED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
