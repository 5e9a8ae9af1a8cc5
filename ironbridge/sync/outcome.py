"""A sync run's progress, and how it ends: the run row, the connection's sync state and
status, backoff, and the events that announce it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from ironbridge.connectors.errors import (
    AuthFailed,
    BudgetExhausted,
    ConnectorError,
    RateLimited,
    SystemUnreachable,
)
from ironbridge.events.bus import Event
from ironbridge.events.outbox import emit, new_event_id
from ironbridge.lifecycle.service import publish
from ironbridge.lifecycle.status import set_status
from ironbridge.models import ChangeKind, ConnectionStatus, EntityType, SyncMode, SyncState
from ironbridge.schema.ids import to_global_id
from ironbridge.store import connections as connection_store
from ironbridge.store.tables import sync_runs
from ironbridge.sync import state

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.connectors.base import Connector
    from ironbridge.services import Services

log = structlog.get_logger("ironbridge.sync")

OVERLAP = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
UNREACHABLE_AFTER = 3
MAX_RUN_ERRORS = 100
# the bus event type of run started / progress / finished (subscriptions only, no webhook)
SYNC_STATUS_EVENT = "sync.status"
_CONNECTIVITY = (SystemUnreachable, RateLimited, BudgetExhausted)


def utcnow() -> datetime:
    return datetime.now(UTC)


def backoff_delay(failures: int, rng: random.Random) -> timedelta:
    """1 min doubling per consecutive failure up to 6 h, with +-20% jitter (capped)."""
    base: timedelta = min(BACKOFF_BASE * 2 ** max(0, min(failures - 1, 20)), BACKOFF_CAP)
    jittered: timedelta = base * rng.uniform(0.8, 1.2)
    return min(jittered, BACKOFF_CAP)


def interval_delay(minutes: int, rng: random.Random) -> timedelta:
    """The scheduled interval with +-10% jitter, so connections do not sync in lockstep."""
    return timedelta(minutes=minutes) * rng.uniform(0.9, 1.1)


def sync_error(
    code: str,
    message: str,
    *,
    at: datetime,
    entity: EntityType | None = None,
    remote_id: str | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "entity": entity.value if entity else None,
        "remoteId": remote_id,
        "at": at.isoformat(),
    }


@dataclass(slots=True)
class RunProgress:
    id: int
    connection_id: int
    mode: SyncMode
    connector: Connector
    lookback: timedelta
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("fetched", "created", "updated", "deleted", "failed"), 0
        )
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: bool = False
    entity: EntityType | None = None
    started: float = field(default_factory=time.monotonic)

    def add_error(self, error: dict[str, Any]) -> None:
        if len(self.errors) < MAX_RUN_ERRORS:
            self.errors.append(error)

    def row_values(self) -> dict[str, Any]:
        c = self.counts
        return {
            "records_fetched": c["fetched"],
            "records_created": c["created"],
            "records_updated": c["updated"],
            "records_deleted": c["deleted"],
            "records_failed": c["failed"],
            "upstream_requests": self.connector.upstream_requests,
            "errors": list(self.errors),
        }


class RunEndings:
    """What every run shares: publishing, announcing, and the ways a run ends."""

    def __init__(
        self, services: Services, *, clock: Callable[[], datetime], rng: random.Random
    ) -> None:
        self.services = services
        self.clock = clock
        self.rng = rng

    async def _publish(self, events: Sequence[Event]) -> None:
        await publish(self.services, events)

    async def _announce(self, connection_id: int, run_id: int, kind: str) -> None:
        now = self.clock()
        await self.services.bus.publish(
            Event(
                event_id=new_event_id(),
                type=SYNC_STATUS_EVENT,
                created_at=now,
                connection_id=connection_id,
                data={"runId": run_id, "kind": kind, "at": now.isoformat()},
            )
        )

    # -- endings --------------------------------------------------------------------------------

    async def _completed(self, run: RunProgress) -> None:
        now = self.clock()
        warned = run.warnings or run.counts["failed"] > 0
        final = SyncState.COMPLETED_WITH_WARNINGS if warned else SyncState.COMPLETED
        async with state.writing(self.services.engine) as conn:
            row = await connection_store.get_connection(conn, run.connection_id)
            assert row is not None
            await self._finish_run(conn, run, final, now)
            await state.update_connection_sync(
                conn,
                run.connection_id,
                state=final.value,
                last_successful_sync_at=now,
                consecutive_failures=0,
                backoff_until=None,
                next_scheduled_sync_at=now + interval_delay(row.sync_interval_minutes, self.rng),
                current_run_id=None,
                last_run_id=run.id,
            )
            events: list[Event] = []
            if row.status in (
                ConnectionStatus.UNREACHABLE.value,
                ConnectionStatus.REAUTH_REQUIRED.value,
            ):
                events += await set_status(
                    conn,
                    run.connection_id,
                    ConnectionStatus.ACTIVE,
                    reason="sync succeeded",
                    now=now,
                )
            events.append(await self._emit_run(conn, run, "sync.completed", final, now))
        await self._publish(events)
        await self._announce(run.connection_id, run.id, "finished")
        log.info("sync.finished", connection_id=run.connection_id, run_id=run.id, state=final.value)

    async def _failed(self, run: RunProgress, exc: BaseException | None) -> None:
        """A run that stopped: FAILED, with backoff; connectivity and auth change the status."""
        now = self.clock()
        if exc is None:
            error = sync_error("CANCELLED", "The sync was stopped.", at=now, entity=run.entity)
        elif isinstance(exc, ConnectorError):
            error = sync_error(error_code(exc), exc.detail, at=now, entity=run.entity)
        else:
            error = sync_error("INTERNAL", "The sync stopped on an internal error.", at=now)
        run.add_error(error)
        async with state.writing(self.services.engine) as conn:
            sync_row = (await connection_store.sync_rows(conn, [run.connection_id])).get(
                run.connection_id
            )
            failures = (sync_row.consecutive_failures if sync_row else 0) + (exc is not None)
            delay = backoff_delay(max(failures, 1), self.rng)
            if isinstance(exc, RateLimited | BudgetExhausted):
                delay = max(delay, timedelta(seconds=exc.retry_after))
            await self._finish_run(conn, run, SyncState.FAILED, now)
            paused = isinstance(exc, AuthFailed)
            await state.update_connection_sync(
                conn,
                run.connection_id,
                state=SyncState.FAILED.value,
                consecutive_failures=failures,
                backoff_until=now + delay if exc is not None else None,
                next_scheduled_sync_at=None if paused else now + delay,
                current_run_id=None,
                last_run_id=run.id,
            )
            if run.entity is not None:
                await state.update_entity(
                    conn,
                    run.connection_id,
                    run.entity,
                    state=SyncState.FAILED.value,
                    last_error=error,
                )
            events: list[Event] = []
            if paused:
                events += await set_status(
                    conn,
                    run.connection_id,
                    ConnectionStatus.REAUTH_REQUIRED,
                    reason=error["message"],
                    now=now,
                )
            elif isinstance(exc, _CONNECTIVITY) and failures >= UNREACHABLE_AFTER:
                events += await set_status(
                    conn,
                    run.connection_id,
                    ConnectionStatus.UNREACHABLE,
                    reason=error["message"],
                    now=now,
                )
            events.append(await self._emit_run(conn, run, "sync.failed", SyncState.FAILED, now))
        await self._publish(events)
        await self._announce(run.connection_id, run.id, "finished")
        log.warning(
            "sync.failed", connection_id=run.connection_id, run_id=run.id, code=error["code"]
        )

    async def _abandon(self, run_id: int, connection_id: int, message: str) -> None:
        now = self.clock()
        async with state.writing(self.services.engine) as conn:
            await conn.execute(
                sync_runs.update()
                .where(sync_runs.c.id == run_id)
                .values(
                    state=SyncState.FAILED.value,
                    finished_at=now,
                    errors=[sync_error("NOT_RUN", message, at=now)],
                )
            )
            await state.update_connection_sync(
                conn,
                connection_id,
                state=SyncState.FAILED.value,
                current_run_id=None,
                last_run_id=run_id,
            )
        await self._announce(connection_id, run_id, "finished")

    async def _finish_run(
        self, conn: AsyncConnection, run: RunProgress, final: SyncState, now: datetime
    ) -> None:
        await conn.execute(
            sync_runs.update()
            .where(sync_runs.c.id == run.id)
            .values(state=final.value, finished_at=now, **run.row_values())
        )
        system = run.connector.system.key
        self.services.metrics.sync_duration.labels(system, final.value).observe(
            time.monotonic() - run.started
        )

    async def _save_counts(self, conn: AsyncConnection, run: RunProgress) -> None:
        await conn.execute(
            sync_runs.update().where(sync_runs.c.id == run.id).values(**run.row_values())
        )

    async def _emit_run(
        self, conn: AsyncConnection, run: RunProgress, type: str, final: SyncState, now: datetime
    ) -> Event:
        c = run.counts
        data = {
            "connectionId": to_global_id("Connection", run.connection_id),
            "runId": to_global_id("SyncRun", run.id),
            "mode": run.mode.value,
            "state": final.value,
            "recordsFetched": c["fetched"],
            "recordsCreated": c["created"],
            "recordsUpdated": c["updated"],
            "recordsDeleted": c["deleted"],
            "recordsFailed": c["failed"],
            "errors": run.errors[:10],
        }
        return await emit(conn, type=type, data=data, connection_id=run.connection_id, now=now)

    def _count(
        self,
        run: RunProgress,
        entity: EntityType,
        changes: Mapping[ChangeKind, Sequence[tuple[int, str]]],
        *,
        failed: int = 0,
    ) -> None:
        counter = self.services.metrics.sync_records
        system = run.connector.system.key
        for kind, rows in changes.items():
            if rows:
                counter.labels(system, entity.value, kind.value.lower()).inc(len(rows))
        if failed:
            counter.labels(system, entity.value, "failed").inc(failed)


def error_code(exc: ConnectorError) -> str:
    if isinstance(exc, AuthFailed):
        return "REAUTH_REQUIRED"
    if isinstance(exc, RateLimited | BudgetExhausted):
        return "RATE_LIMITED"
    if isinstance(exc, SystemUnreachable):
        return "SYSTEM_UNREACHABLE"
    return "SYSTEM_ERROR"


__all__ = [
    "OVERLAP",
    "SYNC_STATUS_EVENT",
    "RunEndings",
    "RunProgress",
    "backoff_delay",
    "error_code",
    "interval_delay",
    "sync_error",
    "utcnow",
]
