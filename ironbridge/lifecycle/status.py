"""Connection status transitions, each recorded with its reason and time and announced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.models import ConnectionStatus
from ironbridge.schema.ids import to_global_id
from ironbridge.store.tables import connections

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.events.bus import Event
    from ironbridge.services import Services

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


async def credentials_refused(services: Services, connection_id: int, reason: str) -> None:
    """The system refused the stored credentials during a live read or a write: the same
    transition a sync makes (REAUTH_REQUIRED, schedule paused until ``reauthorize``), with its
    events published after the commit."""
    from ironbridge.lifecycle.service import publish
    from ironbridge.sync import state

    now = datetime.now(UTC)
    async with state.writing(services.engine) as conn:
        events = await set_status(
            conn, connection_id, ConnectionStatus.REAUTH_REQUIRED, reason=reason, now=now
        )
        if events:
            await state.update_connection_sync(conn, connection_id, next_scheduled_sync_at=None)
    await publish(services, events)


__all__ = ["credentials_refused", "set_status"]
