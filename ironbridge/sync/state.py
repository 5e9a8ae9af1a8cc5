"""The sync engine's rows: runs, per-entity checkpoints, quarantine, and record events.

Every function works inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, or_, select

from ironbridge.connectors.base import Checkpoint
from ironbridge.events.bus import Event
from ironbridge.events.outbox import new_event_id, subscribed
from ironbridge.models import ChangeKind, EntityType, SyncState
from ironbridge.schema.ids import to_global_id
from ironbridge.store.tables import (
    ENTITY_TABLES,
    connection_sync,
    connections,
    entity_sync,
    quarantined_records,
    sync_runs,
)
from ironbridge.store.webhook_tables import events, webhook_deliveries, webhook_endpoints

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
    from datetime import datetime

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from ironbridge.connectors.errors import RecordMappingError
    from ironbridge.models import SyncMode, SyncTrigger

_CHUNK = 400


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction. On SQLite it takes the write lock up front (``BEGIN IMMEDIATE``):
    a transaction that reads first and writes later fails at once, instead of waiting, when
    another writer (a concurrent sync) committed in between."""
    async with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def type_name(entity: EntityType) -> str:
    """The GraphQL type of an entity: ``PURCHASE_ORDER`` -> ``PurchaseOrder``."""
    return "".join(part.capitalize() for part in entity.value.split("_"))


async def open_run(
    conn: AsyncConnection,
    connection_id: int,
    *,
    mode: SyncMode,
    trigger: SyncTrigger,
    entities: Sequence[EntityType],
    now: datetime,
) -> int:
    """A new run row, in progress, and the connection's sync state pointing at it."""
    run_id = int(
        (
            await conn.execute(
                sync_runs.insert()
                .values(
                    connection_id=connection_id,
                    mode=mode.value,
                    trigger=trigger.value,
                    state=SyncState.IN_PROGRESS.value,
                    entities=[e.value for e in entities],
                    started_at=now,
                    records_fetched=0,
                    records_created=0,
                    records_updated=0,
                    records_deleted=0,
                    records_failed=0,
                    upstream_requests=0,
                    errors=[],
                )
                .returning(sync_runs.c.id)
            )
        ).scalar_one()
    )
    await update_connection_sync(
        conn,
        connection_id,
        state=SyncState.IN_PROGRESS.value,
        last_sync_started_at=now,
        current_run_id=run_id,
    )
    return run_id


async def update_connection_sync(conn: AsyncConnection, connection_id: int, **values: Any) -> None:
    done = await conn.execute(
        connection_sync.update()
        .where(connection_sync.c.connection_id == connection_id)
        .values(**values)
    )
    if done.rowcount == 0:
        await conn.execute(connection_sync.insert().values(connection_id=connection_id, **values))


async def get_run(conn: AsyncConnection, run_id: int) -> Row[Any] | None:
    return (await conn.execute(select(sync_runs).where(sync_runs.c.id == run_id))).first()


async def current_run(conn: AsyncConnection, connection_id: int) -> Row[Any] | None:
    """The connection's run in progress, if any."""
    stmt = (
        select(sync_runs)
        .join(connection_sync, connection_sync.c.current_run_id == sync_runs.c.id)
        .where(
            connection_sync.c.connection_id == connection_id,
            sync_runs.c.state == SyncState.IN_PROGRESS.value,
        )
    )
    return (await conn.execute(stmt)).first()


async def fail_abandoned_runs(
    conn: AsyncConnection,
    *,
    now: datetime,
    connection_id: int | None = None,
    spare: Collection[int] = (),
) -> list[int]:
    """Runs left in progress by a process that died (of one connection, or all): failed, so
    the next run resumes; ``spare`` are runs still owned by a live job."""
    stmt = select(sync_runs.c.id, sync_runs.c.connection_id, sync_runs.c.errors).where(
        sync_runs.c.state == SyncState.IN_PROGRESS.value
    )
    if connection_id is not None:
        stmt = stmt.where(sync_runs.c.connection_id == connection_id)
    rows = [row for row in (await conn.execute(stmt)).all() if row.id not in spare]
    for row in rows:
        error = {
            "code": "INTERRUPTED",
            "message": "The process running this sync stopped; the next sync resumes from the "
            "last checkpoint.",
            "entity": None,
            "remoteId": None,
            "at": now.isoformat(),
        }
        await conn.execute(
            sync_runs.update()
            .where(sync_runs.c.id == row.id)
            .values(state=SyncState.FAILED.value, finished_at=now, errors=[*row.errors, error])
        )
        await conn.execute(
            connection_sync.update()
            .where(
                connection_sync.c.connection_id == row.connection_id,
                connection_sync.c.current_run_id == row.id,
            )
            .values(state=SyncState.FAILED.value, current_run_id=None, last_run_id=row.id)
        )
    return [row.id for row in rows]


