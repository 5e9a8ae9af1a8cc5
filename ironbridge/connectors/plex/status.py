"""Plex statuses in the unified model. Purchase order statuses are the tenant's own names, so
they map by the flags the tenant set on them (``purchase-order-statuses``), never by name."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ironbridge.models import (
    InventoryItemType,
    LocationType,
    ProductionOrderStatus,
    PurchaseOrderStatus,
    VendorStatus,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "JOB_STATUSES",
    "LOCATION_TYPES",
    "PART_TYPES",
    "SUPPLIER_STATUSES",
    "StatusFlags",
    "StatusTable",
    "purchase_order_status",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusFlags:
    """One row of the tenant's ``purchase-order-statuses``."""

    name: str
    active: bool = True
    default: bool = False
    receive: bool = False
    cancelled: bool = False
    release: bool = False
    on_order: bool = False
    received: bool = False

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> StatusFlags:
        return cls(
            name=str(raw.get("name") or ""),
            active=raw.get("active") is not False,
            default=raw.get("default") is True,
            receive=raw.get("receive") is True,
            cancelled=raw.get("cancelled") is True,
            release=raw.get("release") is True,
            on_order=raw.get("onOrder") is True,
            received=raw.get("received") is True,
        )

    @property
    def ordering(self) -> bool:
        """The order is out with the supplier (or may be received against)."""
        return self.on_order or self.receive or self.release


class StatusTable:
    """The tenant's purchase order statuses by name (names compared case-insensitively)."""

    def __init__(self, rows: Iterable[StatusFlags]) -> None:
        self._by_name = {row.name.strip().lower(): row for row in rows if row.name.strip()}

    @classmethod
    def of(cls, raws: Iterable[Any]) -> StatusTable:
        return cls(StatusFlags.of(raw) for raw in raws if isinstance(raw, dict))

    def get(self, name: str | None) -> StatusFlags | None:
        return None if name is None else self._by_name.get(name.strip().lower())

    def cancelled(self) -> StatusFlags | None:
        """The status that voids an order: an active tenant's first cancelled status."""
        return next((row for row in self._by_name.values() if row.cancelled), None)

    def __len__(self) -> int:
        return len(self._by_name)


def purchase_order_status(
    flags: StatusFlags, *, approved: bool, partially_received: bool = False
) -> PurchaseOrderStatus:
    """Cancelled first; then received (CLOSED once inactive); any other inactive status is
    CLOSED; an approved order (``approvedDate`` set) is APPROVED, or PARTIALLY_RECEIVED when
    its releases are partly received; an unapproved one is PENDING_APPROVAL when it is already
    an ordering status (on order, receivable or released), else DRAFT."""
    if flags.cancelled:
        return PurchaseOrderStatus.CANCELLED
    if flags.received:
        return PurchaseOrderStatus.RECEIVED if flags.active else PurchaseOrderStatus.CLOSED
    if not flags.active:
        return PurchaseOrderStatus.CLOSED
    if approved:
        if partially_received:
            return PurchaseOrderStatus.PARTIALLY_RECEIVED
        return PurchaseOrderStatus.APPROVED
    return PurchaseOrderStatus.PENDING_APPROVAL if flags.ordering else PurchaseOrderStatus.DRAFT


# supplier status names (lower case) that are not ACTIVE; any other name is ACTIVE. The
# connection option ``supplier_statuses`` adds to or overrides this table.
SUPPLIER_STATUSES: Mapping[str, VendorStatus] = MappingProxyType(
    {
        "inactive": VendorStatus.INACTIVE,
        "obsolete": VendorStatus.INACTIVE,
        "on hold": VendorStatus.BLOCKED,
        "hold": VendorStatus.BLOCKED,
        "blocked": VendorStatus.BLOCKED,
        "disapproved": VendorStatus.BLOCKED,
    }
)
# job status names (lower case); an unknown one fails the record (quarantined)
JOB_STATUSES: Mapping[str, ProductionOrderStatus] = MappingProxyType(
    {
        "planned": ProductionOrderStatus.PLANNED,
        "scheduled": ProductionOrderStatus.PLANNED,
        "released": ProductionOrderStatus.RELEASED,
        "hold": ProductionOrderStatus.RELEASED,
        "in production": ProductionOrderStatus.IN_PROGRESS,
        "in process": ProductionOrderStatus.IN_PROGRESS,
        "running": ProductionOrderStatus.IN_PROGRESS,
        "complete": ProductionOrderStatus.COMPLETED,
        "completed": ProductionOrderStatus.COMPLETED,
        "closed": ProductionOrderStatus.CLOSED,
        "cancelled": ProductionOrderStatus.CANCELLED,
        "canceled": ProductionOrderStatus.CANCELLED,
    }
)
PART_TYPES: Mapping[str, InventoryItemType] = MappingProxyType(
    {
        "raw material": InventoryItemType.RAW_MATERIAL,
        "purchased": InventoryItemType.RAW_MATERIAL,
        "finished good": InventoryItemType.FINISHED_GOOD,
        "supply": InventoryItemType.CONSUMABLE,
        "consumable": InventoryItemType.CONSUMABLE,
        "spare": InventoryItemType.SPARE_PART,
        "service": InventoryItemType.SERVICE,
    }
)
# part statuses (lower case) that make an item inactive
INACTIVE_PART_STATUSES = frozenset({"obsolete", "inactive"})
LOCATION_TYPES: Mapping[str, LocationType] = MappingProxyType(
    {
        "warehouse": LocationType.WAREHOUSE,
        "stores": LocationType.STOREROOM,
        "storeroom": LocationType.STOREROOM,
        "production": LocationType.AREA,
        "receiving": LocationType.AREA,
        "shipping": LocationType.AREA,
        "quality": LocationType.AREA,
    }
)
