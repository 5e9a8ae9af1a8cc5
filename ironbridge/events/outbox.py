"""The transactional outbox: an event and its webhook deliveries commit with the change itself.

Call :func:`emit` inside the caller's transaction, then publish the returned event on the bus
and wake the dispatcher once the transaction has committed.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.events.bus import Event
from ironbridge.store.webhook_tables import events, webhook_deliveries, webhook_endpoints

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncConnection

EVENT_TYPES = frozenset(
    {
        "connection.created",
        "connection.status_changed",
        "connection.reauthorization_required",
        "connection.recovered",
        "connection.disconnected",
        "sync.completed",
        "sync.failed",
        "record.created",
        "record.updated",
        "record.deleted",
        "webhook_endpoint.disabled",
        "webhook.test",
    }
)
WILDCARD = "*"
_PREFIXES = frozenset(t.split(".", 1)[0] for t in EVENT_TYPES)


class UnknownEventType(ValueError):
    """An event type that is not in :data:`EVENT_TYPES`."""

    def __init__(self, type: str) -> None:
        super().__init__(f"unknown event type {type!r}")
        self.type = type


def is_valid_pattern(pattern: str) -> bool:
    """True for a known type, ``*``, or a known family followed by ``.*`` (``record.*``)."""
    if pattern == WILDCARD or pattern in EVENT_TYPES:
        return True
    family, dot_star = pattern[:-2], pattern[-2:]
    return dot_star == ".*" and family in _PREFIXES


def matches(pattern: str, type: str) -> bool:
    """Whether an endpoint subscribed to ``pattern`` receives events of ``type``."""
    if pattern in (WILDCARD, type):
        return True
    return pattern.endswith(".*") and type.startswith(pattern[:-1])


def subscribed(patterns: Iterable[str], type: str) -> bool:
    return any(matches(pattern, type) for pattern in patterns)


def new_event_id() -> str:
    """A fresh event id: ``evt_`` and 128 random bits, hex."""
    return f"evt_{secrets.token_hex(16)}"


async def emit(
    conn: AsyncConnection,
    *,
    type: str,
    data: Mapping[str, Any],
    connection_id: int | None = None,
    now: datetime,
    endpoint_ids: Collection[int] | None = None,
) -> Event:
    """Record an event and queue a delivery for each enabled endpoint subscribed to it.

    ``endpoint_ids`` sends to exactly those enabled endpoints, whatever their filters.
    """
    if type not in EVENT_TYPES:
        raise UnknownEventType(type)
    event = Event(
        event_id=new_event_id(),
        type=type,
        created_at=now,
        connection_id=connection_id,
        data=dict(data),
    )
    result = await conn.execute(
        events.insert()
        .values(
            event_id=event.event_id,
            type=type,
            connection_id=connection_id,
            data=event.data,
            created_at=now,
        )
        .returning(events.c.id)
    )
    event_pk = int(result.scalar_one())
    query = select(webhook_endpoints.c.id, webhook_endpoints.c.events).where(
        webhook_endpoints.c.enabled.is_(True)
    )
    if endpoint_ids is not None:
        query = query.where(webhook_endpoints.c.id.in_(list(endpoint_ids)))
    rows = (await conn.execute(query.order_by(webhook_endpoints.c.id))).all()
    targets = [
        row.id for row in rows if endpoint_ids is not None or subscribed(row.events or [], type)
    ]
    if targets:
        await conn.execute(
            webhook_deliveries.insert(),
            [
                {
                    "event_id": event_pk,
                    "endpoint_id": endpoint_id,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for endpoint_id in targets
            ],
        )
    return event


__all__ = [
    "EVENT_TYPES",
    "WILDCARD",
    "UnknownEventType",
    "emit",
    "is_valid_pattern",
    "matches",
    "new_event_id",
    "subscribed",
]
