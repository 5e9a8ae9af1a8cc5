"""When connections sync: on connect at once, then every ``intervalMinutes`` (with jitter, set
by the engine at the end of each run), later after failures (backoff), never while paused,
disconnected or waiting for reauthorization, and never twice at once."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import and_, or_, select

from ironbridge.models import ConnectionStatus, SyncMode, SyncTrigger
from ironbridge.store.tables import connection_sync, connections, entity_sync
from ironbridge.sync.runner import RunnerClosed

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from ironbridge.services import Services
    from ironbridge.sync.runner import JobRunner

log = structlog.get_logger(__name__)

# the statuses whose schedule runs (REAUTH_REQUIRED waits for reauthorize)
SCHEDULED_STATUSES = (ConnectionStatus.ACTIVE.value, ConnectionStatus.UNREACHABLE.value)


class Scheduler:
    """Looks for due connections every ``tick`` seconds and hands them to the runner."""

    def __init__(
        self,
        services: Services,
        runner: JobRunner,
        *,
        clock: Callable[[], datetime],
        tick: float = 15.0,
    ) -> None:
        self.services = services
        self.runner = runner
        self.clock = clock
        self.tick_seconds = tick
        self._task: asyncio.Task[None] | None = None

    async def due(self, now: datetime | None = None) -> list[int]:
        """Connections whose next sync is due and whose schedule is not held."""
        now = now or self.clock()
        c, s = connections.c, connection_sync.c
        stmt = (
            select(c.id)
            .select_from(connections.outerjoin(connection_sync, s.connection_id == c.id))
            .where(
                c.status.in_(SCHEDULED_STATUSES),
                c.sync_paused.is_(False),
                or_(s.next_scheduled_sync_at.is_(None), s.next_scheduled_sync_at <= now),
                or_(s.backoff_until.is_(None), s.backoff_until <= now),
            )
            .order_by(c.id)
        )
        async with self.services.engine.connect() as conn:
            return [int(i) for i in (await conn.execute(stmt)).scalars()]

    async def tick(self, now: datetime | None = None) -> list[int]:
        """Submit every due connection that has no job yet; returns those submitted."""
        submitted: list[int] = []
        for connection_id in await self.due(now):
            if await self.runner.busy(connection_id):
                continue
            failures = await self._failures(connection_id)
            trigger = SyncTrigger.RETRY if failures else SyncTrigger.SCHEDULE
            mode = await self._mode(connection_id)
            if await self.runner.enqueue(connection_id, mode, trigger, scheduled=True):
                submitted.append(connection_id)
        return submitted

    async def on_connected(self, connection_id: int) -> None:
        """A new (or reauthorized) connection: its first sync, or its resume, starts now."""
        mode = await self._mode(connection_id)
        trigger = SyncTrigger.CONNECT if mode is SyncMode.INITIAL else SyncTrigger.RETRY
        try:
            await self.runner.enqueue(connection_id, mode, trigger)
        except RunnerClosed:
            log.warning("sync.runner_closed", connection_id=connection_id)

    async def on_disconnected(self, connection_id: int) -> None:
        await self.runner.cancel(connection_id)

    async def _mode(self, connection_id: int) -> SyncMode:
        """INITIAL until every entity's first sync is done, then INCREMENTAL."""
        stmt = select(entity_sync.c.initial_done).where(
            and_(entity_sync.c.connection_id == connection_id)
        )
        async with self.services.engine.connect() as conn:
            done = list((await conn.execute(stmt)).scalars())
        return SyncMode.INCREMENTAL if done and all(done) else SyncMode.INITIAL

    async def _failures(self, connection_id: int) -> int:
        stmt = select(connection_sync.c.consecutive_failures).where(
            connection_sync.c.connection_id == connection_id
        )
        async with self.services.engine.connect() as conn:
            value = (await conn.execute(stmt)).scalar_one_or_none()
        return int(value or 0)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="sync-scheduler")

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except RunnerClosed:
                return
            except Exception:  # a failed tick is logged; the next one tries again
                log.exception("sync.scheduler_tick_failed")
            await asyncio.sleep(self.tick_seconds)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["SCHEDULED_STATUSES", "Scheduler"]
