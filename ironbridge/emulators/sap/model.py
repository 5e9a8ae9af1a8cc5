"""The SAP services, entity sets and properties the emulator serves (names follow SAP's APIs).

Each entity set points at an internal table of the dataset; the V2 and V4 purchase order sets
share the same tables, so a write through one protocol is seen through the other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "SERVICES",
    "V2_ROOT",
    "V4_PO_ROOT",
    "Edm",
    "EntitySet",
    "Nav",
    "Prop",
    "Service",
    "find_entity_set",
]

V2_ROOT = "/sap/opu/odata/sap"
V4_PO_ROOT = "/sap/opu/odata4/sap/api_purchaseorder_2/srvd_a2x/sap/purchaseorder/0001"


class Edm(enum.Enum):
    """Property types: ``(kind, V2 EDM name, V4 EDM name)``."""

    STRING = ("string", "Edm.String", "Edm.String")
    BOOLEAN = ("boolean", "Edm.Boolean", "Edm.Boolean")
    DECIMAL = ("decimal", "Edm.Decimal", "Edm.Decimal")
    # a calendar date: Edm.DateTime (display-format Date) in V2, Edm.Date in V4
    DATE = ("date", "Edm.DateTime", "Edm.Date")
    DATETIMEOFFSET = ("datetimeoffset", "Edm.DateTimeOffset", "Edm.DateTimeOffset")
    # SAP's packed timestamp YYYYMMDDhhmmss: an Edm.Decimal, a string in V2 JSON
    TIMESTAMP = ("timestamp", "Edm.Decimal", "Edm.Decimal")

    def edm_name(self, version: int) -> str:
        return self.value[1] if version == 2 else self.value[2]


@dataclass(frozen=True, slots=True)
class Prop:
    name: str
    type: Edm = Edm.STRING
    key: bool = False
    # set by the system: ignored in create bodies, refused in updates
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Nav:
    """A to-many navigation to the children of this entity in ``target``."""

    name: str
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitySet:
    name: str
    type_name: str
    table: str
    props: tuple[Prop, ...]
    navs: tuple[Nav, ...] = ()
    etag: bool = False
    creatable: bool = False
    updatable: bool = False
    by_name: dict[str, Prop] = field(init=False, repr=False, compare=False)
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.props})
        object.__setattr__(self, "keys", tuple(p.name for p in self.props if p.key))

    def nav(self, name: str) -> Nav | None:
        return next((n for n in self.navs if n.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    name: str
    root: str
    version: Literal[2, 4]
    namespace: str
    component: str
    sets: tuple[EntitySet, ...]

    def entity_set(self, name: str) -> EntitySet | None:
        return next((s for s in self.sets if s.name == name), None)


S, B, D, DT, DTO, TS = (
    Edm.STRING,
    Edm.BOOLEAN,
    Edm.DECIMAL,
    Edm.DATE,
    Edm.DATETIMEOFFSET,
    Edm.TIMESTAMP,
)


def _props(*specs: tuple[str, Edm] | Prop) -> tuple[Prop, ...]:
    return tuple(s if isinstance(s, Prop) else Prop(s[0], s[1]) for s in specs)


PO_HEADER = _props(
    Prop("PurchaseOrder", S, key=True, read_only=True),
    ("CompanyCode", S),
    ("PurchaseOrderType", S),
    ("PurchasingDocumentDeletionCode", S),
    Prop("PurchasingProcessingStatus", S, read_only=True),
    Prop("CreatedByUser", S, read_only=True),
    Prop("CreationDate", DT, read_only=True),
    Prop("LastChangeDateTime", DTO, read_only=True),
    ("Supplier", S),
    ("Language", S),
    ("PaymentTerms", S),
    ("PurchasingOrganization", S),
    ("PurchasingGroup", S),
    ("PurchaseOrderDate", DT),
    ("DocumentCurrency", S),
    ("IncotermsClassification", S),
    Prop("PurchasingCompletenessStatus", B, read_only=True),
    Prop("ReleaseIsNotCompleted", B, read_only=True),
    ("YY1_ProjectCode_PDH", S),
    ("ZZ1_ReceivingDock_PDH", S),
)

PO_ITEM = _props(
    Prop("PurchaseOrder", S, key=True, read_only=True),
    Prop("PurchaseOrderItem", S, key=True),
    ("PurchaseOrderItemText", S),
    ("Material", S),
    ("MaterialGroup", S),
    ("Plant", S),
    ("StorageLocation", S),
    ("OrderQuantity", D),
    ("PurchaseOrderQuantityUnit", S),
    ("NetPriceAmount", D),
    ("NetPriceQuantity", D),
    ("DocumentCurrency", S),
    ("PurchaseOrderItemCategory", S),
    ("AccountAssignmentCategory", S),
    ("IsCompletelyDelivered", B),
    ("IsFinallyInvoiced", B),
    ("PurchasingDocumentDeletionCode", S),
    ("YY1_InspectionLevel_PDI", S),
)

SCHEDULE_LINE = _props(
    Prop("PurchasingDocument", S, key=True, read_only=True),
    Prop("PurchasingDocumentItem", S, key=True, read_only=True),
    Prop("ScheduleLine", S, key=True, read_only=True),
    ("DelivDateCategory", S),
    ("ScheduleLineDeliveryDate", DT),
    ("PurchaseOrderQuantityUnit", S),
    ("ScheduleLineOrderQuantity", D),
)

SUPPLIER = _props(
    Prop("Supplier", S, key=True),
    ("BusinessPartner", S),
    ("SupplierAccountGroup", S),
    ("SupplierName", S),
    ("SupplierFullName", S),
    ("CreatedByUser", S),
    ("CreationDate", DT),
    ("PostingIsBlocked", B),
    ("PurchasingIsBlocked", B),
    ("PaymentIsBlockedForSupplier", B),
    ("DeletionIndicator", B),
    ("VATRegistration", S),
)

STOCK = _props(
    Prop("Material", S, key=True),
    Prop("Plant", S, key=True),
    Prop("StorageLocation", S, key=True),
    Prop("Batch", S, key=True),
    Prop("Supplier", S, key=True),
    Prop("Customer", S, key=True),
    Prop("WBSElementInternalID", S, key=True),
    Prop("SDDocumentItem", S, key=True),
    Prop("InventorySpecialStockType", S, key=True),
    Prop("InventoryStockType", S, key=True),
    ("MaterialBaseUnit", S),
    ("MatlWrhsStkQtyInMatlBaseUnit", D),
)

PLANT = _props(
    Prop("Plant", S, key=True),
    ("PlantName", S),
    ("ValuationArea", S),
    ("FactoryCalendar", S),
    ("DefaultPurchasingOrganization", S),
    ("SalesOrganization", S),
    ("AddressID", S),
    ("Language", S),
    ("IsMarkedForArchiving", B),
)

PRODUCT = _props(
    Prop("Product", S, key=True),
    ("ProductType", S),
    ("ProductGroup", S),
    ("BaseUnit", S),
    ("ItemCategoryGroup", S),
    ("CreatedByUser", S),
    ("CreationDate", DT),
    ("LastChangeDate", DT),
    Prop("LastChangeDateTime", DTO, read_only=True),
    ("IsMarkedForDeletion", B),
)

PRODUCT_DESCRIPTION = _props(
    Prop("Product", S, key=True),
    Prop("Language", S, key=True),
    ("ProductDescription", S),
)

EQUIPMENT = _props(
    Prop("Equipment", S, key=True),
    ("EquipmentName", S),
    ("EquipmentCategory", S),
    ("TechnicalObjectType", S),
    ("MaintenancePlant", S),
    ("MaintenancePlanningPlant", S),
    ("FunctionalLocation", S),
    ("ManufacturerName", S),
    ("ManufacturerPartTypeName", S),
    ("SerialNumber", S),
    ("CreationDate", DT),
    Prop("LastChangeDateTime", DTO, read_only=True),
)

MAINTENANCE_ORDER = _props(
    Prop("MaintenanceOrder", S, key=True, read_only=True),
    ("MaintenanceOrderType", S),
    ("MaintenanceOrderDesc", S),
    ("MaintenancePlanningPlant", S),
    ("MaintenancePlant", S),
    ("MainWorkCenter", S),
    ("Equipment", S),
    ("FunctionalLocation", S),
    ("MaintPriority", S),
    ("MaintOrdBasicStartDate", DT),
    ("MaintOrdBasicEndDate", DT),
    ("MaintenanceProcessingPhase", S),
    Prop("CreationDate", DT, read_only=True),
    Prop("LastChangeDateTime", DTO, read_only=True),
)

PRODUCTION_ORDER = _props(
    Prop("ManufacturingOrder", S, key=True),
    ("ManufacturingOrderCategory", S),
    ("ManufacturingOrderType", S),
    ("ManufacturingOrderText", S),
    ("Material", S),
    ("ProductionPlant", S),
    ("StorageLocation", S),
    ("MfgOrderPlannedTotalQty", D),
    ("ProductionUnit", S),
    ("MfgOrderCreationDate", DT),
    ("MfgOrderPlannedStartDate", DT),
    ("MfgOrderPlannedEndDate", DT),
    ("LastChangeDateTime", TS),
    ("OrderIsCreated", S),
    ("OrderIsReleased", S),
    ("OrderIsPartiallyReleased", S),
    ("OrderIsConfirmed", S),
    ("OrderIsPartiallyConfirmed", S),
    ("OrderIsDelivered", S),
    ("OrderIsPartiallyDelivered", S),
    ("OrderIsTechnicallyCompleted", S),
    ("OrderIsClosed", S),
    ("OrderIsLocked", S),
    ("OrderIsDeleted", S),
    ("OrderIsMarkedForDeletion", S),
)

PO_V2 = "API_PURCHASEORDER_PROCESS_SRV"

SERVICES: tuple[Service, ...] = (
    Service(
        name=PO_V2,
        root=f"{V2_ROOT}/{PO_V2}",
        version=2,
        namespace=PO_V2,
        component="MM-PUR-PO",
        sets=(
            EntitySet(
                name="A_PurchaseOrder",
                type_name="A_PurchaseOrderType",
                table="purchase_order",
                props=PO_HEADER,
                navs=(Nav("to_PurchaseOrderItem", "A_PurchaseOrderItem"),),
                etag=True,
                creatable=True,
                updatable=True,
            ),
            EntitySet(
                name="A_PurchaseOrderItem",
                type_name="A_PurchaseOrderItemType",
                table="purchase_order_item",
                props=PO_ITEM,
                navs=(Nav("to_ScheduleLine", "A_PurchaseOrderScheduleLine"),),
                etag=True,
                updatable=True,
            ),
            EntitySet(
                name="A_PurchaseOrderScheduleLine",
                type_name="A_PurchaseOrderScheduleLineType",
                table="schedule_line",
                props=SCHEDULE_LINE,
                etag=True,
                updatable=True,
            ),
        ),
    ),
    Service(
        name="api_purchaseorder_2",
        root=V4_PO_ROOT,
        version=4,
        namespace="com.sap.gateway.srvd_a2x.api_purchaseorder_2.v0001",
        component="MM-PUR-PO",
        sets=(
            EntitySet(
                name="PurchaseOrder",
                type_name="PurchaseOrderType",
                table="purchase_order",
                props=PO_HEADER,
                navs=(Nav("_PurchaseOrderItem", "PurchaseOrderItem"),),
                etag=True,
                creatable=True,
                updatable=True,
            ),
            EntitySet(
                name="PurchaseOrderItem",
                type_name="PurchaseOrderItemType",
                table="purchase_order_item",
                props=PO_ITEM,
                navs=(Nav("_PurchaseOrderScheduleLine", "PurchaseOrderScheduleLine"),),
                etag=True,
                updatable=True,
            ),
            EntitySet(
                name="PurchaseOrderScheduleLine",
                type_name="PurchaseOrderScheduleLineType",
                table="schedule_line",
                props=SCHEDULE_LINE,
                etag=True,
                updatable=True,
            ),
        ),
    ),
    Service(
        name="API_BUSINESS_PARTNER",
        root=f"{V2_ROOT}/API_BUSINESS_PARTNER",
        version=2,
        namespace="API_BUSINESS_PARTNER",
        component="LO-MD-BP",
        sets=(
            EntitySet(
                name="A_Supplier", type_name="A_SupplierType", table="supplier", props=SUPPLIER
            ),
        ),
    ),
    Service(
        name="API_MATERIAL_STOCK_SRV",
        root=f"{V2_ROOT}/API_MATERIAL_STOCK_SRV",
        version=2,
        namespace="API_MATERIAL_STOCK_SRV",
        component="MM-IM",
        sets=(
            EntitySet(
                name="A_MatlStkInAcctMod",
                type_name="A_MatlStkInAcctModType",
                table="stock",
                props=STOCK,
            ),
        ),
    ),
    Service(
        name="API_PLANT_SRV",
        root=f"{V2_ROOT}/API_PLANT_SRV",
        version=2,
        namespace="API_PLANT_SRV",
        component="LO-MD-PL",
        sets=(EntitySet(name="A_Plant", type_name="A_PlantType", table="plant", props=PLANT),),
    ),
    Service(
        name="API_PRODUCT_SRV",
        root=f"{V2_ROOT}/API_PRODUCT_SRV",
        version=2,
        namespace="API_PRODUCT_SRV",
        component="LO-MD-MM",
        sets=(
            EntitySet(
                name="A_Product",
                type_name="A_ProductType",
                table="product",
                props=PRODUCT,
                navs=(Nav("to_Description", "A_ProductDescription"),),
            ),
            EntitySet(
                name="A_ProductDescription",
                type_name="A_ProductDescriptionType",
                table="product_description",
                props=PRODUCT_DESCRIPTION,
            ),
        ),
    ),
    Service(
        name="API_EQUIPMENT",
        root=f"{V2_ROOT}/API_EQUIPMENT",
        version=2,
        namespace="API_EQUIPMENT",
        component="PM-EQM-EQ",
        sets=(
            EntitySet(
                name="Equipment", type_name="EquipmentType", table="equipment", props=EQUIPMENT
            ),
        ),
    ),
    Service(
        name="API_MAINTENANCEORDER",
        root=f"{V2_ROOT}/API_MAINTENANCEORDER",
        version=2,
        namespace="API_MAINTENANCEORDER",
        component="PM-WOC-MO",
        sets=(
            EntitySet(
                name="MaintenanceOrder",
                type_name="MaintenanceOrderType",
                table="maintenance_order",
                props=MAINTENANCE_ORDER,
                etag=True,
                creatable=True,
                updatable=True,
            ),
        ),
    ),
    Service(
        name="API_PRODUCTION_ORDER_2_SRV",
        root=f"{V2_ROOT}/API_PRODUCTION_ORDER_2_SRV",
        version=2,
        namespace="API_PRODUCTION_ORDER_2_SRV",
        component="PP-SFC",
        sets=(
            EntitySet(
                name="A_ProductionOrder_2",
                type_name="A_ProductionOrder_2Type",
                table="production_order",
                props=PRODUCTION_ORDER,
            ),
        ),
    ),
)


def find_entity_set(name: str) -> tuple[Service, EntitySet] | None:
    """The service and entity set of a set name (V2 and V4 names do not collide)."""
    for service in SERVICES:
        found = service.entity_set(name)
        if found is not None:
            return service, found
    return None
