"""Microsoft Dynamics 365 Business Central: API v2.0 and the analytics API, Entra app auth."""

from __future__ import annotations

from ironbridge.connectors.dynamics_bc.connector import DynamicsBcConnector

__all__ = ["DynamicsBcConnector"]
