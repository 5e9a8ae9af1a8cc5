"""SAP S/4HANA: purchase orders over OData V4 (or V2) and the V2 master data and order APIs."""

from __future__ import annotations

from ironbridge.connectors.sap.connector import SapS4HanaConnector
from ironbridge.connectors.sap.mappers import etag_of

__all__ = ["SapS4HanaConnector", "etag_of"]
