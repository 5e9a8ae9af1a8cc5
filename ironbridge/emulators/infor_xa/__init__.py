"""Infor XA emulator: System-Link XML over ``POST /SystemLink/servlet/SystemLinkServlet``.

Confirmed behaviour followed as documented: ``text/xml`` posts (and a GET with
``?SystemLinkRequest=``); the ``System-Link`` envelope; ``Login`` (``userId``, ``password``,
``maxIdle``, ``properties``) answered by ``LoginResponse`` with ``SessionHandle value``;
``Request sessionHandle="*current"|<handle>`` with ``QueryList`` (``Pql`` SELECT/WHERE/ORDER BY,
``maxReturned``, ``-1`` for all, ``includeMetaData``), ``QueryObject``, ``Create``, ``Update``,
``Delete`` taking ``DomainEntity``/``Key``/``Property path``/``Value``; ``Logout``; responses
with ``hasErrors``/``hasWarnings``, ``actionSucceeded``, ``moreResults``, ``systemTimestamp``,
``systemTimeZoneOffset``, values in CDATA; HTTP 200 for application errors; the domain classes
``com.mapics.pm.PurchaseOrder`` (key ``order``), ``com.mapics.pm.PoItem`` (``order``, ``line``),
``com.mapics.pm.Vendor`` (``vendor``; ``name, address1, address4City, postalCode, country``),
``com.mapics.csm.Item``, ``com.mapics.epdm.ItemWarehouse``; PO header properties ``vendor,
buyer, warehouse, currency, userFieldCodeA`` and item properties ``item, warehouse,
orderQuantityRequested, unitPriceRequested, orderUm, dueToDockDate, dueToStockDate,
blanketItem``; ``orderCreatedDate``/``lastRevisionDate`` as ``yyyymmdd`` numbers. The ION API
gateway: ``.ionapi`` keys, the password grant at ``{pu}{ot}`` with ``client_id``,
``client_secret``, ``username`` = ``saak``, ``password`` = ``sask``, and ``{iu}/{ti}/...``.

Inferred behaviour ([I]: chosen here, not confirmed against a live system):

- Errors: an ``Exception`` element with a ``code`` attribute and a ``Message`` child, inside the
  failed ``*Response`` (``actionSucceeded="false"``) or directly in ``Response``. Codes:
  ``LoginFailed``, ``SessionInvalid`` (unknown or expired handle), ``PqlSyntax``,
  ``InvalidRequest``, ``UnknownDomainClass``, ``MissingKey``, ``MissingValue``,
  ``InvalidValue``, ``NotFound``, ``NotAllowed``, ``BusinessRule``.
- Sessions expire after ``maxIdle`` ms without use (default 900000); ``expire_sessions()``
  ends them all, as a host restart does.
- Change stamp: every class but ``PoItem`` and ``ItemWarehouse`` has ``lastChangeTimestamp``,
  a DB2 timestamp (``2025-06-01-12.00.00.000000``) in system local time
  (``utc_offset_hours``); an item change stamps its order.
- Paging: a ``QueryList`` answers at most ``page_size`` entities (also for ``maxReturned="-1"``)
  with ``moreResults="true"``; there is no continuation token: the client asks again with a key
  range (``WHERE`` on the ``ORDER BY`` properties). PQL takes ``AND``, ``OR``, ``NOT``,
  parentheses, ``IN (...)`` and ``= <> != > >= < <=``; string literals in single quotes.
  ``order`` is read as a property unless followed by ``BY``. PoItem ``line`` values are text,
  so ``ORDER BY order, line`` gives ``1, 10, 11, 2, ...`` and ``line > '7'`` compares as text.
- Other classes: ``com.mapics.obpm.ManufacturingOrder`` (key ``order``; ``item, warehouse,
  totalOrderQuantity, quantityCompleted, orderStatus, startDate, dueDate, actualStartDate,
  actualCompletionDate``) and ``com.mapics.csm.Warehouse`` (key ``warehouse``).
- Codes: PO ``orderStatus`` 0 open, 2 partially received, 3 received, 4 closed, 9 cancelled;
  ``approvalStatus`` N not submitted, P pending, A approved, R rejected; MO ``orderStatus`` 10
  planned, 20 released, 30 started, 40 completed, 90 closed, 99 cancelled; vendor
  ``vendorStatus`` A active, H on hold, D deleted; ``itemType`` P/M/S/C/V; ``itemStatus`` A/I.
- Writes: one ``Request`` is one unit of work (a failed action undoes the earlier ones). New
  orders are numbered by XA, start open and not submitted (``N``); a ``Create`` of a ``PoItem``
  without ``order`` joins the order created earlier in the same ``Request``. An approved order
  (or a partially received one) takes only delivery dates: ``requestedDeliveryDate`` on the
  header, ``dueToDockDate``/``dueToStockDate`` on items; received, closed and cancelled orders
  take nothing (``BusinessRule``). Only open orders not yet approved can be deleted (a real
  delete). Vendors, items, stock, MOs and warehouses are read-only through System-Link here.
- Behind the ION gateway (``/{ti}/XA/SystemLink/servlet/SystemLinkServlet``, bearer token),
  ``Login`` needs no password: the gateway vouches for the service account.
- Faults: outage 503 and 429 come from the HTTP server as HTML/text; revoked credentials are a
  refused ``LoginResponse`` in a 200 document (401 JSON on the ION route); 500 is an HTML page.
  ``hostile_xml`` (or ``POST /_emulator/entity-expansion``) makes every System-Link answer an
  entity-expansion ("billion laughs") document.
- Scenarios (first orders): standard, custom fields (``userFieldCodeA``/``B``), draft, pending
  approval, partially received, received, closed, cancelled, rejected, unknown vendor
  (``V99999``), malformed (``orderCreatedDate`` 20251399); items ``ITEM-0004`` and ``ITEM-0009``
  are out of stock everywhere.
"""

from __future__ import annotations

from ironbridge.emulators.infor_xa.app import SERVLET, create_app
from ironbridge.emulators.infor_xa.dataset import PO_SCENARIOS, UNKNOWN_VENDOR, XaDataset
from ironbridge.emulators.infor_xa.emulator import DEFAULT_PASSWORD, DEFAULT_USER, XaEmulator

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "PO_SCENARIOS",
    "SERVLET",
    "UNKNOWN_VENDOR",
    "XaDataset",
    "XaEmulator",
    "create_app",
]
