"""SAP statuses and codes to the unified enums, one table per concept (sources and the rows
marked [I], inferred, are listed in ``docs/connectors/sap-s4hana.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.sap.values import flag
from ironbridge.models import (
    InventoryItemType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "MAINTENANCE_ORDER_TYPES",
    "MAINTENANCE_PHASES",
    "MAINTENANCE_PRIORITIES",
    "PO_PROCESSING_STATUSES",
    "PO_STATUS_RULES",
    "PRODUCTION_ORDER_FLAGS",
    "PRODUCT_TYPES",
    "SUPPLIER_FLAGS",
    "PoFacts",
    "production_order_status",
    "purchase_order_status",
    "vendor_status",
    "work_order_status",
]

PO = PurchaseOrderStatus

# PurchasingProcessingStatus (EKKO-PROCSTAT) values the connector knows; another is a mapping error
PO_PROCESSING_STATUSES: Mapping[str, str] = {
    "01": "In Process",  # [I]
    "02": "Active",
    "03": "In Release",
    "04": "Partially Released",  # [I]
    "05": "Release Completed",
    "08": "Rejected",
}


@dataclass(frozen=True, slots=True)
class PoFacts:
    """What the purchase order status depends on, read from the header and its items."""

    processing_status: str
    deletion_code: str  # PurchasingDocumentDeletionCode: "" none, "L" deleted, "S" blocked
    held: bool  # PurchasingCompletenessStatus: parked, incomplete
    release_pending: bool  # ReleaseIsNotCompleted
    items: int  # items that are not deleted
    delivered: int  # of those, IsCompletelyDelivered
    invoiced: int  # of those, IsCompletelyDelivered and IsFinallyInvoiced


# (condition, unified status), checked in order
PO_STATUS_RULES: tuple[tuple[str, Callable[[PoFacts], bool], PurchaseOrderStatus], ...] = (
    ("deletion code L", lambda f: f.deletion_code == "L", PO.CANCELLED),
    ("processing status 08 (rejected)", lambda f: f.processing_status == "08", PO.CANCELLED),
    (
        "held (PurchasingCompletenessStatus) or processing status 01",
        lambda f: f.held or f.processing_status == "01",
        PO.DRAFT,
    ),
    (
        "processing status 03/04 or ReleaseIsNotCompleted",
        lambda f: f.release_pending or f.processing_status in ("03", "04"),
        PO.PENDING_APPROVAL,
    ),
    (
        "every item delivered and finally invoiced",
        lambda f: f.items > 0 and f.invoiced == f.items,
        PO.CLOSED,
    ),
    ("every item delivered", lambda f: f.items > 0 and f.delivered == f.items, PO.RECEIVED),
    ("some items delivered", lambda f: f.delivered > 0, PO.PARTIALLY_RECEIVED),
    (
        "processing status 02 or 05",
        lambda f: f.processing_status in ("02", "05"),
        PO.APPROVED,
    ),
)


def purchase_order_status(facts: PoFacts) -> tuple[PurchaseOrderStatus, str]:
    """The unified status, and the remote status: the processing status code plus the deletion
    code when there is one (``"05"``, ``"05 L"``)."""
    if facts.processing_status not in PO_PROCESSING_STATUSES:
        raise ValueError(f"PurchasingProcessingStatus: unknown value {facts.processing_status!r}")
    remote = " ".join(filter(None, (facts.processing_status, facts.deletion_code)))
    status = next(status for _text, applies, status in PO_STATUS_RULES if applies(facts))
    return status, remote


PS = ProductionOrderStatus
# (flag property, SAP system status, unified status or None: shown, does not decide), in the
# order SAP lists system statuses; the status is decided by PRODUCTION_ORDER_PRECEDENCE
PRODUCTION_ORDER_FLAGS: tuple[tuple[str, str, ProductionOrderStatus | None], ...] = (
    ("OrderIsCreated", "CRTD", PS.PLANNED),
    ("OrderIsPartiallyReleased", "PREL", PS.RELEASED),
    ("OrderIsReleased", "REL", PS.RELEASED),
    ("OrderIsPartiallyConfirmed", "PCNF", PS.IN_PROGRESS),
    ("OrderIsConfirmed", "CNF", PS.IN_PROGRESS),
    ("OrderIsPartiallyDelivered", "PDLV", PS.IN_PROGRESS),
    ("OrderIsDelivered", "DLV", PS.COMPLETED),
    ("OrderIsTechnicallyCompleted", "TECO", PS.COMPLETED),
    ("OrderIsClosed", "CLSD", PS.CLOSED),
    ("OrderIsLocked", "LKD", None),
    ("OrderIsMarkedForDeletion", "DLFL", PS.CANCELLED),
    ("OrderIsDeleted", "DLT", PS.CANCELLED),
)
# the furthest status wins: a released, partially confirmed order is in progress
_PRODUCTION_PRECEDENCE = (
    PS.CANCELLED,
    PS.CLOSED,
    PS.COMPLETED,
    PS.IN_PROGRESS,
    PS.RELEASED,
    PS.PLANNED,
)


def production_order_status(raw: Mapping[str, Any]) -> tuple[ProductionOrderStatus, str]:
    """The unified status from the ``X``/blank flags, and SAP's system statuses as text
    (``"CRTD REL PCNF"``). No flag at all: PLANNED."""
    active = [
        (code, status) for name, code, status in PRODUCTION_ORDER_FLAGS if flag(raw.get(name))
    ]
    reached = {status for _code, status in active if status is not None}
    status = next((s for s in _PRODUCTION_PRECEDENCE if s in reached), PS.PLANNED)
    return status, " ".join(code for code, _status in active)


WS = WorkOrderStatus
# MaintenanceProcessingPhase [I]
MAINTENANCE_PHASES: Mapping[str, WorkOrderStatus] = {
    "0": WS.REQUESTED,  # outstanding: created, being planned
    "1": WS.SCHEDULED,  # released for execution
    "2": WS.COMPLETED,  # technically completed
    "3": WS.CLOSED,  # business completed
}


def work_order_status(phase: Any) -> WorkOrderStatus:
    status = MAINTENANCE_PHASES.get(phase) if isinstance(phase, str) else None
    if status is None:
        raise ValueError(f"MaintenanceProcessingPhase: unknown value {phase!r}")
    return status


# MaintPriority: SAP's standard priority type PM
MAINTENANCE_PRIORITIES: Mapping[str, WorkOrderPriority] = {
    "1": WorkOrderPriority.URGENT,  # very high
    "2": WorkOrderPriority.HIGH,
    "3": WorkOrderPriority.MEDIUM,
    "4": WorkOrderPriority.LOW,
}

# MaintenanceOrderType: SAP's standard order types; others map to OTHER
MAINTENANCE_ORDER_TYPES: Mapping[str, WorkOrderType] = {
    "PM01": WorkOrderType.CORRECTIVE,  # maintenance order
    "PM02": WorkOrderType.PREVENTIVE,  # preventive maintenance order
    "PM03": WorkOrderType.OTHER,  # refurbishment order [I]
}

# (flag property, unified status), checked in order; none set: ACTIVE
SUPPLIER_FLAGS: tuple[tuple[str, VendorStatus], ...] = (
    ("DeletionIndicator", VendorStatus.INACTIVE),
    ("PurchasingIsBlocked", VendorStatus.BLOCKED),
    ("PostingIsBlocked", VendorStatus.BLOCKED),
)


def vendor_status(raw: Mapping[str, Any]) -> VendorStatus:
    return next(
        (status for name, status in SUPPLIER_FLAGS if flag(raw.get(name))), VendorStatus.ACTIVE
    )


# ProductType (material type): SAP's standard types; others map to OTHER
PRODUCT_TYPES: Mapping[str, InventoryItemType] = {
    "ROH": InventoryItemType.RAW_MATERIAL,
    "FERT": InventoryItemType.FINISHED_GOOD,
    "HALB": InventoryItemType.OTHER,  # semi-finished
    "HAWA": InventoryItemType.OTHER,  # trading goods
    "ERSA": InventoryItemType.SPARE_PART,
    "HIBE": InventoryItemType.CONSUMABLE,  # operating supplies
    "NLAG": InventoryItemType.CONSUMABLE,  # non-stock material
    "VERP": InventoryItemType.CONSUMABLE,  # packaging
    "DIEN": InventoryItemType.SERVICE,
    "SERV": InventoryItemType.SERVICE,
}
