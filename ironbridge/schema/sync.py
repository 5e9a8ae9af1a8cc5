"""Sync over the API: ``triggerSync``, and the ``syncStatusChanged`` and ``recordChanged``
subscriptions, each authorized per connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry

from ironbridge.errors import ApiError, ErrorCode, bad_input
from ironbridge.events.bus import Event, Lagged
from ironbridge.models import ConnectionStatus as Status
from ironbridge.schema.context import Context
from ironbridge.schema.ids import to_global_id
from ironbridge.schema.mutation import target_connection_id
from ironbridge.schema.query import load_visible_connection
from ironbridge.schema.subscription import lagged_error, scope, watching
from ironbridge.schema.types.connection import SyncRun
from ironbridge.schema.types.enums import ChangeKind, EntityType, SyncMode, SyncTrigger
from ironbridge.sync import state
from ironbridge.sync.engine import SYNC_STATUS_EVENT

Info = strawberry.Info

RECORD_EVENTS = {"record.created", "record.updated", "record.deleted"}
# how long triggerSync waits for a run that is starting to show its row
_STARTING_WAIT = 5.0


@strawberry.type
class SyncEvent:
    connection_id: strawberry.ID
    run: SyncRun
    kind: str = strawberry.field(description="started | progress | finished")
    at: datetime


@strawberry.type
class RecordChangeEvent:
    connection_id: strawberry.ID
    entity: EntityType
    id: strawberry.ID
    remote_id: str
    kind: ChangeKind
    at: datetime


async def _load_run(info: Info[Context, Any], run_id: int) -> SyncRun | None:
    async with info.context.services.engine.connect() as conn:
        row = await state.get_run(conn, run_id)
    return SyncRun.from_row(row) if row is not None else None


async def _current(info: Info[Context, Any], connection_id: int) -> SyncRun | None:
    async with info.context.services.engine.connect() as conn:
        row = await state.current_run(conn, connection_id)
    return SyncRun.from_row(row) if row is not None else None


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        description="Start a sync now; when one is already running, that run is returned."
    )
    async def trigger_sync(
        self,
        info: Info[Context, Any],
        connection_id: strawberry.ID | None = None,
        entities: list[EntityType] | None = None,
        mode: SyncMode = SyncMode.INCREMENTAL,
    ) -> SyncRun:
        pk = target_connection_id(info, connection_id)
        connection = await load_visible_connection(info, pk)
        services = info.context.services
        if connection.status is Status.DISCONNECTED:
            raise ApiError(
                ErrorCode.CONFLICT,
                "This connection is disconnected; it no longer syncs.",
                connection_id=to_global_id("Connection", pk),
            )
        if entities is not None:
            if not entities:
                raise bad_input("Give at least one entity, or none for all.", field="entities")
            cls = services.registry.get(connection._system_key)
            lacking = [
                e.value
                for e in entities
                if cls is None or (s := cls.supports(e)) is None or not s.read
            ]
            if lacking:
                raise ApiError(
                    ErrorCode.UNSUPPORTED_OPERATION,
                    f"This system does not provide {', '.join(lacking)}.",
                    field="entities",
                )
        engine, jobs = services.sync_engine, services.jobs
        if engine is None or jobs is None:
            raise ApiError(ErrorCode.INTERNAL, "Syncing is not running in this process.")
        running = await _current(info, pk)
        if running is not None:
            return running
        if await jobs.busy(pk):
            # a run is starting: its row appears in a moment
            async with asyncio.timeout(_STARTING_WAIT):
                while (  # noqa: ASYNC110 - the row appears in the store, not as an event
                    running := await _current(info, pk)
                ) is None and await jobs.busy(pk):
                    await asyncio.sleep(0.05)
            if running is not None:
                return running
        run_id = await engine.open(pk, mode=mode, trigger=SyncTrigger.MANUAL, entities=entities)
        await jobs.enqueue(pk, mode, SyncTrigger.MANUAL, entities, run_id=run_id)
        made = await _load_run(info, run_id)
        assert made is not None
        return made


@strawberry.type
class SyncSubscription:
    @strawberry.subscription(description="Sync runs of a connection: started, progress, finished.")
    async def sync_status_changed(
        self, info: Info[Context, Any], connection_id: strawberry.ID | None = None
    ) -> AsyncGenerator[SyncEvent, None]:
        pk = scope(info, connection_id)
        bus = info.context.services.bus
        async with bus.subscribe(watching({SYNC_STATUS_EVENT}, pk)) as events:
            async for item in events:
                if isinstance(item, Lagged):
                    raise lagged_error(item)
                if item.connection_id is None:
                    continue
                run = await _load_run(info, int(item.data["runId"]))
                if run is None:
                    continue
                yield SyncEvent(
                    connection_id=strawberry.ID(to_global_id("Connection", item.connection_id)),
                    run=run,
                    kind=str(item.data["kind"]),
                    at=datetime.fromisoformat(item.data["at"]),
                )

    @strawberry.subscription(description="Records created, updated or deleted by syncs.")
    async def record_changed(
        self,
        info: Info[Context, Any],
        connection_id: strawberry.ID | None = None,
        entities: list[EntityType] | None = None,
    ) -> AsyncGenerator[RecordChangeEvent, None]:
        pk = scope(info, connection_id)
        wanted = {e.value for e in entities} if entities else None
        accept = watching(RECORD_EVENTS, pk)

        def matching(event: Event) -> bool:
            return accept(event) and (wanted is None or event.data.get("entity") in wanted)

        async with info.context.services.bus.subscribe(matching) as events:
            async for item in events:
                if isinstance(item, Lagged):
                    raise lagged_error(item)
                data = item.data
                yield RecordChangeEvent(
                    connection_id=strawberry.ID(data["connectionId"]),
                    entity=EntityType(data["entity"]),
                    id=strawberry.ID(data["id"]),
                    remote_id=data["remoteId"],
                    kind=ChangeKind(data["kind"]),
                    at=datetime.fromisoformat(data["at"]),
                )


__all__ = ["RecordChangeEvent", "SyncEvent", "SyncMutation", "SyncSubscription"]
