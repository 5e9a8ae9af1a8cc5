"""Creates and updates with SAP's checks: mandatory fields, master data, ``If-Match`` ETags,
and the business rules (a released purchase order only takes new delivery dates; a deleted
one nothing; a completed maintenance order nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord
from ironbridge.emulators.sap.errors import ODataError
from ironbridge.emulators.sap.values import parse_json_value

if TYPE_CHECKING:
    from ironbridge.emulators.sap.emulator import SapEmulator
    from ironbridge.emulators.sap.model import EntitySet, Service
    from ironbridge.emulators.sap.tables import Key, Record

__all__ = ["check_if_match", "create", "not_implemented", "update"]

INVALID_PROPERTY = "/IWBEP/CM_MGW_RT/004"
NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
NOT_IMPLEMENTED = "/IWBEP/CM_MGW_RT/021"
PRECONDITION_REQUIRED = "/IWBEP/CM_MGW_RT/093"
PRECONDITION_FAILED = "/IWBEP/CM_MGW_RT/022"
MISSING_FIELD = "MEPO/001"
RELEASED = "06/023"
DELETED = "06/019"
UNKNOWN_SUPPLIER = "06/042"
BLOCKED_SUPPLIER = "06/868"
UNKNOWN_MATERIAL = "M3/305"
ORDER_COMPLETED = "IW/056"

_PO_REQUIRED = (
    "CompanyCode",
    "PurchaseOrderType",
    "Supplier",
    "PurchasingOrganization",
    "PurchasingGroup",
    "DocumentCurrency",
)
_ITEM_REQUIRED = ("Plant", "OrderQuantity", "PurchaseOrderQuantityUnit")
_MO_REQUIRED = ("MaintenanceOrderType", "MaintenanceOrderDesc", "MaintenancePlanningPlant")
# what a released (PROCSTAT 05) purchase order still accepts, per table
_RELEASED_CHANGEABLE = {
    "purchase_order": {"PurchasingDocumentDeletionCode"},
    "purchase_order_item": {"PurchasingDocumentDeletionCode"},
    "schedule_line": {"ScheduleLineDeliveryDate"},
}
_PO_TABLES = ("purchase_order", "purchase_order_item", "schedule_line")


def not_implemented(entity_set: EntitySet, operation: str) -> ODataError:
    method = f"{entity_set.name.upper()}_{operation}_ENTITY"
    return ODataError(
        501, NOT_IMPLEMENTED, f"Method '{method}' not implemented in data provider class"
    )


def _bad(code: str, message: str, target: str = "") -> ODataError:
    return ODataError(400, code, message, target=target)


def _check_properties(entity_set: EntitySet, body: Mapping[str, Any]) -> None:
    for name in body:
        if name not in entity_set.by_name and entity_set.nav(name) is None:
            raise _bad(
                INVALID_PROPERTY,
                f"Property '{name}' is invalid for type {entity_set.type_name}",
                name,
            )


def _children(body: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = body.get(name)
    if isinstance(value, Mapping):
        value = value.get("results")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise _bad(INVALID_PROPERTY, f"Navigation property {name} must hold a list of entities")
    return value


def _writable(entity_set: EntitySet, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body without read-only properties (SAP ignores them on create)."""
    return {
        k: v
        for k, v in body.items()
        if not (k in entity_set.by_name and entity_set.by_name[k].read_only)
    }


def _require(values: Mapping[str, Any], fields: tuple[str, ...], where: str) -> None:
    for name in fields:
        if values.get(name) in (None, ""):
            raise _bad(MISSING_FIELD, f"Enter a value for field {name} ({where})", name)


def _validate_items(
    emulator: SapEmulator, service: Service, entity_set: EntitySet, body: Any
) -> None:
    nav = entity_set.navs[0]
    items = _children(body, nav.name)
    if not items:
        raise _bad(MISSING_FIELD, "Purchase order has no items", nav.name)
    item_set = service.entity_set(nav.target)
    assert item_set is not None
    products = emulator.dataset.tables["product"]
    for number, item in enumerate(items, start=1):
        _check_properties(item_set, item)
        _require(item, _ITEM_REQUIRED, f"item {item.get('PurchaseOrderItem', number * 10)}")
        material = item.get("Material")
        if material and (str(material),) not in products:
            raise _bad(
                UNKNOWN_MATERIAL,
                f"The material {material} does not exist or is not activated",
                "Material",
            )


