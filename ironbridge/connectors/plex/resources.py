"""What the connector reads for each unified entity: the Plex path, the key, the change stamp
(None: a snapshot), the parameter that selects ids, and the mapper."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.plex import mappers
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.connectors.plex.mappers import MapOptions
    from ironbridge.models import Record

__all__ = ["PURCHASE_ORDERS", "RESOURCES", "STATUSES", "Resource", "line_items_path"]

STATUSES = "purchasing/v1/purchase-order-statuses"
PURCHASE_ORDERS = "purchasing/v1/purchase-orders"


def line_items_path(order_id: str) -> str:
    return f"{PURCHASE_ORDERS}/{order_id}/line-items"


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    entity: EntityType
    path: str
    key: str
    # the change stamp; None: read as a complete snapshot every time
    stamp: str | None
    # the list parameter that selects records by key (repeated for several)
    id_param: str
    # purchase orders are mapped with their statuses and line items by the connector
    map: Callable[[Any, MapOptions], Record] | None = None

    def remote_id(self, raw: Any) -> str | None:
        value = raw.get(self.key) if isinstance(raw, dict) else None
        return str(value) if isinstance(value, str | int) and str(value) else None


RESOURCES: Mapping[EntityType, Resource] = MappingProxyType(
    {
        EntityType.PURCHASE_ORDER: Resource(
            entity=EntityType.PURCHASE_ORDER,
            path=PURCHASE_ORDERS,
            key="id",
            stamp="modifiedDate",
            id_param="id",
        ),
        EntityType.VENDOR: Resource(
            entity=EntityType.VENDOR,
            path="mdm/v1/suppliers",
            key="id",
            stamp="modifiedDate",
            id_param="id",
            map=lambda raw, options: mappers.map_vendor(raw, options=options),
        ),
        EntityType.INVENTORY_ITEM: Resource(
            entity=EntityType.INVENTORY_ITEM,
            path="mdm/v2/parts",
            key="id",
            stamp="modifiedDateTime",
            id_param="id",
            map=lambda raw, _options: mappers.map_inventory_item(raw),
        ),
        EntityType.LOCATION: Resource(
            entity=EntityType.LOCATION,
            path="inventory/v1/inventory-definitions/locations",
            key="id",
            stamp="modifiedDateTime",
            id_param="id",
            map=lambda raw, _options: mappers.map_location(raw),
        ),
        EntityType.STOCK_LEVEL: Resource(
            entity=EntityType.STOCK_LEVEL,
            path="inventory/v1/inventory-tracking/containers",
            key="serialNo",
            stamp=None,
            id_param="serialNo",
            map=lambda raw, _options: mappers.map_stock_level(raw),
        ),
        EntityType.PRODUCTION_ORDER: Resource(
            entity=EntityType.PRODUCTION_ORDER,
            path="scheduling/v1/jobs",
            key="id",
            stamp=None,
            id_param="id",
            map=lambda raw, _options: mappers.map_production_order(raw),
        ),
    }
)
