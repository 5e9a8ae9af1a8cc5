"""Oracle NetSuite: SuiteTalk REST web services and SuiteQL with OAuth 2.0 client credentials."""

from __future__ import annotations

from ironbridge.connectors.netsuite.connector import NetSuiteConnector

__all__ = ["NetSuiteConnector"]
