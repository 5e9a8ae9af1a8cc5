"""The sandbox system: a realistic, deterministic sample plant behind the connector contract."""

from __future__ import annotations

from ironbridge.connectors.sandbox.connector import SandboxConnector
from ironbridge.connectors.sandbox.dataset import (
    DEFAULT_PURCHASE_ORDERS,
    DEFAULT_SEED,
    SandboxDataset,
    generate_dataset,
)
from ironbridge.connectors.sandbox.purchasing import UNKNOWN_VENDOR_IDS

__all__ = [
    "DEFAULT_PURCHASE_ORDERS",
    "DEFAULT_SEED",
    "UNKNOWN_VENDOR_IDS",
    "SandboxConnector",
    "SandboxDataset",
    "generate_dataset",
]
