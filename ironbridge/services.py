"""The long-lived parts the app's lifespan owns, handed to every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from ironbridge.connectors.registry import ConnectorRegistry
    from ironbridge.observability import Metrics
    from ironbridge.security.secretbox import SecretBox
    from ironbridge.settings import Settings


@dataclass(slots=True, kw_only=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    registry: ConnectorRegistry
    secretbox: SecretBox
    metrics: Metrics


__all__ = ["Services"]
