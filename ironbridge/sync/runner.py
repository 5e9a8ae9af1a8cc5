"""The job runner port: at most one running sync and one waiting sync per connection.

:class:`InProcessRunner` runs jobs as tasks in this process (the embedded mode); the app's
lifespan owns it. :class:`ironbridge.jobs.runner.ProcrastinateRunner` implements the same port
over a shared queue; callers that may hold either await :meth:`JobRunner.enqueue` and
:meth:`JobRunner.busy`.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from ironbridge.models import SyncMode, SyncTrigger

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from ironbridge.models import EntityType

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncRequest:
    """One sync to run: what, why, and (when the caller opened it already) its run row."""

    connection_id: int
    mode: SyncMode = SyncMode.INCREMENTAL
    trigger: SyncTrigger = SyncTrigger.SCHEDULE
    # None: every entity of the connection's sync settings
    entities: tuple[EntityType, ...] | None = None
    run_id: int | None = None


class RunnerClosed(RuntimeError):
    """The runner has been closed (or not started) and takes no jobs."""


class JobRunner(abc.ABC):
    """Where sync jobs run; never two at once for one connection."""

    @abc.abstractmethod
    def submit(
        self,
        connection_id: int,
        mode: SyncMode,
        trigger: SyncTrigger,
        entities: Sequence[EntityType] | None = None,
        *,
        run_id: int | None = None,
    ) -> bool:
        """Run now, or wait behind the running job; ``False`` when one is already waiting."""

    @abc.abstractmethod
    def is_busy(self, connection_id: int) -> bool:
        """Whether a job of the connection is running or waiting."""

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
        """:meth:`submit` for runners whose queue lives elsewhere (awaits the answer).
        ``scheduled``: the scheduler found the connection due; a queued job checks it still
        is when it starts (a run may have ended in between)."""
        return self.submit(connection_id, mode, trigger, entities, run_id=run_id)

    async def busy(self, connection_id: int) -> bool:
        """:meth:`is_busy` for runners whose queue lives elsewhere (asks the queue)."""
        return self.is_busy(connection_id)

    @abc.abstractmethod
    async def cancel(self, connection_id: int) -> None:
        """Drop the waiting job and stop the running one of the connection."""

    @abc.abstractmethod
    def start(self) -> None:
        """Begin taking jobs."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Cancel every job cleanly and take no more."""


class InProcessRunner(JobRunner):
    """Jobs as asyncio tasks of this process."""

    def __init__(self, job: Callable[[SyncRequest], Awaitable[object]]) -> None:
        self._job = job
        self._running: dict[int, asyncio.Task[None]] = {}
        self._waiting: dict[int, SyncRequest] = {}
        self._started = False
        self._closed = False

    def start(self) -> None:
        if self._closed:
            raise RunnerClosed("the job runner is closed")
        self._started = True

    def submit(
        self,
        connection_id: int,
        mode: SyncMode,
        trigger: SyncTrigger,
        entities: Sequence[EntityType] | None = None,
        *,
        run_id: int | None = None,
    ) -> bool:
        if not self._started or self._closed:
            raise RunnerClosed("the job runner is not running")
        request = SyncRequest(
            connection_id=connection_id,
            mode=mode,
            trigger=trigger,
            entities=tuple(entities) if entities is not None else None,
            run_id=run_id,
        )
        if connection_id in self._running:
            if connection_id in self._waiting or run_id is not None:
                return False
            self._waiting[connection_id] = request
            return True
        self._launch(request)
        return True

    def is_busy(self, connection_id: int) -> bool:
        return connection_id in self._running or connection_id in self._waiting

    def _launch(self, request: SyncRequest) -> None:
        cid = request.connection_id
        task = asyncio.create_task(self._guarded(request), name=f"sync-{cid}")
        self._running[cid] = task
        task.add_done_callback(lambda _: self._finished(cid, task))

    async def _guarded(self, request: SyncRequest) -> None:
        try:
            await self._job(request)
        except asyncio.CancelledError:
            raise
        except Exception:  # a job's bug must not take the runner down; it is logged
            log.exception("sync.job_crashed", connection_id=request.connection_id)

    def _finished(self, connection_id: int, task: asyncio.Task[None]) -> None:
        if self._running.get(connection_id) is task:
            del self._running[connection_id]
        waiting = self._waiting.pop(connection_id, None)
        if waiting is not None and not self._closed:
            self._launch(waiting)

    async def cancel(self, connection_id: int) -> None:
        self._waiting.pop(connection_id, None)
        task = self._running.get(connection_id)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def join(self) -> None:
        """Wait until no job is running or waiting (tests and orderly shutdowns)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def aclose(self) -> None:
        self._closed = True
        self._waiting.clear()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()


__all__ = ["InProcessRunner", "JobRunner", "RunnerClosed", "SyncRequest"]