async def entity_state(conn: AsyncConnection, connection_id: int, entity: EntityType) -> Row[Any]:
    """The entity's sync row, made on first use."""
    stmt = select(entity_sync).where(
        entity_sync.c.connection_id == connection_id, entity_sync.c.entity == entity.value
    )
    row = (await conn.execute(stmt)).first()
    if row is None:
        await conn.execute(
            entity_sync.insert().values(
                connection_id=connection_id,
                entity=entity.value,
                state=SyncState.IDLE.value,
                checkpoint_state={},
                initial_done=False,
            )
        )
        row = (await conn.execute(stmt)).first()
    assert row is not None
    return row


def stored_checkpoint(row: Row[Any]) -> Checkpoint | None:
    if row.checkpoint_updated_at is None:
        return None
    return Checkpoint(
        updated_at=row.checkpoint_updated_at,
        remote_id=row.checkpoint_remote_id,
        state=dict(row.checkpoint_state or {}),
    )


async def update_entity(
    conn: AsyncConnection, connection_id: int, entity: EntityType, **values: Any
) -> None:
    await conn.execute(
        entity_sync.update()
        .where(entity_sync.c.connection_id == connection_id, entity_sync.c.entity == entity.value)
        .values(**values)
    )


def checkpoint_values(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "checkpoint_updated_at": checkpoint.updated_at,
        "checkpoint_remote_id": checkpoint.remote_id,
        "checkpoint_state": dict(checkpoint.state),
    }


async def live_count(conn: AsyncConnection, connection_id: int, entity: EntityType) -> int:
    table = ENTITY_TABLES[entity]
    stmt = (
        select(func.count())
        .select_from(table)
        .where(table.c.connection_id == connection_id, table.c.deleted_at.is_(None))
    )
    return int((await conn.execute(stmt)).scalar_one())


async def live_remote_ids(
    conn: AsyncConnection, connection_id: int, entity: EntityType
) -> set[str]:
    table = ENTITY_TABLES[entity]
    stmt = select(table.c.remote_id).where(
        table.c.connection_id == connection_id, table.c.deleted_at.is_(None)
    )
    return set((await conn.execute(stmt)).scalars())


async def mark_seen(
    conn: AsyncConnection,
    connection_id: int,
    entity: EntityType,
    remote_ids: Sequence[str],
    run_id: int,
) -> None:
    """Records the run saw but could not map still exist: the sweep must spare them."""
    table = ENTITY_TABLES[entity]
    for start in range(0, len(remote_ids), _CHUNK):
        await conn.execute(
            table.update()
            .where(
                table.c.connection_id == connection_id,
                table.c.remote_id.in_(remote_ids[start : start + _CHUNK]),
            )
            .values(seen_run_id=run_id)
        )


async def unseen_remote_ids(
    conn: AsyncConnection, connection_id: int, entity: EntityType, run_id: int
) -> list[str]:
    table = ENTITY_TABLES[entity]
    stmt = select(table.c.remote_id).where(
        table.c.connection_id == connection_id,
        table.c.deleted_at.is_(None),
        or_(table.c.seen_run_id.is_(None), table.c.seen_run_id != run_id),
    )
    return list((await conn.execute(stmt)).scalars())