def create(
    emulator: SapEmulator, service: Service, entity_set: EntitySet, body: Any, *, user: str
) -> Key:
    """Create a purchase order (deep insert with items) or a maintenance order."""
    if not entity_set.creatable:
        raise not_implemented(entity_set, "CREATE")
    if not isinstance(body, Mapping):
        raise _bad(INVALID_PROPERTY, "The request body must be a JSON object")
    _check_properties(entity_set, body)
    today = emulator.now().date()
    record = _writable(entity_set, body)
    if entity_set.table == "purchase_order":
        _require(record, _PO_REQUIRED, "purchase order header")
        supplier = emulator.dataset.tables["supplier"].get((str(record["Supplier"]),))
        if supplier is None:
            raise _bad(
                UNKNOWN_SUPPLIER, f"Supplier {record['Supplier']} does not exist", "Supplier"
            )
        if supplier["PurchasingIsBlocked"] or supplier["DeletionIndicator"]:
            raise _bad(BLOCKED_SUPPLIER, f"Supplier {record['Supplier']} is blocked for purchasing")
        _validate_items(emulator, service, entity_set, body)
        nav = entity_set.navs[0].name
        record[nav] = [
            {"DocumentCurrency": record["DocumentCurrency"], "NetPriceQuantity": "1", **item}
            for item in _children(body, nav)
        ]
        record.update(
            PurchasingProcessingStatus="02",
            CreatedByUser=user,
            CreationDate=today.isoformat(),
        )
        record.setdefault("PurchaseOrderDate", today.isoformat())
        record.setdefault("Language", "EN")
    else:
        _require(record, _MO_REQUIRED, "maintenance order")
        equipment = record.get("Equipment")
        if equipment and (str(equipment),) not in emulator.dataset.tables["equipment"]:
            raise _bad(NOT_FOUND, f"Equipment {equipment} does not exist", "Equipment")
        record.update(CreationDate=today.isoformat(), MaintenanceProcessingPhase="0")
        record.setdefault("MaintenancePlant", record["MaintenancePlanningPlant"])
        record.setdefault("MaintOrdBasicStartDate", today.isoformat())
        record.setdefault("MaintOrdBasicEndDate", today.isoformat())
    try:
        record_id = emulator.insert(entity_set.name, record)
    except InvalidRecord as exc:
        raise _bad(INVALID_PROPERTY, exc.detail) from exc
    return tuple(record_id.split("/"))


def check_if_match(
    emulator: SapEmulator,
    service: Service,
    entity_set: EntitySet,
    key: Key,
    record: Record,
    if_match: str | None,
) -> None:
    current = emulator.etag(entity_set, key, record, service.version)
    if current is None:
        return
    if if_match is None or not if_match.strip():
        raise ODataError(
            428, PRECONDITION_REQUIRED, "Precondition required: send If-Match with the ETag"
        )
    sent = [tag.strip() for tag in if_match.split(",")]
    if "*" not in sent and current not in sent:
        raise ODataError(
            412,
            PRECONDITION_FAILED,
            "The entity has been modified since it was read (ETag mismatch); read it again",
        )


def _po_rules(emulator: SapEmulator, entity_set: EntitySet, key: Key, changed: set[str]) -> None:
    header = emulator.dataset.tables["purchase_order"].get(key[:1])
    assert header is not None
    number = key[0]
    if header["PurchasingDocumentDeletionCode"] == "L" and changed - {
        "PurchasingDocumentDeletionCode"
    }:
        raise _bad(DELETED, f"Purchase order {number} is deleted and cannot be changed")
    allowed = _RELEASED_CHANGEABLE[entity_set.table]
    if header["PurchasingProcessingStatus"] == "05" and changed - allowed:
        fields = ", ".join(sorted(changed - allowed))
        raise _bad(
            RELEASED,
            f"Purchase order {number} is released; only delivery dates can be changed "
            f"(not {fields})",
            sorted(changed - allowed)[0],
        )


def update(
    emulator: SapEmulator,
    service: Service,
    entity_set: EntitySet,
    key: Key,
    body: Any,
    *,
    if_match: str | None,
) -> None:
    """PATCH / MERGE / PUT: only the properties sent change; the change stamp moves."""
    if not entity_set.updatable:
        raise not_implemented(entity_set, "UPDATE")
    rows = emulator.dataset.tables[entity_set.table]
    record = rows.get(key)
    if record is None:
        raise ODataError(404, NOT_FOUND, f"Resource not found for segment '{entity_set.type_name}'")
    check_if_match(emulator, service, entity_set, key, record, if_match)
    if not isinstance(body, Mapping):
        raise _bad(INVALID_PROPERTY, "The request body must be a JSON object")
    changes: dict[str, Any] = {}
    for name, raw in body.items():
        prop = entity_set.by_name.get(name)
        if prop is None:
            raise _bad(
                INVALID_PROPERTY,
                f"Property '{name}' is invalid for type {entity_set.type_name}",
                name,
            )
        try:
            value = parse_json_value(prop.type, raw)
        except ValueError as exc:
            raise _bad(INVALID_PROPERTY, f"Invalid value for property {name}: {exc}", name) from exc
        if value == record.get(name):
            continue
        if prop.key or prop.read_only:
            raise _bad(INVALID_PROPERTY, f"Property {name} cannot be changed", name)
        changes[name] = value
    if entity_set.table in _PO_TABLES:
        _po_rules(emulator, entity_set, key, set(changes))
    elif entity_set.table == "maintenance_order" and record["MaintenanceProcessingPhase"] in (
        "2",
        "3",
    ):
        raise _bad(
            ORDER_COMPLETED,
            f"Order {key[0]} is completed; changes are not allowed",
        )
    if changes:
        rows.put({**record, **changes})
    emulator.bump(entity_set.table, key)
