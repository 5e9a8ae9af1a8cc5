"""One sync run: initial, incremental, snapshot-and-diff and full, page by page, resumable.

Every page commits in one transaction with its checkpoint, so a run that stops (outage, crash,
cancel) loses nothing: the next one continues from the stored checkpoints. Deletions come from
the system's own signal, from a complete snapshot (mark and sweep), or from reconciling ids.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog

from ironbridge.connectors.base import Checkpoint
from ironbridge.connectors.errors import ConnectorError, RateLimited
from ironbridge.models import ChangeKind, ConnectionStatus, EntityType, SyncMode, SyncState
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.sync import state
from ironbridge.sync.outcome import (
    OVERLAP,
    SYNC_STATUS_EVENT,
    RunEndings,
    RunProgress,
    backoff_delay,
    interval_delay,
    sync_error,
    utcnow,
)
from ironbridge.upstream import connection_connector, stored_credentials

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence
    from datetime import datetime

    from sqlalchemy import Row

    from ironbridge.connectors.base import Batch, Connector, EntitySupport
    from ironbridge.models import SyncTrigger
    from ironbridge.services import Services
    from ironbridge.sync.runner import SyncRequest

    ConnectorFactory = Callable[[Row[Any], Mapping[str, str]], Connector]

log = structlog.get_logger(__name__)


class SyncEngine(RunEndings):
    """Runs syncs for the connections of one store."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        connector_factory: ConnectorFactory | None = None,
        overlap: timedelta = OVERLAP,
        reconcile_every: timedelta = timedelta(hours=6),
        max_rate_limit_wait: float = 60.0,
        rate_limit_retries: int = 5,
    ) -> None:
        super().__init__(services, clock=clock, rng=rng or random.Random())
        self._sleep = sleep
        self._factory = connector_factory or self._open_connector
        self.overlap = overlap
        self.reconcile_every = reconcile_every
        self.max_rate_limit_wait = max_rate_limit_wait
        self.rate_limit_retries = rate_limit_retries

    # -- public ---------------------------------------------------------------------------------

    async def recover(self) -> list[int]:
        """At start-up: runs a dead process left in progress are failed; returns their ids."""
        async with state.writing(self.services.engine) as conn:
            return await state.fail_abandoned_runs(conn, now=self.clock())

    def entities_for(
        self, row: Row[Any], requested: Sequence[EntityType] | None = None
    ) -> list[EntityType]:
        """The entities a run of this connection syncs: its settings, what the system reads,
        and what was asked for."""
        cls = self.services.registry.get(row.system_key)
        if cls is None:
            return []
        chosen = {EntityType(e) for e in row.sync_entities} or set(EntityType)
        if requested is not None:
            chosen &= set(requested)
        return [e for e in EntityType if e in chosen and (s := cls.supports(e)) and s.read]

    async def open(
        self,
        connection_id: int,
        *,
        mode: SyncMode,
        trigger: SyncTrigger,
        entities: Sequence[EntityType] | None = None,
    ) -> int:
        """The run row of a sync about to be submitted (so a caller can show it at once)."""
        async with state.writing(self.services.engine) as conn:
            row = await connection_store.get_connection(conn, connection_id)
            if row is None:
                raise LookupError(connection_id)
            return await state.open_run(
                conn,
                connection_id,
                mode=mode,
                trigger=trigger,
                entities=self.entities_for(row, entities),
                now=self.clock(),
            )

    async def run(self, request: SyncRequest) -> int | None:
        """Run one sync to its end; returns the run id (None when there was nothing to run)."""
        async with self.services.engine.connect() as conn:
            row = await connection_store.get_connection(conn, request.connection_id)
        if row is None or row.status == ConnectionStatus.DISCONNECTED.value:
            if request.run_id is not None and row is not None:
                await self._abandon(request.run_id, row.id, "the connection is disconnected")
            return None
        entities = self.entities_for(row, request.entities)
        run_id = request.run_id
        if run_id is None:
            async with state.writing(self.services.engine) as conn:
                run_id = await state.open_run(
                    conn,
                    row.id,
                    mode=request.mode,
                    trigger=request.trigger,
                    entities=entities,
                    now=self.clock(),
                )
        await self._announce(row.id, run_id, "started")
        try:
            connector = await self._connector(row)
        except Exception as exc:
            await self._abandon(run_id, row.id, f"the connector could not be opened: {exc}")
            raise
        run = RunProgress(
            id=run_id,
            connection_id=row.id,
            mode=request.mode,
            connector=connector,
            lookback=timedelta(days=row.sync_initial_lookback_days),
        )
        log.info("sync.started", connection_id=row.id, run_id=run_id, mode=request.mode.value)
        try:
            for entity in entities:
                run.entity = entity
                support = connector.entities[entity]
                await self._entity(run, entity, support)
            run.entity = None
        except ConnectorError as exc:
            await self._failed(run, exc)
        except asyncio.CancelledError:
            await self._failed(run, None)
            raise
        except Exception as exc:
            await self._failed(run, exc)
            raise
        else:
            await self._completed(run)
        finally:
            await connector.aclose()
        return run_id

    # -- entities -------------------------------------------------------------------------------

    async def _entity(self, run: RunProgress, entity: EntityType, support: EntitySupport) -> None:
        retries = 0
        while True:
            try:
                await self._fetch(run, entity, support)
                break
            except RateLimited as exc:
                retries += 1
                if retries > self.rate_limit_retries or exc.retry_after > self.max_rate_limit_wait:
                    raise
                # the next attempt resumes from the page checkpoint just committed
                await self._sleep(max(exc.retry_after, 0.0))
        async with self.services.engine.connect() as conn:
            es = await state.entity_state(conn, run.connection_id, entity)
        due = (
            es.last_reconciled_at is None
            or self.clock() - es.last_reconciled_at >= self.reconcile_every
        )
        if support.incremental and (
            run.mode is SyncMode.FULL or (not support.delete_signal and es.initial_done and due)
        ):
            await self._reconcile(run, entity)
        async with state.writing(self.services.engine) as conn:
            await state.update_entity(
                conn,
                run.connection_id,
                entity,
                state=SyncState.COMPLETED.value,
                initial_done=True,
                last_successful_sync_at=self.clock(),
                last_error=None,
            )

    async def _fetch(self, run: RunProgress, entity: EntityType, support: EntitySupport) -> None:
        now = self.clock()
        async with state.writing(self.services.engine) as conn:
            es = await state.entity_state(conn, run.connection_id, entity)
            await state.update_entity(
                conn, run.connection_id, entity, state=SyncState.IN_PROGRESS.value
            )
            before = await state.live_count(conn, run.connection_id, entity)
        stored = state.stored_checkpoint(es)
        initial = not es.initial_done
        snapshot = not support.incremental
        full = run.mode is SyncMode.FULL
        not_before: datetime | None = now - run.lookback if (initial or full) else None
        since: Checkpoint | None = None
        if not (snapshot or full):
            if stored is not None and stored.updated_at is not None:
                since = Checkpoint(
                    updated_at=stored.updated_at - self.overlap, state=dict(stored.state)
                )
            elif not_before is None:
                not_before = now - run.lookback
        fetched = failed = 0
        complete = False
        async for batch in run.connector.fetch_changes(entity, since, not_before=not_before):
            fetched += len(batch.records)
            failed += len(batch.failures)
            complete = complete or batch.complete_snapshot
            checkpoint = None if snapshot else batch.checkpoint
            if checkpoint is not None and (
                checkpoint.updated_at is None
                or (
                    stored is not None
                    and stored.updated_at is not None
                    and checkpoint.updated_at < stored.updated_at
                )
            ):
                checkpoint = None  # never move a checkpoint backwards (overlap pages)
            if checkpoint is not None:
                stored = checkpoint
            # a commit in flight finishes even when the run is cancelled meanwhile
            await asyncio.shield(self._page(run, entity, batch, checkpoint))
        if (initial or full or snapshot) and fetched + failed == 0 and before > 0:
            run.warnings = True
            run.add_error(
                sync_error(
                    "EMPTY_FETCH",
                    f"The system sent no {entity.value} records although {before} were synced "
                    "before; nothing was deleted. Check the connection's permissions.",
                    at=self.clock(),
                    entity=entity,
                )
            )
            return
        if snapshot and complete:
            async with self.services.engine.connect() as conn:
                gone = await state.unseen_remote_ids(conn, run.connection_id, entity, run.id)
            await asyncio.shield(self._delete(run, entity, gone))

    async def _reconcile(self, run: RunProgress, entity: EntityType) -> None:
        """Soft-delete what the system no longer lists."""
        listed: set[str] = set()
        async for page in run.connector.list_ids(entity):
            listed.update(page)
        async with self.services.engine.connect() as conn:
            held = await state.live_remote_ids(conn, run.connection_id, entity)
        if not listed and held:
            run.warnings = True
            run.add_error(
                sync_error(
                    "EMPTY_LISTING",
                    f"The system listed no {entity.value} ids although {len(held)} are synced; "
                    "nothing was deleted.",
                    at=self.clock(),
                    entity=entity,
                )
            )
            return
        await asyncio.shield(self._delete(run, entity, sorted(held - listed)))
        async with state.writing(self.services.engine) as conn:
            await state.update_entity(
                conn, run.connection_id, entity, last_reconciled_at=self.clock()
            )

    # -- pages ----------------------------------------------------------------------------------

    async def _page(
        self, run: RunProgress, entity: EntityType, batch: Batch, checkpoint: Checkpoint | None
    ) -> None:
        now = self.clock()
        cid = run.connection_id
        changes: dict[ChangeKind, Sequence[tuple[int, str]]] = {}
        async with state.writing(self.services.engine) as conn:
            records = [r for r in batch.records if r.entity_type is entity]
            if records:
                result = await record_store.upsert_records(
                    conn, cid, records, synced_at=now, run_id=run.id
                )
                changes[ChangeKind.CREATED] = result.created
                changes[ChangeKind.UPDATED] = result.updated
                await state.release(conn, cid, entity, [r.remote_id for r in records])
            if batch.failures:
                ids = [f.remote_id for f in batch.failures if f.remote_id is not None]
                await state.mark_seen(conn, cid, entity, ids, run.id)
                await state.quarantine(conn, cid, entity, batch.failures, run_id=run.id, now=now)
            if batch.deleted_remote_ids:
                changes[ChangeKind.DELETED] = await record_store.soft_delete(
                    conn, entity, cid, list(batch.deleted_remote_ids), at=now
                )
            if checkpoint is not None:
                await state.update_entity(conn, cid, entity, **state.checkpoint_values(checkpoint))
            run.counts["fetched"] += len(records) + len(batch.failures)
            run.counts["created"] += len(changes.get(ChangeKind.CREATED, ()))
            run.counts["updated"] += len(changes.get(ChangeKind.UPDATED, ()))
            run.counts["deleted"] += len(changes.get(ChangeKind.DELETED, ()))
            run.counts["failed"] += len(batch.failures)
            for failure in batch.failures:
                run.add_error(
                    sync_error(
                        "RECORD_INVALID",
                        failure.detail,
                        at=now,
                        entity=entity,
                        remote_id=failure.remote_id,
                    )
                )
            await self._save_counts(conn, run)
            self._count(run, entity, changes, failed=len(batch.failures))
            events = await state.emit_record_events(conn, cid, entity, changes, now=now)
            if events:
                await state.bump_data_version(conn, cid)
        await self._publish(events)
        await self._announce(cid, run.id, "progress")

    async def _delete(
        self, run: RunProgress, entity: EntityType, remote_ids: Sequence[str]
    ) -> None:
        if not remote_ids:
            return
        now = self.clock()
        async with state.writing(self.services.engine) as conn:
            gone = await record_store.soft_delete(
                conn, entity, run.connection_id, list(remote_ids), at=now
            )
            run.counts["deleted"] += len(gone)
            await self._save_counts(conn, run)
            events = await state.emit_record_events(
                conn, run.connection_id, entity, {ChangeKind.DELETED: gone}, now=now
            )
            if events:
                await state.bump_data_version(conn, run.connection_id)
        await self._publish(events)
        await self._announce(run.connection_id, run.id, "progress")

    # -- plumbing -------------------------------------------------------------------------------

    async def _connector(self, row: Row[Any]) -> Connector:
        return self._factory(row, await stored_credentials(self.services, row.id))

    def _open_connector(self, row: Row[Any], credentials: Mapping[str, str]) -> Connector:
        return connection_connector(self.services, row, dict(credentials))


__all__ = [
    "OVERLAP",
    "SYNC_STATUS_EVENT",
    "SyncEngine",
    "backoff_delay",
    "interval_delay",
    "sync_error",
    "utcnow",
]
