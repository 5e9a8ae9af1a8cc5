"""Pure mappers from Business Central API payloads to the unified model.

Properties that the standard API page does not define (a tenant extension's fields) become
``custom_fields``. Blank dates (``0001-01-01``) read as none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.dynamics_bc.status import (
    ITEM_TYPES,
    PRODUCTION_STATUS,
    VENDOR_BLOCKED,
    purchase_order_status,
)
from ironbridge.connectors.errors import RecordMappingError
from ironbridge.models import (
    Address,
    EntityType,
    InventoryItem,
    Location,
    LocationType,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Vendor,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.models import Record

__all__ = [
    "PO_STANDARD",
    "etag_of",
    "map_inventory_item",
    "map_location",
    "map_production_order",
    "map_purchase_order",
    "map_stock_level",
    "map_vendor",
    "parse_date",
    "parse_decimal",
    "parse_instant",
]

BLANK_DATE = "0001-01-01"
NIL_GUID = "00000000-0000-0000-0000-000000000000"
# the purchaseOrder properties of the standard API v2.0 page; anything else is an extension's
PO_STANDARD = frozenset(
    {
        "id", "number", "externalDocumentNumber", "orderDate", "postingDate", "dueDate",
        "vendorId", "vendorNumber", "vendorName", "payToName", "payToVendorId",
        "payToVendorNumber", "shipToName", "shipToContact", "buyFromAddressLine1",
        "buyFromAddressLine2", "buyFromCity", "buyFromCountry", "buyFromState",
        "buyFromPostCode", "shipToAddressLine1", "shipToAddressLine2", "shipToCity",
        "shipToCountry", "shipToState", "shipToPostCode", "payToAddressLine1",
        "payToAddressLine2", "payToCity", "payToCountry", "payToState", "payToPostCode",
        "shortcutDimension1Code", "shortcutDimension2Code", "currencyId", "currencyCode",
        "orderId", "orderNumber", "pricesIncludeTax", "paymentTermsId", "shipmentMethodId",
        "purchaser", "requestedReceiptDate", "discountAmount", "discountAppliedBeforeTax",
        "totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax",
        "fullyReceived", "status", "lastModifiedDateTime", "purchaseOrderLines",
    }
)  # fmt: skip


def parse_instant(value: Any) -> datetime | None:
    """``lastModifiedDateTime``: ISO 8601 in UTC (``Z``); ``ValueError`` when unreadable."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date and time: {value!r}")
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    """An ``Edm.Date``; the blank date ``0001-01-01`` is none."""
    if value is None or value in ("", BLANK_DATE):
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    return date.fromisoformat(value.strip()[:10])


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a number: {value!r}")
    # JSON numbers come as floats: 10.0 is the decimal 10, as Business Central means it
    if isinstance(value, float) and number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number


def _ref(value: Any) -> str | None:
    """A related record's id; the nil guid (no record) is none."""
    if not isinstance(value, str) or not value or value == NIL_GUID:
        return None
    return value.lower()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def etag_of(raw: Mapping[str, Any]) -> str | None:
    tag = raw.get("@odata.etag")
    return tag if isinstance(tag, str) and tag else None


def _guarded(entity: EntityType, key: str) -> Callable[[Callable[..., Record]], Callable[..., Any]]:
    """Turn the errors of one payload into a ``RecordMappingError`` naming its id."""

    def wrap(mapper: Callable[..., Record]) -> Callable[..., Any]:
        def mapped(raw: Any) -> Record:
            remote_id = raw.get(key) if isinstance(raw, dict) else None
            if not isinstance(raw, dict):
                raise RecordMappingError(entity.value, None, "not a JSON object", payload=raw)
            try:
                return mapper(raw)
            except (KeyError, TypeError, ValueError) as exc:
                detail = f"{type(exc).__name__}: {exc}"
                raise RecordMappingError(
                    entity.value, str(remote_id) if remote_id else None, detail, payload=raw
                ) from exc

        mapped.__name__ = mapper.__name__
        mapped.__doc__ = mapper.__doc__
        return mapped

    return wrap


def _required(raw: Mapping[str, Any], name: str) -> str:
    value = _text(raw.get(name))
    if value is None:
        raise ValueError(f"{name} is empty")
    return value


def _address(raw: Mapping[str, Any]) -> Address | None:
    address = Address(
        line1=_text(raw.get("addressLine1")),
        line2=_text(raw.get("addressLine2")),
        city=_text(raw.get("city")),
        region=_text(raw.get("state")),
        postal_code=_text(raw.get("postalCode")),
        country=_text(raw.get("country")),
    )
    return None if address == Address() else address


def _line(raw: Mapping[str, Any]) -> PurchaseOrderLine:
    quantity = parse_decimal(raw.get("quantity"))
    if quantity is None:
        raise ValueError(f"line {raw.get('sequence')} has no quantity")
    return PurchaseOrderLine(
        line_number=str(raw["sequence"]),
        quantity=quantity,
        item_remote_id=_ref(raw.get("itemId")),
        description=_text(raw.get("description")),
        quantity_received=parse_decimal(raw.get("receivedQuantity")),
        unit_of_measure=_text(raw.get("unitOfMeasureCode")),
        unit_price=parse_decimal(raw.get("directUnitCost")),
        amount=parse_decimal(raw.get("amountExcludingTax")),
        expected_delivery_date=parse_date(raw.get("expectedReceiptDate")),
    )


