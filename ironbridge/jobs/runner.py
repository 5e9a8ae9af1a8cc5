"""The job runner port over procrastinate: gateways and workers enqueue, workers run.

``submit``/``is_busy`` (the synchronous half of the port) defer in the background and answer
from what this process has in flight; callers that can await use ``enqueue``/``busy``, which
ask the queue itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import structlog
from procrastinate.exceptions import AlreadyEnqueued

from ironbridge.jobs.queue import QUEUE, SYNC_TASK, lock_of
from ironbridge.sync.runner import JobRunner, RunnerClosed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from procrastinate import App

    from ironbridge.models import EntityType, SyncMode, SyncTrigger

log = structlog.get_logger(__name__)

# seconds ``cancel`` waits for a worker to stop the running job (workers poll aborts each second)
CANCEL_WAIT = 15.0
POLL = 0.1

_BUSY = """SELECT id FROM procrastinate_jobs
WHERE lock = %(lock)s AND status IN ('todo', 'doing') LIMIT 1"""
_JOBS = """SELECT id, status::text AS status, args FROM procrastinate_jobs
WHERE lock = %(lock)s AND status IN ('todo', 'doing') ORDER BY id"""


class ProcrastinateRunner(JobRunner):
    """Sync jobs as procrastinate jobs in the store's PostgreSQL."""

    def __init__(self, app: App, *, owns_app: bool = True) -> None:
        self._app = app
        self._owns_app = owns_app
        self._pending: dict[int, int] = {}
        self._tasks: set[asyncio.Task[bool]] = set()
        self._opened = False
        self._started = False
        self._closed = False

    @property
    def app(self) -> App:
        return self._app

    async def open(self) -> None:
        """Open the queue's connection pool (when this runner owns the app)."""
        if self._owns_app and not self._opened:
            await self._app.open_async()
            self._opened = True

    def start(self) -> None:
        if self._closed:
            raise RunnerClosed("the job runner is closed")
        self._started = True

    def _check(self) -> None:
        if not self._started or self._closed:
            raise RunnerClosed("the job runner is not running")

    async def enqueue(
        self,
        connection_id: int,
        mode: SyncMode,
        trigger: SyncTrigger,
        entities: Sequence[EntityType] | None = None,
        *,
        run_id: int | None = None,
        scheduled: bool = False,
    ) -> bool:
        self._check()
        lock = lock_of(connection_id)
        deferrer = self._app.configure_task(SYNC_TASK, queue=QUEUE, lock=lock, queueing_lock=lock)
        kwargs: dict[str, Any] = {
            "connection_id": connection_id,
            "mode": mode.value,
            "trigger": trigger.value,
            "entities": [e.value for e in entities] if entities is not None else None,
            "run_id": run_id,
            "scheduled": scheduled,
        }
        for _ in range(3):
            try:
                await deferrer.defer_async(**kwargs)
            except AlreadyEnqueued:
                if run_id is None or not await self._drop_scheduled(connection_id):
                    return False
                # an explicit run took the waiting slot from a scheduled one: defer again
                continue
            return True
        return False

    async def _jobs(self, connection_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._app.connector.execute_query_all_async(
            _JOBS, lock=lock_of(connection_id)
        )
        return rows

    async def _drop_scheduled(self, connection_id: int) -> bool:
        """Cancel the waiting job when nobody asked for it by hand; True when one was."""
        dropped = False
        for job in await self._jobs(connection_id):
            if job["status"] == "todo" and job["args"].get("run_id") is None:
                dropped |= await self._app.job_manager.cancel_job_by_id_async(job["id"])
        return dropped

    async def busy(self, connection_id: int) -> bool:
        self._check()
        rows = await self._app.connector.execute_query_all_async(_BUSY, lock=lock_of(connection_id))
        return bool(rows) or connection_id in self._pending

    def submit(
        self,
        connection_id: int,
        mode: SyncMode,
        trigger: SyncTrigger,
        entities: Sequence[EntityType] | None = None,
        *,
        run_id: int | None = None,
    ) -> bool:
        self._check()
        self._pending[connection_id] = self._pending.get(connection_id, 0) + 1
        task = asyncio.create_task(
            self.enqueue(connection_id, mode, trigger, entities, run_id=run_id),
            name=f"defer-sync-{connection_id}",
        )
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._deferred(connection_id, t))
        return True

    def _deferred(self, connection_id: int, task: asyncio.Task[bool]) -> None:
        self._tasks.discard(task)
        left = self._pending.get(connection_id, 1) - 1
        if left > 0:
            self._pending[connection_id] = left
        else:
            self._pending.pop(connection_id, None)
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            log.error("jobs.defer_failed", connection_id=connection_id, error=str(exc))
        elif not task.result():
            log.info("jobs.already_waiting", connection_id=connection_id)

    def is_busy(self, connection_id: int) -> bool:
        return connection_id in self._pending

    async def cancel(self, connection_id: int) -> None:
        manager = self._app.job_manager
        for job in await self._jobs(connection_id):
            if job["status"] == "todo" and job["args"].get("run_id") is not None:
                continue  # its run row exists: the job closes it (the connection is stopped)
            with contextlib.suppress(Exception):  # it may have finished meanwhile
                await manager.cancel_job_by_id_async(job["id"], abort=job["status"] == "doing")
        # a worker stops the running job at its next abort poll
        for _ in range(int(CANCEL_WAIT / POLL)):
            if not any(j["status"] == "doing" for j in await self._jobs(connection_id)):
                return
            await asyncio.sleep(POLL)
        log.warning("jobs.cancel_pending", connection_id=connection_id)

    async def aclose(self) -> None:
        self._closed = True
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._owns_app and self._opened:
            await self._app.close_async()
            self._opened = False


__all__ = ["ProcrastinateRunner"]
