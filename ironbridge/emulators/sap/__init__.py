"""SAP S/4HANA emulator: the OData V2 and V4 APIs a connector uses, over a deterministic dataset.

Services (all under ``/sap/opu/odata/sap/`` unless noted): ``API_PURCHASEORDER_PROCESS_SRV``
(``A_PurchaseOrder``, ``A_PurchaseOrderItem``, ``A_PurchaseOrderScheduleLine``), the V4
``/sap/opu/odata4/sap/api_purchaseorder_2/srvd_a2x/sap/purchaseorder/0001/`` (``PurchaseOrder``,
``PurchaseOrderItem``, ``PurchaseOrderScheduleLine``), ``API_BUSINESS_PARTNER/A_Supplier``,
``API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod``, ``API_PLANT_SRV/A_Plant``,
``API_PRODUCT_SRV/A_Product`` (+ ``A_ProductDescription``), ``API_EQUIPMENT/Equipment``,
``API_MAINTENANCEORDER/MaintenanceOrder``, ``API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2``.
Each answers ``$metadata`` and its service document too.

Inferred behaviour ([I]: chosen here, not confirmed against a live tenant):

- Auth: Basic (user name case-insensitive) or ``Bearer <token>``. A bad login, or a
  ``sap-client`` other than the configured one, gets 401 with
  ``WWW-Authenticate: Basic realm="SAP NetWeaver Application Server [S4H/100]"`` and an HTML
  body (the ICF logon page), not JSON.
- V2 reads need ``$format=json`` or an ``Accept`` with ``application/json``; otherwise 406
  (the real service would answer Atom XML, which the emulator does not produce).
- Server-driven paging: at most ``page_size`` (default 100) entities per response, whatever
  ``$top`` says; ``$skiptoken`` is the number of entities already delivered (offset-based, so a
  record changed between pages can be missed or seen twice, as with SAP Gateway). ``__next`` and
  ``@odata.nextLink`` are absolute URLs carrying every original query option.
- V4 ``@odata.nextLink`` is absolute (the standard also allows relative links).
- V2 error body: ``error.code``, ``error.message.{lang,value}``, ``innererror`` with
  ``application``, ``transactionid``, ``timestamp``, ``errordetails``. V4 error body follows the
  OData V4 JSON shape: ``error.code``, ``error.message`` as a string, ``target``, ``details``,
  ``innererror``. Error codes: 404 ``/IWBEP/CM_MGW_RT/020``, filter/option errors 400
  ``/IWBEP/CM_MGW_RT/022``, unknown service 404 ``/IWFND/MED/170``, unsupported operation 501
  ``/IWBEP/CM_MGW_RT/021``; business errors use message-class style codes (``06/023`` ...).
- ``$filter`` literals are checked strictly per version and property type: V2 takes
  ``datetimeoffset'...'`` for Edm.DateTimeOffset and ``datetime'...'`` for dates; V4 takes bare
  ``2024-05-01T00:00:00Z`` / ``2024-05-01``. Any other form is a 400. Production order
  ``LastChangeDateTime`` (packed decimal) filters with a number (``gt 20240501000000``, an ``M``
  suffix is accepted).
- ``LastChangeDateTime`` of writes has millisecond precision and always moves forward. V4 renders
  Edm.DateTimeOffset with 7 fractional digits (``2024-05-01T12:00:00.0000000Z``); V2 renders it
  as ``/Date(ms+0000)/`` and dates as ``/Date(ms)/``.
- ETags are weak and derived from the purchase order's ``LastChangeDateTime``: V2
  ``W/"datetimeoffset'2024-05-01T12%3A00%3A00.0000000Z'"``, V4 ``W/"20240501120000.0000000"``.
  Items and schedule lines carry their purchase order's ETag; a maintenance order its own.
- Updates (PATCH, MERGE, PUT, or POST with ``X-HTTP-Method``) need ``If-Match`` in V2 and V4:
  missing 428, stale 412, ``*`` accepted. They answer 204 with the new ``ETag`` header.
- Creates answer 201 with the entity (navigation expanded), ``Location`` and ``ETag``. A new
  purchase order gets ``PurchasingProcessingStatus`` ``02``; mandatory header fields:
  CompanyCode, PurchaseOrderType, Supplier, PurchasingOrganization, PurchasingGroup,
  DocumentCurrency; per item: Plant, OrderQuantity, PurchaseOrderQuantityUnit. An unknown or
  blocked supplier, or an unknown material, is a 400.
- A released purchase order (``PurchasingProcessingStatus`` ``05``) takes only schedule line
  ``ScheduleLineDeliveryDate`` changes and the deletion code; anything else is a 400 with code
  ``06/023``. A deleted one (code ``L``) takes nothing but its deletion code.
- DELETE on any entity answers 501 (SAP Gateway's "not implemented in data provider class");
  purchase orders are deleted by PATCHing ``PurchasingDocumentDeletionCode`` to ``L``.
- V4 schedule lines use the V2 field names (``PurchasingDocument``, ``PurchasingDocumentItem``,
  ``ScheduleLine``); the V4 sets carry the same properties as their V2 counterparts.
- Custom fields: ``YY1_ProjectCode_PDH``, ``ZZ1_ReceivingDock_PDH`` on the header and
  ``YY1_InspectionLevel_PDI`` on items, empty except on purchase orders with custom fields.
- Entity sets the reference does not name: ``A_Product`` / ``A_ProductDescription``
  (materials), ``Equipment`` (assets, key ``Equipment`` only), ``A_PurchaseOrderScheduleLine``
  fields, and properties beyond the confirmed ones on every set (e.g. ``PlantName``,
  ``MaintenanceProcessingPhase`` ``0`` outstanding, ``1`` released, ``2`` technically completed,
  ``3`` closed). Maintenance orders are creatable and updatable (PATCH), not when ``2``/``3``.
- Rate limiting (a fault) answers like SAP API Management in front of S/4HANA: 429,
  ``Retry-After`` and ``{"fault": {"faultstring": ..., "detail": {"errorcode": ...}}}``.
  An outage ``503`` answers an OData error body with code ``/IWFND/CM_BEC/026``.
- CSRF: ``X-CSRF-Token: Fetch`` on any GET/HEAD returns a token and the cookies
  ``SAP_SESSIONID_S4H_<client>`` and ``sap-XSRF_S4H_<client>``; a write needs the token and the
  session cookie, else 403 ``CSRF token validation failed`` with ``x-csrf-token: Required``.
  Tokens live ``csrf_ttl`` seconds (default 1800); ``expire_csrf_tokens()`` ends them all.
- Unsupported: ``$batch``, ``$search``, Atom XML, ``$filter`` on navigation paths, lambda
  operators, arithmetic.
"""

from __future__ import annotations

from ironbridge.emulators.sap.app import create_app
from ironbridge.emulators.sap.dataset import SCENARIOS, SapDataset
from ironbridge.emulators.sap.emulator import (
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SapEmulator,
)
from ironbridge.emulators.sap.samples import OUT_OF_STOCK_MATERIALS, UNKNOWN_SUPPLIER, Malformed

__all__ = [
    "DEFAULT_BEARER_TOKEN",
    "DEFAULT_CLIENT",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "OUT_OF_STOCK_MATERIALS",
    "SCENARIOS",
    "UNKNOWN_SUPPLIER",
    "Malformed",
    "SapDataset",
    "SapEmulator",
    "create_app",
]
