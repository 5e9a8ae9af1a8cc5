"""Microsoft Dynamics 365 Business Central emulator: API v2.0, the analytics API and the Entra
client-credentials token endpoint, over a deterministic dataset.

Confirmed behaviour followed as documented: the API root
``/v2.0/{tenant}/{environment}/api/v2.0``; ``companies`` (``{"value": [...]}``) and entity sets
under ``companies({id})``: ``purchaseOrders`` (with ``purchaseOrderLines``, ``$expand`` and the
navigation ``purchaseOrders({id})/purchaseOrderLines``), ``vendors``, ``items``, ``locations``;
the analytics API ``/api/microsoft/analytics/v1.0/companies({id})/manufacturingProductionOrders``
(read-only; ``status``, ``no``, ``sourceType``, ``sourceNo``, ``routingNo``, ``startingDate``,
``endingDate``, ``dueDate``, ``quantity``, ``description``; no id and no change stamp); the
client-credentials grant with scope ``https://api.businesscentral.dynamics.com/.default``; a
bearer token on every API call, ``Authentication_InvalidCredentials`` (401) otherwise;
``lastModifiedDateTime`` on purchase orders, vendors and items, none on lines;
``$filter=lastModifiedDateTime gt 2024-05-01T00:00:00Z`` (unquoted instant); server-driven
pages of at most 20,000 entities with ``@odata.nextLink`` carrying ``$skiptoken``; ``$top``,
``$skip``; ``@odata.etag`` on every entity; ``If-Match`` required on PATCH; PATCH answering 200
with the entity; purchase order ``status`` ``Draft`` / ``In Review`` / ``Open``; vendor
``blocked`` ``" "`` / ``Payment`` / ``All``; item ``type`` ``Inventory`` / ``Service`` /
``Non-Inventory`` and ``inventory``; the error body ``{"error": {"code", "message"}}``; 429
when throttled.

Inferred behaviour ([I]: chosen here, not confirmed against a live tenant):

- The token endpoint is served by the emulator at ``/{tenant}/oauth2/v2.0/token`` (the real one
  is ``login.microsoftonline.com``); ``expires_in`` is an integer (3599). Refusals follow Entra:
  unknown tenant 400 ``AADSTS90002``, wrong grant 400 ``AADSTS70003``, unknown client 400
  ``AADSTS700016``, wrong secret 401 ``AADSTS7000215``, a scope without ``/.default`` 400
  ``AADSTS1002012``. A token of another tenant, or none, is 401
  ``Authentication_InvalidCredentials`` with a ``WWW-Authenticate`` header. An unknown
  environment is 404 ``BadRequest_ResourceNotFound``. The same tenant and environment are
  also served at the host root, as a server instance serves its one tenant: ``/api/v2.0/...``
  with the token endpoint at ``/oauth2/v2.0/token`` (so the announced host URL and sandbox
  connections work without a path).
- Error messages end with ``  CorrelationId:  <guid>.``. Unknown segments are 404
  ``BadRequest_ResourceNotFound``, unknown keys (company, record, line) 404
  ``BadRequest_NotFound``; bad query options, unknown properties, bad literals 400
  ``BadRequest``; a bad ``$skiptoken`` 400 ``BadRequest_InvalidToken``.
- Concurrency: ``If-Match`` missing or not an entity tag is 400 ``BadRequest_InvalidToken``
  ("Could not validate the client concurrency token ..."); ``*`` matches anything; a stale tag
  is **412** ``Request_EntityChanged`` ("Another user has already changed the record."). ETags
  are weak, opaque and change with every change of the record. DELETE also needs ``If-Match``.
- Paging is keyset: ``$skiptoken`` holds the sort key of the last entity, so records changed
  between pages neither repeat nor vanish. Default order is the primary key (number);
  ``$orderby=lastModifiedDateTime`` (optionally ``,id``) is read lazily, other orders are
  sorted in memory. ``Prefer: odata.maxpagesize=N`` lowers the page size. ``$count=true`` adds
  ``@odata.count``. ``$filter`` takes ``eq ne gt ge lt le``, ``and``, ``or``, ``not`` and
  parentheses, no functions.
- Changing a purchase order line stamps its order (``lastModifiedDateTime`` and ETag), so
  incremental reads of orders see line changes.
- Blank dates render as ``0001-01-01``; the local currency renders as ``USD``.
- Writes: ``POST purchaseOrders`` (deep insert of ``purchaseOrderLines``) answers 201 with the
  entity (lines with ``$expand=purchaseOrderLines``) and a ``Location`` header; new orders are
  ``Draft`` and numbered from the series. A vendor or item that does not exist is 400
  ``Application_FieldValidationException``; a vendor blocked ``All`` or a blocked item 400
  ``Application_DialogException``. Read-only properties are 400 ``BadRequest``; unknown ones
  too. An ``Open`` (released) or ``In Review`` order refuses every change but
  ``requestedReceiptDate`` on the header and ``expectedReceiptDate`` on lines, and refuses new
  or deleted lines and its own deletion, with 400 ``Application_DialogException`` "Status must
  be equal to 'Open'  in Purchase Header: ... Current value is 'Released'." (the API's ``Open``
  is the document status Released). The vendor of an order cannot change. A line's quantity
  cannot go below what was received; a received line or order cannot be deleted. DELETE answers
  204 and removes the record for good (Business Central has no soft delete).
- Faults: an outage is 503 ``ServiceUnavailable``, a rate limit 429
  ``Application_TooManyRequests`` with ``Retry-After``, revoked credentials 401
  ``Authentication_InvalidCredentials``, a server error 500 ``Internal_ServerError``. Faults
  apply to the token endpoint too.
- Scenarios (the first purchase orders, in order): ``open``, ``draft``, ``in_review``,
  ``partially_received``, ``received``, ``custom_fields`` (a tenant extension's
  ``projectCode`` and ``receivingDock`` properties), ``unknown_vendor`` (a vendor id and
  number that no vendor has), ``out_of_stock`` (a line of an item with ``inventory`` 0),
  ``malformed`` (an empty number and the order date ``2025-02-30``). Vendor 3 is blocked for
  payments, vendor 4 for everything; the last item is blocked; a second company ``My Company``
  holds no data.
- Unsupported: ``$batch``, ``$metadata`` documents, bound actions
  (``Microsoft.NAV.receiveAndInvoice``), other entity sets, filter functions, ``$expand``
  other than ``purchaseOrderLines``, webhooks (``subscriptions``).
"""

from __future__ import annotations

from ironbridge.emulators.dynamics_bc.app import create_app
from ironbridge.emulators.dynamics_bc.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ENVIRONMENT,
    DEFAULT_TENANT,
    ENTITY_SETS,
    DynamicsBcEmulator,
)
from ironbridge.emulators.dynamics_bc.samples import (
    OUT_OF_STOCK_ITEMS,
    PO_SCENARIOS,
    UNKNOWN_VENDOR_ID,
    guid,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_TENANT",
    "ENTITY_SETS",
    "OUT_OF_STOCK_ITEMS",
    "PO_SCENARIOS",
    "UNKNOWN_VENDOR_ID",
    "DynamicsBcEmulator",
    "create_app",
    "guid",
]
