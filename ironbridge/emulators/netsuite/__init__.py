"""Oracle NetSuite emulator: SuiteTalk REST (record API, SuiteQL) behind OAuth 2.0 M2M.

Paths: ``POST /services/rest/auth/oauth2/v1/token``; ``/services/rest/record/v1/{type}`` (GET
list, POST create) and ``/{type}/{id}`` (GET, PATCH, DELETE), ``/{type}/{id}/{sublist}`` for
``purchaseOrder``, ``workOrder``, ``vendor``, ``inventoryItem``, ``location`` (and read-only
``currency``, ``subsidiary``); ``POST /services/rest/query/v1/suiteql``.

Inferred behaviour ([I]: chosen here, not confirmed against a live account):

- Token endpoint: errors are 400 ``{"error": ...}`` and nothing else (the reason goes to the
  Login Audit Trail, ``NetSuiteEmulator.login_audit``): ``invalid_request`` (missing or
  malformed parameters or JWT), ``unsupported_grant_type``, ``invalid_grant`` (unknown ``kid``,
  bad signature, algorithm other than PS256/PS384/PS512/ES256/ES384/ES512, wrong ``aud``,
  expired, ``iat`` more than 5 minutes ahead, ``exp - iat`` over 3600), ``invalid_client``
  (``iss`` is not the integration's client id), ``invalid_scope``. ``scope`` may be a list or
  a comma-separated string. ``expires_in`` is the string ``"3600"``; access tokens are opaque.
  The certificate id is the base64url SHA-256 of the public key; the emulator generates an EC
  P-256 key (``key_type="rsa"`` for RSA 2048) at creation unless given ``private_key_pem``.
- A token without the ``rest_webservices`` scope gets 403 ``INSUFFICIENT_PERMISSION``.
- Errors are served as ``application/vnd.oracle.resource+json; type=error``; codes besides the
  confirmed ``INVALID_LOGIN`` / ``INVALID_CONTENT``: 404 ``NONEXISTENT_ID`` (record) and
  ``INVALID_PARAMETER`` (record type, bad ``limit``/``offset``/``q``, SuiteQL syntax: "Invalid
  search query. Detailed unprocessed description follows. ..."), 400 ``USER_ERROR`` for
  missing mandatory fields ("Please enter value(s) for: Vendor") and business rules, 405 for
  writes to read-only types, 503 ``SERVICE_UNAVAILABLE``, 500 ``UNEXPECTED_ERROR``.
- SuiteQL without ``Prefer: transient`` answers 400 ``INVALID_HEADER``. Offsets from 100,000
  answer 400 ``INVALID_PARAMETER``; ``totalResults`` is capped at 100,000.
- SuiteQL subset: ``SELECT`` columns, ``*`` or ``TO_CHAR(col, mask)`` (with ``AS`` aliases)
  ``FROM`` one table ``WHERE`` comparisons (``= <> != < <= > >=``), ``IN``, ``IS [NOT] NULL``,
  ``AND``/``OR``/``NOT``/parentheses, ``ORDER BY`` with ``ASC``/``DESC`` (NULLs last ascending).
  Masks: ``YYYY-MM-DD HH24:MI:SS``, ``YYYY-MM-DD``, ``MM/DD/YYYY``. No joins, functions other
  than ``TO_DATE``/``TO_CHAR``, ``LIKE``, ``GROUP BY`` or bind variables. Tables: ``transaction``
  (``type`` ``PurchOrd``/``WorkOrd``, ``status`` letter), ``vendor``, ``item`` (``itemtype``
  ``InvtPart``), ``location``, ``currency``, ``subsidiary``, ``inventoryitemlocations``.
- SuiteQL values are strings; NULL columns are left out of the row; each row has
  ``"links": []``. Dates and date-times without ``TO_CHAR`` render as ``MM/DD/YYYY`` (the
  user's date preference); ``TO_DATE`` and ``TO_CHAR`` work in the account time zone
  (``timezone``, default UTC); ``lastmodifieddate`` has whole seconds.
- Collection ``q`` supports ``lastModifiedDate`` with ``AFTER``, ``BEFORE``, ``ON``,
  ``ON_OR_AFTER``, ``ON_OR_BEFORE`` on ``"MM/DD/YYYY[ HH:MM:SS]"`` joined by ``AND`` only.
- Links: ``prev``, ``next``, ``last``, ``self``. Without ``expandSubResources=true`` sublists and
  subrecords (``mainAddress``) are links only. ``fields=`` limits body fields.
- Work order letters: A Planned, B Released, C Cancelled, D In Process, G Built, H Closed; a
  work order's ``assemblyItem`` points at an inventory item. PO letter P (Planned) exists.
- Writes: unknown body fields, read-only fields (``status``, ``orderStatus``, ``total``,
  ``createdDate``, ``lastModifiedDate``, line ``quantityReceived``/``quantityBilled``/``amount``)
  and references to missing or inactive records answer 400 ``INVALID_CONTENT`` with
  ``o:errorPath``. New purchase orders are ``B`` (approved, no approval routing) unless created
  with ``approvalStatus`` 1; subsidiary and currency default from the vendor; ``tranId`` is
  ``PO<id>``. PATCH merges sublist lines by ``line`` (new lines get new line numbers);
  ``?replace=item`` replaces them. Closing every line makes the order ``H``; ``approvalStatus``
  moves A/C/P to B (2), A (1) or C (3).
- Business rules (400 ``USER_ERROR``): fully billed (G) or closed (H) purchase orders take no
  change; received or billed lines cannot be removed or reduced below the quantity received; a
  purchase order with receipts or bills cannot be deleted ("This record cannot be deleted
  because it has dependent records."); an inventory item's ``itemId`` must be unique.
- Concurrency governance: at most ``concurrency_limit`` (default 15) REST requests in flight;
  the next gets 429 ``CONCURRENCY_LIMIT_EXCEEDED`` without ``Retry-After``. Injected rate-limit
  faults answer the same body (the shared middleware adds ``Retry-After``).
- No optimistic concurrency on record updates, as the REST record service documents none:
  ``If-Match`` is ignored and a ``PATCH`` is last-write-wins; every write moves
  ``lastModifiedDate`` forward by at least a second, so a client can tell versions apart.
- Deletes are hard; the control endpoint's ``delete`` without ``hard`` marks vendors, items
  and locations inactive instead.
- Custom fields: ``custbody_ib_project_code``, ``custbody_ib_receiving_dock`` (a list value)
  and line ``custcol_ib_inspection_level``, present only on orders with custom fields.
"""

from __future__ import annotations

from ironbridge.emulators.netsuite.app import SUITEQL_PATH, create_app
from ironbridge.emulators.netsuite.auth import TOKEN_PATH, Certificate, make_certificate
from ironbridge.emulators.netsuite.dataset import PO_STATUS, SCENARIOS, WO_STATUS, NetSuiteDataset
from ironbridge.emulators.netsuite.emulator import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_CONCURRENCY_LIMIT,
    STOCK,
    NetSuiteEmulator,
)
from ironbridge.emulators.netsuite.records import RECORD_ROOT
from ironbridge.emulators.netsuite.samples import OUT_OF_STOCK_ITEMS, UNKNOWN_VENDOR_ID

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CONCURRENCY_LIMIT",
    "OUT_OF_STOCK_ITEMS",
    "PO_STATUS",
    "RECORD_ROOT",
    "SCENARIOS",
    "STOCK",
    "SUITEQL_PATH",
    "TOKEN_PATH",
    "UNKNOWN_VENDOR_ID",
    "WO_STATUS",
    "Certificate",
    "NetSuiteDataset",
    "NetSuiteEmulator",
    "create_app",
    "make_certificate",
]
