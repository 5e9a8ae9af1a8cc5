"""Connection status transitions, each recorded with its reason and time and announced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.models import ConnectionStatus
from ironbridge.schema.ids import to_global_id
from ironbridge.store.tables import connections

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.events.bus import Event

# the webhook event each new status also raises, besides connection.status_changed
_SPECIFIC = {
    ConnectionStatus.REAUTH_REQUIRED: "connection.reauthorization_required",
    ConnectionStatus.DISCONNECTED: "connection.disconnected",
}


async def set_status(
    conn: AsyncConnection,
    connection_id: int,
    status: ConnectionStatus,
    *,
    reason: str | None,
    now: datetime,
) -> list[Event]:
    """Move a connection to ``status`` in the caller's transaction; returns the events to publish
    after commit (none when the status does not change)."""
    from ironbridge.events.outbox import emit

    row = (
        await conn.execute(select(connections.c.status).where(connections.c.id == connection_id))
    ).first()
    if row is None:
        return []
    previous = ConnectionStatus(row.status)
    if previous is status:
        return []
    values: dict[str, Any] = {
        "status": status.value,
        "status_reason": reason,
        "status_changed_at": now,
    }
    if status is ConnectionStatus.DISCONNECTED:
        values["disconnected_at"] = now
    await conn.execute(
        connections.update().where(connections.c.id == connection_id).values(**values)
    )
    data = {
        "connectionId": to_global_id("Connection", connection_id),
        "previousStatus": previous.value,
        "status": status.value,
        "reason": reason,
        "at": now.isoformat(),
    }
    events = [
        await emit(
            conn, type="connection.status_changed", data=data, connection_id=connection_id, now=now
        )
    ]
    specific = _SPECIFIC.get(status)
    if status is ConnectionStatus.ACTIVE and previous in (
        ConnectionStatus.UNREACHABLE,
        ConnectionStatus.REAUTH_REQUIRED,
    ):
        specific = "connection.recovered"
    if specific:
        events.append(
            await emit(conn, type=specific, data=data, connection_id=connection_id, now=now)
        )
    return events


__all__ = ["set_status"]
