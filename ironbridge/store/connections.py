"""Connections, their encrypted credentials, and their sync rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select

from ironbridge.models import ConnectionStatus, EntityType
from ironbridge.store.tables import connection_sync, connections, credentials, entity_sync

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionFilter:
    statuses: Sequence[str] | None = None
    system_keys: Sequence[str] | None = None
    search: str | None = None
    ids: Sequence[int] | None = None


async def create_connection(
    conn: AsyncConnection,
    *,
    system_key: str,
    instance_url: str,
    display_name: str | None,
    sandbox: bool,
    credits_used: int,
    now: datetime,
    options: Mapping[str, Any] | None = None,
    end_user_id: str | None = None,
    sync_interval_minutes: int = 15,
    sync_initial_lookback_days: int = 90,
    sync_entities: Sequence[EntityType | str] = (),
    sync_paused: bool = False,
) -> int:
    result = await conn.execute(
        connections.insert()
        .values(
            system_key=system_key,
            instance_url=instance_url,
            display_name=display_name,
            sandbox=sandbox,
            status=ConnectionStatus.ACTIVE.value,
            status_reason=None,
            status_changed_at=now,
            created_at=now,
            credits_used=credits_used,
            options=dict(options or {}),
            end_user_id=end_user_id,
            sync_interval_minutes=sync_interval_minutes,
            sync_initial_lookback_days=sync_initial_lookback_days,
            sync_entities=[EntityType(e).value for e in sync_entities],
            sync_paused=sync_paused,
            data_version=0,
        )
        .returning(connections.c.id)
    )
    connection_id = int(result.scalar_one())
    await conn.execute(connection_sync.insert().values(connection_id=connection_id, state="IDLE"))
    return connection_id


async def get_connection(conn: AsyncConnection, connection_id: int) -> Row[Any] | None:
    result = await conn.execute(select(connections).where(connections.c.id == connection_id))
    return result.first()


async def get_connections(
    conn: AsyncConnection, connection_ids: Sequence[int]
) -> dict[int, Row[Any]]:
    result = await conn.execute(
        select(connections).where(connections.c.id.in_(list(connection_ids)))
    )
    return {row.id: row for row in result}


def _filter_clauses(flt: ConnectionFilter) -> list[Any]:
    c = connections.c
    clauses: list[Any] = []
    if flt.statuses:
        clauses.append(c.status.in_(list(flt.statuses)))
    if flt.system_keys:
        clauses.append(c.system_key.in_(list(flt.system_keys)))
    if flt.ids is not None:
        clauses.append(c.id.in_(list(flt.ids)))
    if flt.search:
        pattern = f"%{flt.search.lower()}%"
        clauses.append(
            or_(
                func.lower(c.display_name).like(pattern),
                func.lower(c.instance_url).like(pattern),
                func.lower(c.system_key).like(pattern),
            )
        )
    return clauses


async def list_connections(
    conn: AsyncConnection, flt: ConnectionFilter, *, first: int, after_id: int | None
) -> tuple[list[Row[Any]], bool]:
    """Connections newest first, keyset-paged on the id."""
    clauses = _filter_clauses(flt)
    if after_id is not None:
        clauses.append(connections.c.id < after_id)
    stmt = select(connections).where(and_(True, *clauses)).order_by(connections.c.id.desc())
    rows = list((await conn.execute(stmt.limit(first + 1))).all())
    return rows[:first], len(rows) > first


async def count_connections(conn: AsyncConnection, flt: ConnectionFilter) -> int:
    stmt = select(func.count()).select_from(connections).where(and_(True, *_filter_clauses(flt)))
    return int((await conn.execute(stmt)).scalar_one())


async def credits_in_use(conn: AsyncConnection) -> int:
    stmt = select(func.coalesce(func.sum(connections.c.credits_used), 0)).where(
        connections.c.status != ConnectionStatus.DISCONNECTED.value
    )
    return int((await conn.execute(stmt)).scalar_one())


async def save_credentials(
    conn: AsyncConnection, connection_id: int, ciphertext: str, *, now: datetime
) -> None:
    existing = await conn.execute(
        select(credentials.c.connection_id).where(credentials.c.connection_id == connection_id)
    )
    if existing.first() is None:
        await conn.execute(
            credentials.insert().values(
                connection_id=connection_id, ciphertext=ciphertext, updated_at=now
            )
        )
    else:
        await conn.execute(
            credentials.update()
            .where(credentials.c.connection_id == connection_id)
            .values(ciphertext=ciphertext, updated_at=now)
        )


async def load_credentials(conn: AsyncConnection, connection_id: int) -> str | None:
    result = await conn.execute(
        select(credentials.c.ciphertext).where(credentials.c.connection_id == connection_id)
    )
    value: str | None = result.scalar_one_or_none()
    return value


async def update_sync_settings(
    conn: AsyncConnection, connection_id: int, values: Mapping[str, Any]
) -> None:
    if values:
        await conn.execute(
            connections.update().where(connections.c.id == connection_id).values(**values)
        )


async def sync_rows(conn: AsyncConnection, connection_ids: Sequence[int]) -> dict[int, Row[Any]]:
    result = await conn.execute(
        select(connection_sync).where(connection_sync.c.connection_id.in_(list(connection_ids)))
    )
    return {row.connection_id: row for row in result}


async def entity_sync_rows(
    conn: AsyncConnection, connection_ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    result = await conn.execute(
        select(entity_sync)
        .where(entity_sync.c.connection_id.in_(list(connection_ids)))
        .order_by(entity_sync.c.connection_id, entity_sync.c.entity)
    )
    rows: dict[int, list[Row[Any]]] = {}
    for row in result:
        rows.setdefault(row.connection_id, []).append(row)
    return rows


__all__ = [
    "ConnectionFilter",
    "count_connections",
    "create_connection",
    "credits_in_use",
    "entity_sync_rows",
    "get_connection",
    "get_connections",
    "list_connections",
    "load_credentials",
    "save_credentials",
    "sync_rows",
    "update_sync_settings",
]
