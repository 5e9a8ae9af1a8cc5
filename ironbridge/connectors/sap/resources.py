"""Where each unified entity lives in SAP: service, entity set, keys, change stamp, expansion;
one declaration per entity, read by the connector instead of branching on the entity."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ironbridge.connectors.sap.mappers import (
    STOCK_KEYS,
    map_asset,
    map_inventory_item,
    map_location,
    map_production_order,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    map_work_order,
)
from ironbridge.connectors.sap.odata import V2, V4, key_predicate, string_literal
from ironbridge.connectors.sap.values import packed_timestamp, parse_instant, parse_packed
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from ironbridge.connectors.sap.odata import ODataProtocol
    from ironbridge.models import Record

__all__ = [
    "PURCHASE_ORDER_V2",
    "PURCHASE_ORDER_V4",
    "RESOURCES",
    "InstantStamp",
    "PackedStamp",
    "Resource",
    "Stamp",
    "resources",
]

V2_ROOT = "/sap/opu/odata/sap"
PO_V2_SERVICE = f"{V2_ROOT}/API_PURCHASEORDER_PROCESS_SRV"
PO_V4_SERVICE = "/sap/opu/odata4/sap/api_purchaseorder_2/srvd_a2x/sap/purchaseorder/0001"
MAINTENANCE_SERVICE = f"{V2_ROOT}/API_MAINTENANCEORDER"


class Stamp(abc.ABC):
    """A change stamp property: how to read it and how to filter on it."""

    kind: ClassVar[str]

    def __init__(self, field: str) -> None:
        self.field = field

    @abc.abstractmethod
    def parse(self, value: Any) -> datetime | None: ...

    @abc.abstractmethod
    def literal(self, protocol: ODataProtocol, instant: datetime) -> str: ...

    def since(self, protocol: ODataProtocol, instant: datetime) -> str:
        """``ge``, not ``gt``: records stamped at the checkpoint instant come back."""
        return f"{self.field} ge {self.literal(protocol, instant)}"


class InstantStamp(Stamp):
    """An ``Edm.DateTimeOffset``: ``datetimeoffset'...Z'`` in V2, bare ISO in V4."""

    kind = "datetimeoffset"

    def parse(self, value: Any) -> datetime | None:
        return parse_instant(value)

    def literal(self, protocol: ODataProtocol, instant: datetime) -> str:
        return protocol.instant_literal(instant)


class PackedStamp(Stamp):
    """SAP's packed decimal ``YYYYMMDDhhmmss`` timestamp, filtered as a number."""

    kind = "packed"

    def parse(self, value: Any) -> datetime | None:
        return parse_packed(value)

    def literal(self, protocol: ODataProtocol, instant: datetime) -> str:
        return packed_timestamp(instant)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """One entity set serving one unified entity."""

    entity: EntityType
    service: str  # service root path under the instance URL
    entity_set: str
    keys: tuple[str, ...]
    protocol: ODataProtocol
    mapper: Callable[[Mapping[str, Any]], Record]
    # None: no change stamp, synced by snapshot
    stamp: Stamp | None = None
    expand: str | None = None

    @property
    def path(self) -> str:
        return f"{self.service}/{self.entity_set}"

    def remote_id(self, raw: Any) -> str | None:
        """The unified id of a raw entity: its key values joined with ``/``."""
        if not isinstance(raw, dict):
            return None
        values = [raw.get(k) for k in self.keys]
        if any(v is None for v in values):
            return None
        return "/".join(str(v) for v in values)

    def key_values(self, remote_id: str) -> tuple[str, ...] | None:
        """The key values of a unified id; ``None`` when it cannot be one of this set."""
        parts = tuple(remote_id.split("/")) if len(self.keys) > 1 else (remote_id,)
        return parts if len(parts) == len(self.keys) and remote_id else None

    def entity_path(self, values: Sequence[str]) -> str:
        return f"{self.path}{key_predicate(self.keys, values)}"

    def orderby(self) -> str | None:
        """Stamp, then key: a stable order that makes every page's last record a checkpoint."""
        if self.stamp is None:
            return None
        return ",".join(f"{name} asc" for name in (self.stamp.field, *self.keys))

    def ids_filter(self, ids: Sequence[tuple[str, ...]]) -> str:
        """``$filter`` matching exactly these keys."""

        def one(values: tuple[str, ...]) -> str:
            terms = [f"{k} eq {string_literal(v)}" for k, v in zip(self.keys, values, strict=True)]
            return terms[0] if len(terms) == 1 else "(" + " and ".join(terms) + ")"

        return " or ".join(one(values) for values in ids)