@_guarded(EntityType.PURCHASE_ORDER, "id")
def map_purchase_order(raw: Mapping[str, Any]) -> PurchaseOrder:
    """A ``purchaseOrder`` with its ``purchaseOrderLines`` expanded."""
    lines_raw = raw.get("purchaseOrderLines") or []
    if not isinstance(lines_raw, list):
        raise ValueError("purchaseOrderLines is not a list")
    lines = tuple(_line(line) for line in lines_raw if isinstance(line, dict))
    received = [line.quantity_received or Decimal(0) for line in lines]
    try:
        status = purchase_order_status(raw.get("status"), raw.get("fullyReceived"), received)
    except KeyError:
        raise ValueError(f"unknown status {raw.get('status')!r}") from None
    locations = {line.get("locationId") for line in lines_raw if isinstance(line, dict)}
    ship_to = _ref(locations.pop()) if len(locations) == 1 else None
    custom = {k: v for k, v in raw.items() if k not in PO_STANDARD and not k.startswith("@odata.")}
    return PurchaseOrder(
        remote_id=_required(raw, "id").lower(),
        updated_at=parse_instant(raw.get("lastModifiedDateTime")),
        number=_required(raw, "number"),
        status=status,
        remote_status=_text(raw.get("status")),
        vendor_remote_id=_ref(raw.get("vendorId")),
        order_date=parse_date(raw.get("orderDate")),
        expected_delivery_date=parse_date(raw.get("requestedReceiptDate")),
        currency=_text(raw.get("currencyCode")),
        total_amount=parse_decimal(raw.get("totalAmountIncludingTax")),
        ship_to_remote_id=ship_to,
        lines=lines,
        custom_fields=custom,
        remote_data=dict(raw),
    )


@_guarded(EntityType.VENDOR, "id")
def map_vendor(raw: Mapping[str, Any]) -> Vendor:
    blocked = raw.get("blocked")
    status = VENDOR_BLOCKED.get(str(blocked) if blocked is not None else "")
    if status is None:
        raise ValueError(f"unknown blocked value {blocked!r}")
    return Vendor(
        remote_id=_required(raw, "id").lower(),
        updated_at=parse_instant(raw.get("lastModifiedDateTime")),
        name=_required(raw, "displayName"),
        status=status,
        code=_text(raw.get("number")),
        email=_text(raw.get("email")),
        phone=_text(raw.get("phoneNumber")),
        address=_address(raw),
        currency=_text(raw.get("currencyCode")),
        tax_id=_text(raw.get("taxRegistrationNumber")),
        remote_data=dict(raw),
    )


@_guarded(EntityType.INVENTORY_ITEM, "id")
def map_inventory_item(raw: Mapping[str, Any]) -> InventoryItem:
    kind = raw.get("type")
    return InventoryItem(
        remote_id=_required(raw, "id").lower(),
        updated_at=parse_instant(raw.get("lastModifiedDateTime")),
        number=_required(raw, "number"),
        name=_text(raw.get("displayName")) or _required(raw, "number"),
        description=_text(raw.get("displayName2")),
        type=ITEM_TYPES.get(str(kind)),
        unit_of_measure=_text(raw.get("baseUnitOfMeasureCode")),
        unit_cost=parse_decimal(raw.get("unitCost")),
        active=raw.get("blocked") is not True,
        remote_data=dict(raw),
    )


@_guarded(EntityType.STOCK_LEVEL, "id")
def map_stock_level(raw: Mapping[str, Any]) -> StockLevel:
    """An item's ``inventory``: the company-wide quantity on hand (no location)."""
    quantity = parse_decimal(raw.get("inventory"))
    if quantity is None:
        raise ValueError("inventory is empty")
    item_id = _required(raw, "id").lower()
    return StockLevel(
        remote_id=item_id,
        updated_at=parse_instant(raw.get("lastModifiedDateTime")),
        quantity_on_hand=quantity,
        item_remote_id=item_id,
        unit_of_measure=_text(raw.get("baseUnitOfMeasureCode")),
        remote_data=dict(raw),
    )


@_guarded(EntityType.LOCATION, "id")
def map_location(raw: Mapping[str, Any]) -> Location:
    return Location(
        remote_id=_required(raw, "id").lower(),
        updated_at=parse_instant(raw.get("lastModifiedDateTime")),
        name=_text(raw.get("displayName")) or _required(raw, "code"),
        code=_text(raw.get("code")),
        type=LocationType.WAREHOUSE,
        address=_address(raw),
        remote_data=dict(raw),
    )


def _start(value: Any) -> datetime | None:
    day = parse_date(value)
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@_guarded(EntityType.PRODUCTION_ORDER, "no")
def map_production_order(raw: Mapping[str, Any]) -> ProductionOrder:
    """An analytics ``manufacturingProductionOrder`` (item-sourced orders name their item by
    number: ``item_remote_id`` is left empty, the number kept in ``custom_fields``)."""
    status = PRODUCTION_STATUS.get(str(raw.get("status")))
    if status is None:
        raise ValueError(f"unknown status {raw.get('status')!r}")
    quantity = parse_decimal(raw.get("quantity"))
    if quantity is None:
        raise ValueError("quantity is empty")
    source = {"sourceType": raw.get("sourceType"), "sourceNo": raw.get("sourceNo")}
    return ProductionOrder(
        remote_id=_required(raw, "no"),
        number=_required(raw, "no"),
        quantity_planned=quantity,
        status=status,
        remote_status=_text(raw.get("status")),
        planned_start_at=_start(raw.get("startingDate")),
        planned_end_at=_start(raw.get("endingDate")),
        custom_fields={k: v for k, v in source.items() if v},
        remote_data=dict(raw),
    )
