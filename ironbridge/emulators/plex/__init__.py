"""Plex (Rockwell) Connect REST API emulator: one tenant's purchasing, master data, inventory
and scheduling resources as bare JSON arrays.

Confirmed behaviour followed as documented ([C]):

- Paths: ``/purchasing/v1/purchase-orders[/{id}]``, ``/purchasing/v1/purchase-orders/{id}/
  line-items[/{lineItemId}]``, ``/purchasing/v1/purchase-order-statuses``,
  ``/mdm/v1/suppliers[/{id}]``, ``/mdm/v2/parts`` (``/mdm/v1/parts`` too),
  ``/inventory/v1/inventory-tracking/containers`` (active containers = on hand),
  ``/inventory-tracking/v1/containers/{serialNumber}``,
  ``/inventory/v1/inventory-definitions/locations``, ``/scheduling/v1/jobs``.
- Auth: the ``X-Plex-Connect-Api-Key`` header; ``X-Plex-Connect-Customer-Id`` (PCN) or
  ``X-Plex-Connect-Tenant-Id`` pick the tenant, the app's default without them;
  ``X-Plex-Connect-Api-Secret`` is optional. A bad key answers 401
  ``REQUEST_NOT_AUTHENTICATED`` "The request could not be authenticated."
- Lists are bare JSON arrays with no envelope and no paging; ``limit`` and any unknown query
  parameter are ignored (``updatedAfter`` is a silent no-op); list parameters repeat
  (``?id=a&id=b``). 404 ``RESOURCE_NOT_FOUND`` answers an unknown route and a list with no data;
  400 ``ARGUMENT_INVALID`` a date that is not UTC ``YYYY-MM-DDThh:mm:ss[.fffffff]Z``.
- Field names of PurchaseOrderDto, LineItemDto (quantities on its releases), suppliers, active
  containers (key ``serialNo``, stamp ``updateDateTime``), jobs and locations as in the
  reference; change stamps ``modifiedDate`` (``modifiedDateTime`` on parts v2 and locations).
- Purchase order statuses are the tenant's own names with the flags ``active, default, receive,
  cancelled, release, onOrder, received, includeInMrp``: here ``Quote`` (default), ``Open``,
  ``Firm``, ``Complete``, ``Closed`` (received, inactive) and ``Void`` (cancelled).

Inferred behaviour ([I]: chosen here, not confirmed against a live tenant):

- The 200 calls/minute limit (``calls_per_minute=200`` to switch it on) answers 429
  ``TOO_MANY_REQUESTS`` without ``Retry-After``. Faults set through ``/_emulator/faults`` come
  from the shared middleware, whose 429 carries ``Retry-After``; outages answer 503
  ``SERVICE_UNAVAILABLE``, server errors 500 ``PROCESSING_ERROR``, revoked keys 401.
- A tenant header naming another PCN or tenant answers 401 like a bad key; a wrong
  ``X-Plex-Connect-Api-Secret`` too (no secret sent: not checked).
- Each line item embeds its releases (``quantity``, ``quantityReceived``, ``dueDateTime``,
  ``status``, ``partial``) so that one ``line-items`` call per order carries quantities.
- Filters: purchase orders ``id, poNumber, supplierId, status``; suppliers ``id, code,
  status``; parts ``id, number, status``; locations ``id, locationCode, buildingCode``;
  containers ``serialNo, partId, locationId``; jobs ``id, jobNumber, jobStatus``; parameter
  names are case-insensitive, values compared case-insensitively.
- Part v2 fields ``id, number, revision, name, description, type, group, source, status,
  inventoryUnit, createdDateTime, modifiedDateTime``. Jobs have no change stamp.
- Supplier statuses ``Approved, Preferred, Probation, On Hold, Inactive``; job statuses
  ``Scheduled, Released, In Production, Complete, Closed, Cancelled``; location types
  ``Warehouse, Stores, Production, Receiving, Shipping, Quality``.
- Custom fields: the tenant's ``costCenter`` and ``projectCode`` purchase order attributes,
  rendered at the top level when set.
- Writes: ``POST /purchasing/v1/purchase-orders`` (``supplierId`` and ``lineItems`` with a
  ``quantity`` each are required; ``currencyCode`` defaults to USD; the order starts in the
  default status, unapproved) answers 201 with the order and ``Location``; ``PUT
  .../purchase-orders/{id}`` applies the fields it is given (header fields, custom fields,
  ``status`` by name, ``lineItems`` matched by ``lineItemNumber``, new ones without it) and
  answers 200 with the order. An approved order (``approvedDate`` set, status neither
  cancelled nor received) takes only ``dueDate``, ``scheduledReceiptDate`` and line ``dueDate``
  changes: anything else is 409 ``RESOURCE_CONFLICT`` "Purchase order N is approved; only due
  dates can be changed." A received or cancelled order takes no change (409). Voiding (a
  cancelled status) is allowed on any other order. ``DELETE`` answers 405: Plex keeps orders.
  An inactive or unknown supplier, an unknown part or a bad date is 400 ``ARGUMENT_INVALID``.
- Records are stamped over ``span_days`` (default 365) up to ``anchor`` (default: now), oldest
  first in index order; lists come in index order, not sorted by date. ``page_size`` is
  accepted and ignored (Plex does not page).
- Deleting through the control endpoint retires records as Plex does: orders voided,
  suppliers inactive, parts obsolete, jobs cancelled; locations and containers leave the list.
- Scenarios (first purchase orders, in order): draft, pending approval, approved, partially
  received, received, closed, cancelled, custom fields, unknown vendor (a supplier id that
  does not exist), malformed (``poDate`` not a date). Supplier 0 is inactive, supplier 1 on
  hold, part 0 obsolete, container 0 empty (out of stock) and part 1 has no container.
"""

from __future__ import annotations

from ironbridge.emulators.plex.app import create_app
from ironbridge.emulators.plex.dataset import PO_SCENARIOS, PO_STATUSES, PlexDataset
from ironbridge.emulators.plex.emulator import (
    DEFAULT_API_KEY,
    DEFAULT_CUSTOMER_ID,
    DEFAULT_TENANT_ID,
    PlexEmulator,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CUSTOMER_ID",
    "DEFAULT_TENANT_ID",
    "PO_SCENARIOS",
    "PO_STATUSES",
    "PlexDataset",
    "PlexEmulator",
    "create_app",
]
