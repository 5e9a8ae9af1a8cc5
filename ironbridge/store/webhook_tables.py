"""The event log and the webhook outbox: endpoints, deliveries and the attempt log.

The tables live on the store's one ``metadata``; migration ``0002`` creates them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from ironbridge.store.tables import PK, metadata
from ironbridge.store.types import JSONType, UTCDateTime

# every event ever emitted; its deliveries point at it
events = Table(
    "events",
    metadata,
    Column("id", PK, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),  # evt_…, the webhook-id
    Column("type", String(64), nullable=False),
    Column("connection_id", PK, ForeignKey("connections.id", ondelete="SET NULL")),
    Column("data", JSONType, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "created_at"),
    Index(None, "connection_id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", PK, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("description", Text),
    # event types and patterns: "sync.completed", "record.*", "*"
    Column("events", JSONType, nullable=False, default=list),
    Column("enabled", Boolean, nullable=False, default=True),
    # SecretBox ciphertext of {"current": "whsec_…", "previous": "whsec_…" | None}
    Column("secret_ciphertext", Text, nullable=False),
    # while set and in the future, the previous secret signs too (rotation overlap)
    Column("previous_secret_expires_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
    Column("disabled_reason", Text),
    # the first failed attempt since the last success; drives automatic disabling
    Column("failing_since", UTCDateTime),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", PK, primary_key=True, autoincrement=True),
    Column("event_id", PK, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column(
        "endpoint_id", PK, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    ),
    # pending | delivering | succeeded | failed | cancelled
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    # while delivering: when the claim lapses, so a crashed process's deliveries are retried
    Column("lease_expires_at", UTCDateTime),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    Index(None, "status", "next_attempt_at"),
    Index(None, "endpoint_id", "created_at"),
    Index(None, "event_id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", PK, primary_key=True, autoincrement=True),
    Column(
        "delivery_id", PK, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False
    ),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("response_excerpt", String(500)),
    Index(None, "delivery_id", "attempted_at"),
)

DELIVERY_STATUSES = ("pending", "delivering", "succeeded", "failed", "cancelled")

__all__ = [
    "DELIVERY_STATUSES",
    "events",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
]
