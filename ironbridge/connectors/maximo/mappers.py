"""Pure mappers from Maximo's lean JSON members to the unified model; statuses map by their
internal value (``status_maxvalue``), so a customer's synonym maps like the value it means."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.maximo.statuses import (
    ASSET_STATUS,
    ITEM_ACTIVE,
    ITEM_TYPE,
    LOCATION_TYPE,
    PO_STATUS,
    PO_STATUS_BY_RECEIPTS,
    WO_PRIORITY,
    WO_STATUS,
    WO_TYPE,
)
from ironbridge.connectors.maximo.values import Member
from ironbridge.models import (
    Address,
    Asset,
    EntityType,
    InventoryItem,
    InventoryItemType,
    Location,
    LocationType,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    Vendor,
    VendorStatus,
    WorkOrder,
    WorkOrderType,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ironbridge.models import WorkOrderPriority

__all__ = [
    "KEYS",
    "MapOptions",
    "map_asset",
    "map_inventory_item",
    "map_location",
    "map_purchase_order",
    "map_stock_level",
    "map_vendor",
    "map_work_order",
]

# the key attributes of each entity's records, in unified-id order (Maximo's rest-id order):
# work orders siteid/wonum, assets assetnum/siteid, purchase orders ponum/revisionnum/siteid
KEYS: Mapping[EntityType, tuple[str, ...]] = MappingProxyType(
    {
        EntityType.WORK_ORDER: ("siteid", "wonum"),
        EntityType.ASSET: ("assetnum", "siteid"),
        EntityType.LOCATION: ("location", "siteid"),
        EntityType.INVENTORY_ITEM: ("itemnum", "itemsetid"),
        EntityType.STOCK_LEVEL: ("itemnum", "itemsetid", "location", "siteid"),
        EntityType.PURCHASE_ORDER: ("ponum", "revisionnum", "siteid"),
        EntityType.VENDOR: ("company", "orgid"),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MapOptions:
    """A connection's mapping choices: its custom attributes and its priority scale."""

    custom_fields: Sequence[str] = ()
    priorities: Mapping[int, WorkOrderPriority] = field(default_factory=lambda: WO_PRIORITY)


DEFAULT_OPTIONS = MapOptions()


def _member(entity: EntityType, data: Mapping[str, Any]) -> Member:
    member = Member(entity, data, KEYS[entity])
    if member.remote_id is None:
        missing = [k for k in KEYS[entity] if data.get(k) in (None, "")]
        raise member.fail(f"key attribute {', '.join(missing)} is missing")
    return member


def _remote_id(member: Member) -> str:
    assert member.remote_id is not None  # checked by _member
    return member.remote_id


def _internal(member: Member, table: Mapping[str, Any], domain: str) -> str:
    """The internal value of the record's status: ``status_maxvalue`` (``internalvalues=1``),
    else the status itself when it is one of the domain's internal values."""
    internal = member.text("status_maxvalue") or member.text("status", required=True)
    if internal not in table:
        shown = member.text("status")
        raise member.fail(f"status {shown} (internal value {internal}) is not a {domain} value")
    return str(internal)


def _in_site(member: Member, attr: str, site: str | None) -> str | None:
    """A reference to a site-level record (asset, location): ``<value>/<siteid>``."""
    value = member.text(attr)
    return None if value is None or site is None else f"{value}/{site}"


def _custom(member: Member, options: MapOptions) -> dict[str, Any]:
    return {name: member.raw(name) for name in options.custom_fields if name in member.data}


