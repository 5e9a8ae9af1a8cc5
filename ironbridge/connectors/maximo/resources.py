"""What the connector reads of each entity: object structure, selected attributes, key and
number attributes, change stamp and mapper. Declared once here, used by every read."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.maximo.mappers import (
    KEYS,
    map_asset,
    map_inventory_item,
    map_location,
    map_purchase_order,
    map_stock_level,
    map_vendor,
    map_work_order,
)
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.connectors.maximo.mappers import MapOptions
    from ironbridge.models import Record

__all__ = ["RESOURCES", "Resource"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    entity: EntityType
    # the default object structure; connections may name their own (the "object_structures"
    # option), e.g. a copy of MXWO with the customer's attributes added
    structure: str
    keys: tuple[str, ...]
    # the key attribute users know records by: lookups by id query it with ``in [...]``
    number: str
    select: tuple[str, ...]
    # the change stamp: incremental reads filter ``>=`` on it; None: read as a snapshot
    cursor: str | None
    mapper: Callable[..., Record]
    # records of the object structure that are not records of the entity (task work orders)
    excluded: Callable[[Mapping[str, Any]], bool] | None = None

    def map(self, data: Mapping[str, Any], options: MapOptions) -> Record:
        return self.mapper(data, options=options)

    def select_with(self, custom: tuple[str, ...]) -> str:
        return ",".join((*self.select, *custom))


def _is_task(data: Mapping[str, Any]) -> bool:
    return data.get("istask") in (True, 1, "1", "true")


_WO = (
    "wonum,siteid,orgid,description,description_longdescription,status,statusdate,worktype,"
    "wopriority,assetnum,location,lead,reportdate,schedstart,targcompdate,actstart,actfinish,"
    "estdur,actlabhrs,changedate,istask"
)
_PO_LINE = (
    "poline{polinenum,linetype,itemnum,itemsetid,description,orderqty,orderunit,unitcost,"
    "linecost,receivedqty,reqdeliverydate,storeloc}"
)


def _attrs(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


RESOURCES: Mapping[EntityType, Resource] = MappingProxyType(
    {
        EntityType.WORK_ORDER: Resource(
            entity=EntityType.WORK_ORDER,
            structure="mxwo",
            keys=KEYS[EntityType.WORK_ORDER],
            number="wonum",
            select=_attrs(_WO),
            cursor="changedate",
            mapper=map_work_order,
            excluded=_is_task,
        ),
        EntityType.ASSET: Resource(
            entity=EntityType.ASSET,
            structure="mxasset",
            keys=KEYS[EntityType.ASSET],
            number="assetnum",
            select=_attrs(
                "assetnum,siteid,description,status,assettag,serialnum,manufacturer,location,"
                "parent,priority,installdate,changedate"
            ),
            cursor="changedate",
            mapper=map_asset,
        ),
        EntityType.LOCATION: Resource(
            entity=EntityType.LOCATION,
            structure="mxoperloc",
            keys=KEYS[EntityType.LOCATION],
            number="location",
            select=(
                *_attrs("location,siteid,description,type,status,changedate"),
                "lochierarchy{systemid,parent}",
            ),
            cursor="changedate",
            mapper=map_location,
        ),
        EntityType.INVENTORY_ITEM: Resource(
            entity=EntityType.INVENTORY_ITEM,
            structure="mxitem",
            keys=KEYS[EntityType.INVENTORY_ITEM],
            number="itemnum",
            select=_attrs(
                "itemnum,itemsetid,description,description_longdescription,itemtype,status,"
                "issueunit,orderunit,rotating,changedate"
            ),
            cursor="changedate",
            mapper=map_inventory_item,
        ),
        EntityType.STOCK_LEVEL: Resource(
            entity=EntityType.STOCK_LEVEL,
            structure="mxinventory",
            keys=KEYS[EntityType.STOCK_LEVEL],
            number="itemnum",
            select=_attrs(
                "itemnum,itemsetid,location,siteid,status,curbaltotal,avblbalance,reservedqty,"
                "minlevel,issueunit"
            ),
            cursor=None,
            mapper=map_stock_level,
        ),
        EntityType.PURCHASE_ORDER: Resource(
            entity=EntityType.PURCHASE_ORDER,
            structure="mxpo",
            keys=KEYS[EntityType.PURCHASE_ORDER],
            number="ponum",
            select=(
                *_attrs(
                    "ponum,revisionnum,siteid,orgid,description,status,vendor,orderdate,"
                    "requireddate,currencycode,totalcost,receipts,changedate"
                ),
                _PO_LINE,
            ),
            cursor="changedate",
            mapper=map_purchase_order,
        ),
        EntityType.VENDOR: Resource(
            entity=EntityType.VENDOR,
            structure="mxvendor",
            keys=KEYS[EntityType.VENDOR],
            number="company",
            select=_attrs(
                "company,orgid,name,type,disabled,currencycode,address1,address2,address3,"
                "address4,country,phone,changedate"
            ),
            cursor="changedate",
            mapper=map_vendor,
        ),
    }
)
