"""Infor XA: purchase orders, vendors, items, stock, manufacturing orders and warehouses."""

from __future__ import annotations

from ironbridge.connectors.infor_xa.connector import SYSTEM_KEY, InforXaConnector

__all__ = ["SYSTEM_KEY", "InforXaConnector"]