def map_work_order(data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS) -> WorkOrder:
    member = _member(EntityType.WORK_ORDER, data)
    status = WO_STATUS[_internal(member, WO_STATUS, "WOSTATUS")]
    site = member.text("siteid")
    priority = member.integer("wopriority")
    worktype = member.text("worktype")
    number = member.text("wonum", required=True)
    assert number is not None
    return WorkOrder(
        remote_id=_remote_id(member),
        number=number,
        title=member.text("description") or number,
        description=member.text("description_longdescription"),
        status=status,
        remote_status=member.text("status"),
        priority=None if priority is None else options.priorities.get(priority),
        type=None if worktype is None else WO_TYPE.get(worktype.upper(), WorkOrderType.OTHER),
        asset_remote_id=_in_site(member, "assetnum", site),
        location_remote_id=_in_site(member, "location", site),
        assignee=member.text("lead"),
        due_at=member.instant("targcompdate"),
        scheduled_start_at=member.instant("schedstart"),
        started_at=member.instant("actstart"),
        completed_at=member.instant("actfinish"),
        estimated_hours=member.decimal("estdur"),
        actual_hours=member.decimal("actlabhrs"),
        created_at=member.instant("reportdate"),
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def map_asset(data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS) -> Asset:
    member = _member(EntityType.ASSET, data)
    status = ASSET_STATUS[_internal(member, ASSET_STATUS, "LOCASSETSTATUS")]
    site = member.text("siteid")
    number = member.text("assetnum", required=True)
    priority = member.integer("priority")
    installed = member.date("installdate")
    return Asset(
        remote_id=_remote_id(member),
        name=member.text("description") or str(number),
        status=status,
        tag=member.text("assettag") or number,
        serial_number=member.text("serialnum"),
        manufacturer=member.text("manufacturer"),
        criticality=None if priority is None else str(priority),
        location_remote_id=_in_site(member, "location", site),
        parent_remote_id=_in_site(member, "parent", site),
        installed_at=installed,
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def map_location(data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS) -> Location:
    member = _member(EntityType.LOCATION, data)
    site = member.text("siteid")
    code = member.text("location", required=True)
    kind = member.text("type")
    hierarchy = data.get("lochierarchy")
    parent = None
    if isinstance(hierarchy, list):
        entries = [h for h in hierarchy if isinstance(h, dict)]
        primary = [h for h in entries if h.get("systemid") == "PRIMARY"] or entries
        parent = primary[0].get("parent") if primary else None
    return Location(
        remote_id=_remote_id(member),
        name=member.text("description") or str(code),
        code=code,
        type=None if kind is None else LOCATION_TYPE.get(kind.upper(), LocationType.OTHER),
        parent_remote_id=f"{parent}/{site}" if parent and site else None,
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def map_inventory_item(
    data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS
) -> InventoryItem:
    member = _member(EntityType.INVENTORY_ITEM, data)
    number = member.text("itemnum", required=True)
    assert number is not None
    kind = member.text("itemtype")
    active = ITEM_ACTIVE[_internal(member, ITEM_ACTIVE, "ITEMSTATUS")]
    return InventoryItem(
        remote_id=_remote_id(member),
        number=number,
        name=member.text("description") or number,
        description=member.text("description_longdescription"),
        type=None if kind is None else ITEM_TYPE.get(kind.upper(), InventoryItemType.OTHER),
        unit_of_measure=member.text("issueunit"),
        active=active,
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def map_stock_level(
    data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS
) -> StockLevel:
    member = _member(EntityType.STOCK_LEVEL, data)
    on_hand = member.decimal("curbaltotal")
    if on_hand is None:
        balances = data.get("invbalances")
        if not isinstance(balances, list):
            raise member.fail("curbaltotal is missing")
        bins = [Member(EntityType.STOCK_LEVEL, b, ()) for b in balances if isinstance(b, dict)]
        on_hand = sum((b.decimal("curbal") or Decimal(0) for b in bins), Decimal(0))
    return StockLevel(
        remote_id=_remote_id(member),
        quantity_on_hand=on_hand,
        item_remote_id=member.ref("itemnum", "itemsetid"),
        location_remote_id=member.ref("location", "siteid"),
        quantity_available=member.decimal("avblbalance"),
        quantity_reserved=member.decimal("reservedqty"),
        reorder_point=member.decimal("minlevel"),
        unit_of_measure=member.text("issueunit"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def _po_status(member: Member) -> PurchaseOrderStatus:
    internal = _internal(member, PO_STATUS, "POSTATUS")
    if internal == "APPR":
        receipts = (member.text("receipts") or "NONE").upper()
        return PO_STATUS_BY_RECEIPTS.get(receipts, PurchaseOrderStatus.APPROVED)
    return PO_STATUS[internal]


def _po_line(member: Member, line: Mapping[str, Any]) -> PurchaseOrderLine:
    child = Member(EntityType.PURCHASE_ORDER, line, ())
    number = child.text("polinenum")
    quantity = child.decimal("orderqty")
    if number is None or quantity is None:
        raise member.fail(f"poline {number or '?'} has no polinenum or orderqty")
    return PurchaseOrderLine(
        line_number=number,
        quantity=quantity,
        item_remote_id=child.ref("itemnum", "itemsetid"),
        description=child.text("description"),
        quantity_received=child.decimal("receivedqty"),
        unit_of_measure=child.text("orderunit"),
        unit_price=child.decimal("unitcost"),
        amount=child.decimal("linecost"),
        expected_delivery_date=child.date("reqdeliverydate"),
    )


def map_purchase_order(
    data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS
) -> PurchaseOrder:
    member = _member(EntityType.PURCHASE_ORDER, data)
    number = member.text("ponum", required=True)
    assert number is not None
    lines = data.get("poline") or []
    if not isinstance(lines, list):
        raise member.fail("poline is not a list")
    mapped = [_po_line(member, line) for line in lines if isinstance(line, dict)]
    mapped.sort(key=lambda line: line.line_number.zfill(10))
    return PurchaseOrder(
        remote_id=_remote_id(member),
        number=number,
        status=_po_status(member),
        remote_status=member.text("status"),
        vendor_remote_id=member.ref("vendor", "orgid"),
        order_date=member.date("orderdate"),
        expected_delivery_date=member.date("requireddate"),
        currency=member.text("currencycode"),
        total_amount=member.decimal("totalcost"),
        description=member.text("description"),
        lines=tuple(mapped),
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )


def map_vendor(data: Mapping[str, Any], *, options: MapOptions = DEFAULT_OPTIONS) -> Vendor:
    member = _member(EntityType.VENDOR, data)
    code = member.text("company", required=True)
    lines = [member.text(f"address{n}") for n in (1, 2, 3, 4)]
    address = None
    if any(lines) or member.text("country"):
        address = Address(
            line1=lines[0],
            city=lines[1],
            region=lines[2],
            postal_code=lines[3],
            country=member.text("country"),
        )
    return Vendor(
        remote_id=_remote_id(member),
        name=member.text("name") or str(code),
        status=VendorStatus.INACTIVE if member.flag("disabled") else VendorStatus.ACTIVE,
        code=code,
        phone=member.text("phone"),
        address=address,
        currency=member.text("currencycode"),
        updated_at=member.instant("changedate"),
        custom_fields=_custom(member, options),
        remote_data=dict(data),
    )
