"""Events: the bus, the webhook outbox, its dispatcher and Standard Webhooks signing."""

from __future__ import annotations

from ironbridge.events.bus import Event, EventBus, Lagged, MemoryBus, Subscription
from ironbridge.events.dispatcher import WebhookDispatcher
from ironbridge.events.outbox import EVENT_TYPES, emit

__all__ = [
    "EVENT_TYPES",
    "Event",
    "EventBus",
    "Lagged",
    "MemoryBus",
    "Subscription",
    "WebhookDispatcher",
    "emit",
]