async def quarantine(
    conn: AsyncConnection,
    connection_id: int,
    entity: EntityType,
    failures: Sequence[RecordMappingError],
    *,
    run_id: int,
    now: datetime,
) -> None:
    """Keep each unmappable record with its error; one row per record, refreshed on each run."""
    q = quarantined_records
    for failure in failures:
        match = and_(
            q.c.connection_id == connection_id,
            q.c.entity == entity.value,
            q.c.remote_id == failure.remote_id
            if failure.remote_id is not None
            else q.c.remote_id.is_(None),
        )
        payload = failure.payload if isinstance(failure.payload, dict | list) else None
        values = {"error": failure.detail, "payload": payload, "run_id": run_id}
        done = await conn.execute(q.update().where(match).values(last_seen_at=now, **values))
        if done.rowcount == 0:
            await conn.execute(
                q.insert().values(
                    connection_id=connection_id,
                    entity=entity.value,
                    remote_id=failure.remote_id,
                    first_seen_at=now,
                    last_seen_at=now,
                    **values,
                )
            )


async def release(
    conn: AsyncConnection, connection_id: int, entity: EntityType, remote_ids: Iterable[str]
) -> None:
    """Records that now map are no longer quarantined."""
    q = quarantined_records
    ids = list(remote_ids)
    for start in range(0, len(ids), _CHUNK):
        await conn.execute(
            delete(q).where(
                q.c.connection_id == connection_id,
                q.c.entity == entity.value,
                q.c.remote_id.in_(ids[start : start + _CHUNK]),
            )
        )


async def bump_data_version(conn: AsyncConnection, connection_id: int) -> None:
    await conn.execute(
        connections.update()
        .where(connections.c.id == connection_id)
        .values(data_version=connections.c.data_version + 1)
    )


async def emit_record_events(
    conn: AsyncConnection,
    connection_id: int,
    entity: EntityType,
    changes: Mapping[ChangeKind, Sequence[tuple[int, str]]],
    *,
    now: datetime,
) -> list[Event]:
    """``record.created|updated|deleted`` for every change, with their webhook deliveries, in
    a few bulk statements however large the page."""
    connection_gid = to_global_id("Connection", connection_id)
    node_type = type_name(entity)
    made: list[Event] = []
    for kind, rows in changes.items():
        for pk, remote_id in rows:
            made.append(
                Event(
                    event_id=new_event_id(),
                    type=f"record.{kind.value.lower()}",
                    created_at=now,
                    connection_id=connection_id,
                    data={
                        "connectionId": connection_gid,
                        "entity": entity.value,
                        "id": to_global_id(node_type, pk),
                        "remoteId": remote_id,
                        "kind": kind.value,
                        "at": now.isoformat(),
                    },
                )
            )
    if not made:
        return made
    endpoints = (
        await conn.execute(
            select(webhook_endpoints.c.id, webhook_endpoints.c.events).where(
                webhook_endpoints.c.enabled.is_(True)
            )
        )
    ).all()
    for start in range(0, len(made), _CHUNK):
        chunk = made[start : start + _CHUNK]
        await conn.execute(
            events.insert(),
            [
                {
                    "event_id": e.event_id,
                    "type": e.type,
                    "connection_id": connection_id,
                    "data": e.data,
                    "created_at": now,
                }
                for e in chunk
            ],
        )
        if not endpoints:
            continue
        found = await conn.execute(
            select(events.c.event_id, events.c.id).where(
                events.c.event_id.in_([e.event_id for e in chunk])
            )
        )
        pks = {event_id: pk for event_id, pk in found}
        deliveries = [
            {
                "event_id": pks[e.event_id],
                "endpoint_id": endpoint.id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for e in chunk
            for endpoint in endpoints
            if subscribed(endpoint.events or [], e.type)
        ]
        if deliveries:
            await conn.execute(webhook_deliveries.insert(), deliveries)
    return made


__all__ = [
    "bump_data_version",
    "checkpoint_values",
    "current_run",
    "emit_record_events",
    "entity_state",
    "fail_abandoned_runs",
    "get_run",
    "live_count",
    "live_remote_ids",
    "mark_seen",
    "open_run",
    "quarantine",
    "release",
    "stored_checkpoint",
    "type_name",
    "unseen_remote_ids",
    "update_connection_sync",
    "update_entity",
    "writing",
]
