"""IBM Maximo Manage emulator: the JSON ("OSLC") REST API over a deterministic dataset.

Object structures under ``/maximo/oslc/os/`` and ``/maximo/api/os/`` (names case-insensitive):
``MXWO`` (also ``mxwodetail``, ``mxapiwo``, ``mxapiwodetail``), ``MXASSET`` (``mxapiasset``),
``MXOPERLOC`` (``mxapioperloc``, ``mxlocation``), ``MXINVENTORY`` (``mxapiinventory``, child
``invbalances``), ``MXITEM`` (``mxapiitem``), ``MXPO`` (``mxapipo``, child ``poline``) and
``MXVENDOR`` (``mxapivendor``: COMPANIES). Also ``POST /maximo/{oslc,api}/login`` (maxauth)
and ``GET /maximo/{oslc,api}/whoami``.

Confirmed behaviour followed as documented: ``apikey`` header (or query), ``lean=1``,
``oslc.select`` (nested ``poline{...}``), ``oslc.where`` (``= != > >= < <=``, ``in [...]``,
``"%x%"`` like, ``"*"`` not null), ``oslc.orderBy``, ``oslc.pageSize`` + ``pageno`` with
``responseInfo.nextPage.href`` (absent on the last page), ``collectioncount=1``, ``count=1``,
``stablepaging=1``, ``relativeuri=1``, ``ignorecollectionref=1``, ``_dropnulls=0``,
``internalvalues=1`` (``status_maxvalue``), ``domaininternalwhere``, ``x-public-uri``, rest ids
(``_`` + base64 of the key values joined by ``/``), creates answering 201 with ``Location``,
updates as POST with ``x-method-override: PATCH`` (plain PATCH replaces child arrays,
``patchtype: MERGE`` merges; ``"_action": "Delete"``), ``?action=wsmethod:changeStatus``,
deletes as DELETE or ``x-method-override: DELETE`` (200), ``properties`` returning the record,
updates without it answering 204, ``transactionid`` duplicates as
409 ``BMXAA9524E``, the ``Error`` body with ``statusCode`` as a string, ``BMXAA8727E`` (404),
``BMXAA8744E`` (query not parsed: ``or`` is refused as Maximo does), ``BMXAA9549E`` (400 for a
bad or revoked API key), ``BMXAA4590E`` (status change refused, the cause nested as in
``BMXAA0032E`` same status), ``BMXAA0031E`` (object read only).

Inferred behaviour ([I]: chosen here, not confirmed against a live system):

- No credentials: 401 ``BMXAA0021E``; a bad ``maxauth``: 401 ``BMXAA7901E``. A ``maxauth``
  header is accepted on any request and opens a session (``JSESSIONID``); a request carrying an
  unknown session cookie gets 401 ``BMXAA0021E`` even with a valid API key.
- Datetimes render with the server's UTC offset (``utc_offset``, default ``+00:00``) to the
  second; ``changedate`` has one-second resolution and is set on every write.
- Without ``oslc.pageSize`` the emulator still pages at ``page_size`` (an auto-paging
  threshold); a size above ``max_page_size`` is 400 ``BMXAA8771E``. Paging is by offset: a
  record changed between pages can move. Expired stable paging sets: 400 ``BMXAA8780E``.
- ``oslc.where`` errors other than syntax (unknown attribute, unquoted text or date, dotted
  related attributes, which the emulator does not support) are 400 ``BMXAA8744E`` too.
- Without ``lean=1`` records and errors use the namespaced form (``spi:``, ``rdf:about``,
  ``rdfs:member``, ``oslc:responseInfo``, ``oslc:Error``).
- A single resource without ``oslc.select`` renders every attribute; a collection member
  without it only ``href`` (confirmed). Unknown selected attributes render nothing.
- ``INVENTORY`` has no ``changedate`` (stock is read as a snapshot); ``ITEM`` and
  ``COMPANIES`` have one. Locations carry their parent in the ``lochierarchy`` child
  (``systemid`` PRIMARY); storerooms are locations of type STOREROOM.
- Custom attributes (customer extensions): ``cust_costcenter``, ``cust_permitrequired`` on
  work orders, ``cust_projectcode``, ``cust_receivingdock`` on purchase orders.
- Synonyms: WOSTATUS ``WAITPARTS`` → ``WMATL``; POSTATUS ``SENT`` → ``APPR``; LOCASSETSTATUS
  ``STANDBY`` → ``NOT READY``. Status transitions (on internal values): work orders as the
  WOStatusHandler table (WAPPR/APPR/WSCH/WMATL/WPCOND to anything open, COMP or CLOSE or CAN;
  INPRG to WAPPR, WMATL, COMP, CLOSE; COMP to CLOSE; CLOSE and CAN final); purchase orders
  WAPPR/INPRG/HOLD to each other, APPR or CAN, APPR to CLOSE, CAN or HOLD, PNDREV to APPR or
  CAN (approving a revision makes the previous revision REVISE); other refusals nest
  ``BMXAA4638E``, an unknown status ``BMXAA4153E``.
- Business rules: a CLOSE or CAN work order and a CLOSE, CAN or REVISE purchase order take no
  attribute change (400 ``BMXAA0031E``); an APPR purchase order takes a status change only
  (``BMXAA0031E``); it changes through ``?action=wsmethod:revisePO`` (POST with
  ``x-method-override: PATCH``), which creates revision n+1 in PNDREV. Work orders are never
  deleted (400 ``BMXAA0024E``: they are cancelled with status CAN); purchase orders can be
  deleted in WAPPR only, items only while no storeroom holds them, nothing else.
- Validation: unknown site 400 ``BMXAA4153E`` (confirmed wording); unknown asset, location,
  vendor (or a disabled one) or item 400 ``BMXAA4153E`` with ``errorattrname``; a missing key
  400 ``BMXAA4195E``; a duplicate key 400 ``BMXAA4129E``; a body that is not a JSON object 400
  ``BMXAA1882E``; changing a key attribute 400 ``BMXAA0031E``. Unknown and computed attributes
  in a body are ignored. New records get the default insert site BEDFORD, organization
  EAGLENA, item set SET1, and autokeyed ``wonum``/``ponum``.
- Optimistic locking: an update (including ``wsmethod:`` actions) with ``If-Match`` is
  compared with the record's ``_rowstamp`` (quotes and a ``W/`` prefix ignored, ``*`` matches
  anything); a record changed since answers 412 ``BMXAA8229W`` ("Record ... has been updated
  by another user."). Without ``If-Match`` updates are last-write-wins.
- Updates answer 200 with the record when ``properties`` is sent; creates 201 with an empty
  body without ``properties``; deletes have an empty body.
- Faults: a revoked key is Maximo's 400 ``BMXAA9549E``; an outage 503 and a rate limit 429
  (with ``Retry-After``) come from the ingress in front of Manage as HTML, not as ``Error``
  bodies (Maximo itself documents no rate limit); a server error is 500 ``BMXAA6713E``.
- Unsupported: BULK and SYNC method overrides, saved queries, ``opmodeor``, related (dotted)
  attributes in select and where, ``tlrange``, attachments, ``apimeta`` and JSON schemas.
"""

from __future__ import annotations

from ironbridge.emulators.maximo.app import create_app
from ironbridge.emulators.maximo.dataset import PO_SCENARIOS, WO_SCENARIOS, MaximoDataset
from ironbridge.emulators.maximo.emulator import (
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    MaximoEmulator,
)
from ironbridge.emulators.maximo.samples import OUT_OF_STOCK_ITEMS, UNKNOWN_VENDOR, Malformed

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "OUT_OF_STOCK_ITEMS",
    "PO_SCENARIOS",
    "UNKNOWN_VENDOR",
    "WO_SCENARIOS",
    "Malformed",
    "MaximoDataset",
    "MaximoEmulator",
    "create_app",
]
