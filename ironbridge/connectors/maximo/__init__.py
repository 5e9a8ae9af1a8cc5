"""IBM Maximo: work orders, assets, locations, items, stock, purchase orders and vendors."""

from __future__ import annotations

from ironbridge.connectors.maximo.connector import SYSTEM_KEY, MaximoConnector

__all__ = ["SYSTEM_KEY", "MaximoConnector"]
