"""Where each unified entity lives in Business Central: API, entity set, key, change stamp,
fixed query options and mapper. Declared once, read by the connector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.dynamics_bc import mappers
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.models import Record

__all__ = ["ANALYTICS", "RESOURCES", "STAMP", "STANDARD", "Resource"]

STANDARD = "api/v2.0"
ANALYTICS = "api/microsoft/analytics/v1.0"
STAMP = "lastModifiedDateTime"


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    entity: EntityType
    api: str
    name: str
    mapper: Callable[[Any], Record]
    key: str = "id"
    # False: no change stamp; read as a snapshot
    stamped: bool = True
    expand: str | None = None
    # a fixed condition (stock: inventory items only)
    where: str | None = None
    select: str | None = None

    def key_literal(self, remote_id: str) -> str | None:
        """The OData literal of a key, or None when it cannot be one (never sent)."""
        if self.key == "id":
            value = remote_id.strip().lower()
            parts = value.split("-")
            shape = [len(p) for p in parts]
            hexa = all(c in "0123456789abcdef" for c in value.replace("-", ""))
            return value if shape == [8, 4, 4, 4, 12] and hexa else None
        text = remote_id.strip()
        return "'" + text.replace("'", "''") + "'" if text else None


RESOURCES: Mapping[EntityType, Resource] = {
    r.entity: r
    for r in (
        Resource(
            entity=EntityType.PURCHASE_ORDER,
            api=STANDARD,
            name="purchaseOrders",
            mapper=mappers.map_purchase_order,
            expand="purchaseOrderLines",
        ),
        Resource(entity=EntityType.VENDOR, api=STANDARD, name="vendors", mapper=mappers.map_vendor),
        Resource(
            entity=EntityType.INVENTORY_ITEM,
            api=STANDARD,
            name="items",
            mapper=mappers.map_inventory_item,
        ),
        Resource(
            entity=EntityType.STOCK_LEVEL,
            api=STANDARD,
            name="items",
            mapper=mappers.map_stock_level,
            stamped=False,
            where="type eq 'Inventory'",
            select="id,number,inventory,baseUnitOfMeasureCode,lastModifiedDateTime",
        ),
        Resource(
            entity=EntityType.LOCATION, api=STANDARD, name="locations", mapper=mappers.map_location
        ),
        Resource(
            entity=EntityType.PRODUCTION_ORDER,
            api=ANALYTICS,
            name="manufacturingProductionOrders",
            mapper=mappers.map_production_order,
            key="no",
            stamped=False,
        ),
    )
}
