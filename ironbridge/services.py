"""The long-lived parts the app's lifespan owns, handed to every request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ironbridge.cache import Cache, memory_cache
from ironbridge.ratelimit import Limiter, MemoryLimiter

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine

    from ironbridge.connectors.registry import ConnectorRegistry
    from ironbridge.events.bus import EventBus
    from ironbridge.events.dispatcher import WebhookDispatcher
    from ironbridge.observability import Metrics
    from ironbridge.security.secretbox import SecretBox
    from ironbridge.settings import Settings
    from ironbridge.sync.engine import SyncEngine
    from ironbridge.sync.runner import JobRunner


@dataclass(slots=True, kw_only=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    registry: ConnectorRegistry
    secretbox: SecretBox
    metrics: Metrics
    bus: EventBus
    # the live-read cache and the limiter of per-credential limits and upstream budgets
    cache: Cache = field(default_factory=memory_cache)
    limiter: Limiter = field(default_factory=MemoryLimiter)
    dispatcher: WebhookDispatcher | None = None
    # the sync scheduler's hooks: a connection to start (first sync, resume) or to stop
    on_connected: Callable[[int], Awaitable[None]] | None = None
    on_disconnected: Callable[[int], Awaitable[None]] | None = None
    # set by the lifespan: the sync engine and the runner its jobs go to
    sync_engine: SyncEngine | None = None
    jobs: JobRunner | None = None


__all__ = ["Services"]
