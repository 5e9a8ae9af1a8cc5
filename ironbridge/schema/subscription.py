"""The subscription root: live events from the event bus, authorized per connection."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Any

import strawberry

from ironbridge.errors import ApiError, ErrorCode, forbidden
from ironbridge.events.bus import Event, Lagged
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id
from ironbridge.schema.types.connection import Connection
from ironbridge.schema.types.enums import ConnectionStatus
from ironbridge.store import connections as connection_store

Info = strawberry.Info


@strawberry.type
class ConnectionStatusEvent:
    connection: Connection
    previous_status: ConnectionStatus | None
    status: ConnectionStatus
    reason: str | None
    at: datetime


def lagged_error(item: Lagged, what: str = "state") -> ApiError:
    """The end of a subscription that cannot promise it saw every event: the subscriber fell
    behind, or the event bus reconnected (events published meanwhile are unknown)."""
    missed = f"missed {item.dropped} events" if item.dropped else "may have missed events"
    return ApiError(
        ErrorCode.INTERNAL,
        f"This subscription {missed}; read the current {what} and subscribe again.",
    )


def scope(info: Info[Context, Any], connection_id: strawberry.ID | None) -> int | None:
    """The connection a subscription watches; ``None`` for all (admin only)."""
    principal = info.context.require_principal()
    if connection_id is None:
        if principal.is_admin:
            return None
        if principal.connection_id is None:
            raise forbidden("This credential has no connection to watch.")
        return principal.connection_id
    pk = expect_global_id(str(connection_id), "Connection", field="connectionId")
    if not principal.may_read_connection(pk):
        raise forbidden("This credential may not watch that connection.")
    return pk


def watching(types: set[str], connection_pk: int | None) -> Callable[[Event], bool]:
    def accept(event: Event) -> bool:
        if event.type not in types:
            return False
        return connection_pk is None or event.connection_id == connection_pk

    return accept


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Status changes of a connection; no id: the caller's own, or all for admin."
    )
    async def connection_status_changed(
        self, info: Info[Context, Any], connection_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ConnectionStatusEvent, None]:
        pk = scope(info, connection_id)
        services = info.context.services
        async with services.bus.subscribe(watching({"connection.status_changed"}, pk)) as events:
            async for item in events:
                if isinstance(item, Lagged):
                    raise lagged_error(item, "status")
                if item.connection_id is None:
                    continue
                async with services.engine.connect() as conn:
                    row = await connection_store.get_connection(conn, item.connection_id)
                if row is None:
                    continue
                data = item.data
                previous = data.get("previousStatus")
                yield ConnectionStatusEvent(
                    connection=Connection.from_row(row),
                    previous_status=ConnectionStatus(previous) if previous else None,
                    status=ConnectionStatus(data["status"]),
                    reason=data.get("reason"),
                    at=datetime.fromisoformat(data["at"]),
                )


__all__ = ["ConnectionStatusEvent", "Subscription"]