_STAMP = InstantStamp("LastChangeDateTime")

PURCHASE_ORDER_V4 = Resource(
    entity=EntityType.PURCHASE_ORDER,
    service=PO_V4_SERVICE,
    entity_set="PurchaseOrder",
    keys=("PurchaseOrder",),
    protocol=V4,
    mapper=map_purchase_order,
    stamp=_STAMP,
    expand="_PurchaseOrderItem($expand=_PurchaseOrderScheduleLine)",
)
PURCHASE_ORDER_V2 = Resource(
    entity=EntityType.PURCHASE_ORDER,
    service=PO_V2_SERVICE,
    entity_set="A_PurchaseOrder",
    keys=("PurchaseOrder",),
    protocol=V2,
    mapper=map_purchase_order,
    stamp=_STAMP,
    expand="to_PurchaseOrderItem,to_PurchaseOrderItem/to_ScheduleLine",
)

# every entity but purchase orders is served by an OData V2 API
RESOURCES: Mapping[EntityType, Resource] = {
    EntityType.PURCHASE_ORDER: PURCHASE_ORDER_V4,
    EntityType.VENDOR: Resource(
        entity=EntityType.VENDOR,
        service=f"{V2_ROOT}/API_BUSINESS_PARTNER",
        entity_set="A_Supplier",
        keys=("Supplier",),
        protocol=V2,
        mapper=map_vendor,
    ),
    EntityType.INVENTORY_ITEM: Resource(
        entity=EntityType.INVENTORY_ITEM,
        service=f"{V2_ROOT}/API_PRODUCT_SRV",
        entity_set="A_Product",
        keys=("Product",),
        protocol=V2,
        mapper=map_inventory_item,
        stamp=_STAMP,
        expand="to_Description",
    ),
    EntityType.STOCK_LEVEL: Resource(
        entity=EntityType.STOCK_LEVEL,
        service=f"{V2_ROOT}/API_MATERIAL_STOCK_SRV",
        entity_set="A_MatlStkInAcctMod",
        keys=STOCK_KEYS,
        protocol=V2,
        mapper=map_stock_level,
    ),
    EntityType.LOCATION: Resource(
        entity=EntityType.LOCATION,
        service=f"{V2_ROOT}/API_PLANT_SRV",
        entity_set="A_Plant",
        keys=("Plant",),
        protocol=V2,
        mapper=map_location,
    ),
    EntityType.ASSET: Resource(
        entity=EntityType.ASSET,
        service=f"{V2_ROOT}/API_EQUIPMENT",
        entity_set="Equipment",
        keys=("Equipment",),
        protocol=V2,
        mapper=map_asset,
        stamp=_STAMP,
    ),
    EntityType.WORK_ORDER: Resource(
        entity=EntityType.WORK_ORDER,
        service=MAINTENANCE_SERVICE,
        entity_set="MaintenanceOrder",
        keys=("MaintenanceOrder",),
        protocol=V2,
        mapper=map_work_order,
        stamp=_STAMP,
    ),
    EntityType.PRODUCTION_ORDER: Resource(
        entity=EntityType.PRODUCTION_ORDER,
        service=f"{V2_ROOT}/API_PRODUCTION_ORDER_2_SRV",
        entity_set="A_ProductionOrder_2",
        keys=("ManufacturingOrder",),
        protocol=V2,
        mapper=map_production_order,
        stamp=PackedStamp("LastChangeDateTime"),
    ),
}

_PURCHASE_ORDERS = {"v4": PURCHASE_ORDER_V4, "v2": PURCHASE_ORDER_V2}
ODATA_VERSIONS = tuple(_PURCHASE_ORDERS)


def resources(odata_version: str) -> Mapping[EntityType, Resource]:
    """The resources of a connection whose purchase orders use ``odata_version`` (v4 or v2)."""
    return {**RESOURCES, EntityType.PURCHASE_ORDER: _PURCHASE_ORDERS[odata_version]}
